//! The knowledge base's collections, documents, chunks and change log in PostgreSQL, shared
//! by every replica: each follows the change log to keep its own search indexes current.

use super::knowledge_changes::{self as changes, log_change};
use super::knowledge_vectors as vectors;
use super::{Database, sql};
use crate::knowledge::store::{
    Change, Chunk, Collection, CollectionStats, Document, KnowledgeStore, PassageVectors,
    PutOutcome, list_from_text, list_to_text,
};
use crate::store::StoreError;

/// The `knowledge_*` tables.
pub struct PgKnowledge(pub Database);

/// Held (for its transaction) by every writer of the change log, so that its numbers are
/// committed in the order they were taken and no reader skips one still in flight.
pub(super) const CHANGE_LOCK: i64 = 0x7072_6178_0002;

const STATS: &str = "SELECT c.name, c.description, c.created_at, c.uid, \
     c.embedding_route, c.embedding_model, c.dimension, \
     (SELECT COUNT(*) FROM knowledge_documents d WHERE d.collection = c.name)::BIGINT, \
     (SELECT COALESCE(SUM(chunks), 0) FROM knowledge_documents d WHERE d.collection = c.name)::BIGINT, \
     (SELECT COALESCE(SUM(bytes), 0) FROM knowledge_documents d WHERE d.collection = c.name)::BIGINT \
     FROM knowledge_collections c";

pub(super) fn count(row: &tokio_postgres::Row, index: usize) -> Result<u64, StoreError> {
    let value: i64 = row.try_get(index).map_err(sql)?;
    Ok(u64::try_from(value).unwrap_or_default())
}

fn stats_of(row: &tokio_postgres::Row) -> Result<CollectionStats, StoreError> {
    Ok(CollectionStats {
        collection: Collection {
            name: row.try_get(0).map_err(sql)?,
            description: row.try_get(1).map_err(sql)?,
            created_at: row.try_get(2).map_err(sql)?,
            uid: row.try_get(3).map_err(sql)?,
            embedding_route: row.try_get(4).map_err(sql)?,
            embedding_model: row.try_get(5).map_err(sql)?,
            dimension: row
                .try_get::<_, Option<i64>>(6)
                .map_err(sql)?
                .and_then(|d| u32::try_from(d).ok()),
        },
        documents: count(row, 7)?,
        chunks: count(row, 8)?,
        bytes: count(row, 9)?,
        embedding: None,
    })
}

const DOCUMENT_COLUMNS: &str = "id, title, media_type, sha256, bytes, chunks, tags, date, added_at";

fn document_of(row: &tokio_postgres::Row) -> Result<Document, StoreError> {
    let tags: String = row.try_get(6).map_err(sql)?;
    Ok(Document {
        id: row.try_get(0).map_err(sql)?,
        title: row.try_get(1).map_err(sql)?,
        media_type: row.try_get(2).map_err(sql)?,
        sha256: row.try_get(3).map_err(sql)?,
        bytes: count(row, 4)?,
        chunks: count(row, 5)?,
        tags: list_from_text(&tags)?,
        date: row.try_get(7).map_err(sql)?,
        added_at: row.try_get(8).map_err(sql)?,
    })
}

const CHUNK_COLUMNS: &str = "document, position, text, heading_path, page, hash";

fn chunk_of(row: &tokio_postgres::Row) -> Result<Chunk, StoreError> {
    let headings: String = row.try_get(3).map_err(sql)?;
    let page: Option<i64> = row.try_get(4).map_err(sql)?;
    Ok(Chunk {
        document: row.try_get(0).map_err(sql)?,
        position: count(row, 1)?,
        text: row.try_get(2).map_err(sql)?,
        heading_path: list_from_text(&headings)?,
        page: page.and_then(|p| u64::try_from(p).ok()),
        hash: row.try_get(5).map_err(sql)?,
    })
}

pub(super) fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl KnowledgeStore for PgKnowledge {
    fn create_collection(&self, collection: &Collection) -> Result<bool, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            client
                .execute(
                    "INSERT INTO knowledge_collections (name, uid, description, created_at, embedding_route) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                    &[&collection.name, &collection.uid, &collection.description, &collection.created_at, &collection.embedding_route],
                )
                .await
                .map(|inserted| inserted == 1)
                .map_err(sql)
        })
    }

    fn collections(&self) -> Result<Vec<CollectionStats>, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(&format!("{STATS} ORDER BY c.name"), &[])
                .await
                .map_err(sql)?;
            rows.iter().map(stats_of).collect()
        })
    }

    fn collection(&self, name: &str) -> Result<Option<CollectionStats>, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let row = client
                .query_opt(&format!("{STATS} WHERE c.name = $1"), &[&name])
                .await
                .map_err(sql)?;
            row.as_ref().map(stats_of).transpose()
        })
    }

    fn delete_collection(&self, name: &str) -> Result<bool, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOCK])
                .await
                .map_err(sql)?;
            let deleted = tx
                .execute(
                    "DELETE FROM knowledge_collections WHERE name = $1",
                    &[&name],
                )
                .await
                .map_err(sql)?;
            for table in [
                "knowledge_chunks",
                "knowledge_documents",
                "knowledge_changes",
                "knowledge_vectors",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE collection = $1"),
                    &[&name],
                )
                .await
                .map_err(sql)?;
            }
            tx.commit().await.map_err(sql)?;
            Ok(deleted == 1)
        })
    }

    fn put_document(
        &self,
        collection: &str,
        document: &Document,
        chunks: &[Chunk],
        vectors: Option<&PassageVectors>,
    ) -> Result<PutOutcome, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOCK])
                .await
                .map_err(sql)?;
            let earlier = tx
                .query_opt(
                    "SELECT sha256 FROM knowledge_documents WHERE collection = $1 AND id = $2",
                    &[&collection, &document.id],
                )
                .await
                .map_err(sql)?
                .map(|row| row.try_get::<_, String>(0))
                .transpose()
                .map_err(sql)?;
            let outcome = match earlier {
                Some(sha256) if sha256 == document.sha256 => return Ok(PutOutcome::Unchanged),
                Some(_) => PutOutcome::Replaced,
                None => PutOutcome::Added,
            };
            if let Some(vectors) = vectors {
                vectors::put_current(&tx, collection, vectors).await?;
            }
            let earlier_hashes = vectors::hashes_of(&tx, collection, &document.id).await?;
            tx.execute(
                "DELETE FROM knowledge_chunks WHERE collection = $1 AND document = $2",
                &[&collection, &document.id],
            )
            .await
            .map_err(sql)?;
            tx.execute(
                &format!(
                    "INSERT INTO knowledge_documents (collection, {DOCUMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (collection, id) DO UPDATE SET title = $3, media_type = $4, sha256 = $5, bytes = $6, chunks = $7, tags = $8, date = $9, added_at = $10"
                ),
                &[
                    &collection,
                    &document.id,
                    &document.title,
                    &document.media_type,
                    &document.sha256,
                    &signed(document.bytes),
                    &signed(document.chunks),
                    &list_to_text(&document.tags),
                    &document.date,
                    &document.added_at,
                ],
            )
            .await
            .map_err(sql)?;
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO knowledge_chunks (collection, {CHUNK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ))
                .await
                .map_err(sql)?;
            for chunk in chunks {
                let page = chunk.page.map(signed);
                tx.execute(
                    &insert,
                    &[
                        &collection,
                        &document.id,
                        &signed(chunk.position),
                        &chunk.text,
                        &list_to_text(&chunk.heading_path),
                        &page,
                        &chunk.hash,
                    ],
                )
                .await
                .map_err(sql)?;
            }
            vectors::drop_orphans(&tx, collection, &earlier_hashes).await?;
            log_change(&tx, collection, &document.id).await?;
            tx.commit().await.map_err(sql)?;
            Ok(outcome)
        })
    }

    fn documents(&self, collection: &str) -> Result<Vec<Document>, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(
                    &format!(
                        "SELECT {DOCUMENT_COLUMNS} FROM knowledge_documents WHERE collection = $1 ORDER BY id"
                    ),
                    &[&collection],
                )
                .await
                .map_err(sql)?;
            rows.iter().map(document_of).collect()
        })
    }

    fn delete_document(&self, collection: &str, id: &str) -> Result<bool, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOCK])
                .await
                .map_err(sql)?;
            let deleted = tx
                .execute(
                    "DELETE FROM knowledge_documents WHERE collection = $1 AND id = $2",
                    &[&collection, &id],
                )
                .await
                .map_err(sql)?;
            if deleted == 0 {
                return Ok(false);
            }
            let earlier_hashes = vectors::hashes_of(&tx, collection, id).await?;
            tx.execute(
                "DELETE FROM knowledge_chunks WHERE collection = $1 AND document = $2",
                &[&collection, &id],
            )
            .await
            .map_err(sql)?;
            vectors::drop_orphans(&tx, collection, &earlier_hashes).await?;
            log_change(&tx, collection, id).await?;
            tx.commit().await.map_err(sql)?;
            Ok(true)
        })
    }

    fn changes_since(&self, collection: &str, seq: i64) -> Result<Vec<Change>, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(
                    "SELECT seq, document FROM knowledge_changes WHERE collection = $1 AND seq > $2 ORDER BY seq",
                    &[&collection, &seq],
                )
                .await
                .map_err(sql)?;
            rows.iter()
                .map(|row| {
                    Ok(Change {
                        seq: row.try_get(0).map_err(sql)?,
                        document: row.try_get(1).map_err(sql)?,
                    })
                })
                .collect()
        })
    }

    fn last_change(&self, collection: &str) -> Result<i64, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let row = client
                .query_one(
                    // The floor counts: the newest change may be a deletion whose entry was dropped.
                    "SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM knowledge_changes WHERE collection = $1), 0), \
                     COALESCE((SELECT log_floor FROM knowledge_collections WHERE name = $1), 0))::BIGINT",
                    &[&collection],
                )
                .await
                .map_err(sql)?;
            row.try_get(0).map_err(sql)
        })
    }

    fn log_floor(&self, collection: &str) -> Result<i64, StoreError> {
        changes::log_floor(&self.0, collection)
    }

    fn forget_deleted(&self, before: &str) -> Result<u64, StoreError> {
        changes::forget_deleted(&self.0, before)
    }

    fn document_with_chunks(
        &self,
        collection: &str,
        id: &str,
    ) -> Result<Option<(Document, Vec<Chunk>)>, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            // One snapshot for the document and its chunks.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(sql)?;
            let Some(row) = tx
                .query_opt(
                    &format!(
                        "SELECT {DOCUMENT_COLUMNS} FROM knowledge_documents WHERE collection = $1 AND id = $2"
                    ),
                    &[&collection, &id],
                )
                .await
                .map_err(sql)?
            else {
                return Ok(None);
            };
            let document = document_of(&row)?;
            let chunks = tx
                .query(
                    &format!(
                        "SELECT {CHUNK_COLUMNS} FROM knowledge_chunks WHERE collection = $1 AND document = $2 ORDER BY position"
                    ),
                    &[&collection, &id],
                )
                .await
                .map_err(sql)?
                .iter()
                .map(chunk_of)
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit().await.map_err(sql)?;
            Ok(Some((document, chunks)))
        })
    }

    fn chunks(&self, collection: &str, keys: &[(String, u64)]) -> Result<Vec<Chunk>, StoreError> {
        let documents: Vec<&str> = keys.iter().map(|(d, _)| d.as_str()).collect();
        let positions: Vec<i64> = keys.iter().map(|(_, p)| signed(*p)).collect();
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(
                    &format!(
                        "SELECT {CHUNK_COLUMNS} FROM knowledge_chunks WHERE collection = $1 \
                         AND (document, position) IN (SELECT * FROM UNNEST($2::TEXT[], $3::BIGINT[]))"
                    ),
                    &[&collection, &documents, &positions],
                )
                .await
                .map_err(sql)?;
            rows.iter().map(chunk_of).collect()
        })
    }
}
