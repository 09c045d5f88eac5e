//! The knowledge base's collections, documents, chunks and change log in SQLite.

use std::path::Path;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::sql;
use crate::knowledge::store::{
    Change, Chunk, Collection, CollectionStats, Document, KnowledgeStore, PassageVectors,
    PutOutcome, list_from_text, list_to_text,
};
use crate::store::StoreError;

use super::knowledge_changes::{self as changes, log_change};
use super::knowledge_vectors as vectors;

/// The `knowledge_*` tables.
pub struct SqliteKnowledge(pub(super) super::Shared);

impl SqliteKnowledge {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(super::Shared::open(path)?))
    }
}

/// SQLite's integers are signed; counts and positions are never negative.
pub(super) fn unsigned(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(row.get::<_, i64>(index)?).unwrap_or_default())
}

pub(super) fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

const STATS: &str = "SELECT c.name, c.description, c.created_at, c.uid, \
     c.embedding_route, c.embedding_model, c.dimension, \
     (SELECT COUNT(*) FROM knowledge_documents d WHERE d.collection = c.name), \
     (SELECT COALESCE(SUM(chunks), 0) FROM knowledge_documents d WHERE d.collection = c.name), \
     (SELECT COALESCE(SUM(bytes), 0) FROM knowledge_documents d WHERE d.collection = c.name) \
     FROM knowledge_collections c";

fn stats_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CollectionStats> {
    Ok(CollectionStats {
        collection: Collection {
            name: row.get(0)?,
            description: row.get(1)?,
            created_at: row.get(2)?,
            uid: row.get(3)?,
            embedding_route: row.get(4)?,
            embedding_model: row.get(5)?,
            dimension: row
                .get::<_, Option<i64>>(6)?
                .and_then(|d| u32::try_from(d).ok()),
        },
        documents: unsigned(row, 7)?,
        chunks: unsigned(row, 8)?,
        bytes: unsigned(row, 9)?,
        embedding: None,
    })
}

const DOCUMENT_COLUMNS: &str = "id, title, media_type, sha256, bytes, chunks, tags, date, added_at";

fn document_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Document, String)> {
    Ok((
        Document {
            id: row.get(0)?,
            title: row.get(1)?,
            media_type: row.get(2)?,
            sha256: row.get(3)?,
            bytes: unsigned(row, 4)?,
            chunks: unsigned(row, 5)?,
            tags: Vec::new(),
            date: row.get(7)?,
            added_at: row.get(8)?,
        },
        row.get(6)?,
    ))
}

fn with_tags((mut document, tags): (Document, String)) -> Result<Document, StoreError> {
    document.tags = list_from_text(&tags)?;
    Ok(document)
}

fn chunk_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Chunk, String)> {
    Ok((
        Chunk {
            document: row.get(0)?,
            position: unsigned(row, 1)?,
            text: row.get(2)?,
            heading_path: Vec::new(),
            page: row
                .get::<_, Option<i64>>(4)?
                .and_then(|p| u64::try_from(p).ok()),
            hash: row.get(5)?,
        },
        row.get(3)?,
    ))
}

fn with_headings((mut chunk, headings): (Chunk, String)) -> Result<Chunk, StoreError> {
    chunk.heading_path = list_from_text(&headings)?;
    Ok(chunk)
}

const CHUNK_COLUMNS: &str = "document, position, text, heading_path, page, hash";

impl KnowledgeStore for SqliteKnowledge {
    fn create_collection(&self, collection: &Collection) -> Result<bool, StoreError> {
        let conn = self.0.lock();
        conn.execute(
            "INSERT INTO knowledge_collections (name, uid, description, created_at, embedding_route) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING",
            params![
                collection.name,
                collection.uid,
                collection.description,
                collection.created_at,
                collection.embedding_route
            ],
        )
        .map(|inserted| inserted == 1)
        .map_err(sql)
    }

    fn collections(&self) -> Result<Vec<CollectionStats>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare(&format!("{STATS} ORDER BY c.name"))
            .map_err(sql)?;
        let rows = statement.query_map([], stats_row).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    fn collection(&self, name: &str) -> Result<Option<CollectionStats>, StoreError> {
        let conn = self.0.lock();
        conn.query_row(&format!("{STATS} WHERE c.name = ?1"), [name], stats_row)
            .optional()
            .map_err(sql)
    }

    fn delete_collection(&self, name: &str) -> Result<bool, StoreError> {
        let mut conn = self.0.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let deleted = tx
            .execute("DELETE FROM knowledge_collections WHERE name = ?1", [name])
            .map_err(sql)?;
        for table in [
            "knowledge_chunks",
            "knowledge_documents",
            "knowledge_changes",
            "knowledge_vectors",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE collection = ?1"),
                [name],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(deleted == 1)
    }

    fn put_document(
        &self,
        collection: &str,
        document: &Document,
        chunks: &[Chunk],
        vectors: Option<&PassageVectors>,
    ) -> Result<PutOutcome, StoreError> {
        let mut conn = self.0.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let earlier: Option<String> = tx
            .query_row(
                "SELECT sha256 FROM knowledge_documents WHERE collection = ?1 AND id = ?2",
                params![collection, document.id],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql)?;
        let outcome = match earlier {
            Some(sha256) if sha256 == document.sha256 => return Ok(PutOutcome::Unchanged),
            Some(_) => PutOutcome::Replaced,
            None => PutOutcome::Added,
        };
        if let Some(vectors) = vectors {
            vectors::put_current(&tx, collection, vectors)?;
        }
        let earlier_hashes = vectors::hashes_of(&tx, collection, &document.id)?;
        tx.execute(
            "DELETE FROM knowledge_chunks WHERE collection = ?1 AND document = ?2",
            params![collection, document.id],
        )
        .map_err(sql)?;
        tx.execute(
            &format!(
                "INSERT OR REPLACE INTO knowledge_documents (collection, {DOCUMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            params![
                collection,
                document.id,
                document.title,
                document.media_type,
                document.sha256,
                signed(document.bytes),
                signed(document.chunks),
                list_to_text(&document.tags),
                document.date,
                document.added_at
            ],
        )
        .map_err(sql)?;
        {
            let mut insert = tx
                .prepare(&format!(
                    "INSERT INTO knowledge_chunks (collection, {CHUNK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ))
                .map_err(sql)?;
            for chunk in chunks {
                insert
                    .execute(params![
                        collection,
                        document.id,
                        signed(chunk.position),
                        chunk.text,
                        list_to_text(&chunk.heading_path),
                        chunk.page.map(signed),
                        chunk.hash
                    ])
                    .map_err(sql)?;
            }
        }
        vectors::drop_orphans(&tx, collection, &earlier_hashes)?;
        log_change(&tx, collection, &document.id)?;
        tx.commit().map_err(sql)?;
        Ok(outcome)
    }

    fn documents(&self, collection: &str) -> Result<Vec<Document>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare(&format!(
                "SELECT {DOCUMENT_COLUMNS} FROM knowledge_documents WHERE collection = ?1 ORDER BY id"
            ))
            .map_err(sql)?;
        let rows = statement
            .query_map([collection], document_row)
            .map_err(sql)?;
        rows.map(|row| row.map_err(sql).and_then(with_tags))
            .collect()
    }

    fn delete_document(&self, collection: &str, id: &str) -> Result<bool, StoreError> {
        let mut conn = self.0.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let deleted = tx
            .execute(
                "DELETE FROM knowledge_documents WHERE collection = ?1 AND id = ?2",
                params![collection, id],
            )
            .map_err(sql)?;
        if deleted == 0 {
            return Ok(false);
        }
        let earlier_hashes = vectors::hashes_of(&tx, collection, id)?;
        tx.execute(
            "DELETE FROM knowledge_chunks WHERE collection = ?1 AND document = ?2",
            params![collection, id],
        )
        .map_err(sql)?;
        vectors::drop_orphans(&tx, collection, &earlier_hashes)?;
        log_change(&tx, collection, id)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    fn changes_since(&self, collection: &str, seq: i64) -> Result<Vec<Change>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare(
                "SELECT seq, document FROM knowledge_changes WHERE collection = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(sql)?;
        let rows = statement
            .query_map(params![collection, seq], |row| {
                Ok(Change {
                    seq: row.get(0)?,
                    document: row.get(1)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    fn last_change(&self, collection: &str) -> Result<i64, StoreError> {
        let conn = self.0.lock();
        conn.query_row(
            // The floor counts: the newest change may be a deletion whose entry was dropped.
            "SELECT MAX(COALESCE((SELECT MAX(seq) FROM knowledge_changes WHERE collection = ?1), 0), \
             COALESCE((SELECT log_floor FROM knowledge_collections WHERE name = ?1), 0))",
            [collection],
            |row| row.get(0),
        )
        .map_err(sql)
    }

    fn log_floor(&self, collection: &str) -> Result<i64, StoreError> {
        changes::log_floor(&self.0.lock(), collection)
    }

    fn forget_deleted(&self, before: &str) -> Result<u64, StoreError> {
        changes::forget_deleted(&mut self.0.lock(), before)
    }

    fn document_with_chunks(
        &self,
        collection: &str,
        id: &str,
    ) -> Result<Option<(Document, Vec<Chunk>)>, StoreError> {
        let conn = self.0.lock();
        let Some(document) = conn
            .query_row(
                &format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM knowledge_documents WHERE collection = ?1 AND id = ?2"
                ),
                params![collection, id],
                document_row,
            )
            .optional()
            .map_err(sql)?
        else {
            return Ok(None);
        };
        let mut statement = conn
            .prepare(&format!(
                "SELECT {CHUNK_COLUMNS} FROM knowledge_chunks WHERE collection = ?1 AND document = ?2 ORDER BY position"
            ))
            .map_err(sql)?;
        let chunks = statement
            .query_map(params![collection, id], chunk_row)
            .map_err(sql)?
            .map(|row| row.map_err(sql).and_then(with_headings))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((with_tags(document)?, chunks)))
    }

    fn chunks(&self, collection: &str, keys: &[(String, u64)]) -> Result<Vec<Chunk>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {CHUNK_COLUMNS} FROM knowledge_chunks WHERE collection = ?1 AND document = ?2 AND position = ?3"
            ))
            .map_err(sql)?;
        let mut found = Vec::with_capacity(keys.len());
        for (document, position) in keys {
            if let Some(row) = statement
                .query_row(params![collection, document, signed(*position)], chunk_row)
                .optional()
                .map_err(sql)?
            {
                found.push(with_headings(row)?);
            }
        }
        Ok(found)
    }
}
