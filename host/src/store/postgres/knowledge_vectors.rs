//! The knowledge base's vectors in PostgreSQL: one row per collection, model and passage hash,
//! written under the change log's lock so that a change of model and a new document never
//! cross.

use deadpool_postgres::Transaction;

use super::knowledge::{CHANGE_LOCK, PgKnowledge, count, signed};
use super::sql;
use crate::knowledge::store::{
    Chunk, KnowledgeVectors, PassageVectors, StoredVector, Unembedded, list_from_text,
    vector_from_bytes, vector_to_bytes,
};
use crate::store::StoreError;

async fn insert(
    tx: &Transaction<'_>,
    collection: &str,
    vectors: &PassageVectors,
) -> Result<(), StoreError> {
    let statement = tx
        .prepare(
            "INSERT INTO knowledge_vectors (collection, model, hash, vector) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .await
        .map_err(sql)?;
    for (hash, vector) in &vectors.vectors {
        tx.execute(
            &statement,
            &[&collection, &vectors.model, hash, &vector_to_bytes(vector)],
        )
        .await
        .map_err(sql)?;
    }
    Ok(())
}

/// Keep a document's new vectors, which must be of the collection's model (the first set it).
pub(super) async fn put_current(
    tx: &Transaction<'_>,
    collection: &str,
    vectors: &PassageVectors,
) -> Result<(), StoreError> {
    vectors.check_lengths(collection)?;
    let row = tx
        .query_opt(
            "SELECT embedding_model, dimension FROM knowledge_collections WHERE name = $1",
            &[&collection],
        )
        .await
        .map_err(sql)?;
    let current: Option<(String, i64)> = match row {
        Some(row) => {
            let model: Option<String> = row.try_get(0).map_err(sql)?;
            let dimension: Option<i64> = row.try_get(1).map_err(sql)?;
            model.zip(dimension)
        }
        None => None,
    };
    let dimension = i64::from(vectors.dimension);
    match current {
        None => {
            tx.execute(
                "UPDATE knowledge_collections SET embedding_model = $2, dimension = $3 WHERE name = $1",
                &[&collection, &vectors.model, &dimension],
            )
            .await
            .map_err(sql)?;
        }
        Some((model, stored)) if model == vectors.model && stored == dimension => {}
        Some((model, stored)) => {
            return Err(StoreError::Conflict(format!(
                "collection `{collection}` is searched with vectors of `{model}` ({stored} dimensions), not `{}` ({} dimensions)",
                vectors.model, vectors.dimension
            )));
        }
    }
    insert(tx, collection, vectors).await
}

/// The passage hashes of a document, before it is replaced or deleted.
pub(super) async fn hashes_of(
    tx: &Transaction<'_>,
    collection: &str,
    document: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = tx
        .query(
            "SELECT DISTINCT hash FROM knowledge_chunks WHERE collection = $1 AND document = $2",
            &[&collection, &document],
        )
        .await
        .map_err(sql)?;
    rows.iter().map(|row| row.try_get(0).map_err(sql)).collect()
}

/// Drop the vectors (of every model) of those of `hashes` no passage has any more.
pub(super) async fn drop_orphans(
    tx: &Transaction<'_>,
    collection: &str,
    hashes: &[String],
) -> Result<(), StoreError> {
    if hashes.is_empty() {
        return Ok(());
    }
    tx.execute(
        "DELETE FROM knowledge_vectors v WHERE v.collection = $1 AND v.hash = ANY($2) \
         AND NOT EXISTS (SELECT 1 FROM knowledge_chunks c WHERE c.collection = $1 AND c.hash = v.hash)",
        &[&collection, &hashes],
    )
    .await
    .map(drop)
    .map_err(sql)
}

impl KnowledgeVectors for PgKnowledge {
    fn vectors(
        &self,
        collection: &str,
        model: &str,
        hashes: &[String],
    ) -> Result<Vec<(String, Vec<f32>)>, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(
                    "SELECT hash, vector FROM knowledge_vectors WHERE collection = $1 AND model = $2 AND hash = ANY($3)",
                    &[&collection, &model, &hashes],
                )
                .await
                .map_err(sql)?;
            rows.iter()
                .map(|row| {
                    let bytes: Vec<u8> = row.try_get(1).map_err(sql)?;
                    Ok((row.try_get(0).map_err(sql)?, vector_from_bytes(&bytes)?))
                })
                .collect()
        })
    }

    fn unembedded(
        &self,
        collection: &str,
        model: &str,
        limit: usize,
    ) -> Result<Vec<Unembedded>, StoreError> {
        let db = &self.0;
        let limit = signed(limit as u64);
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(
                    "SELECT c.hash, MIN(c.heading_path), MIN(c.text) FROM knowledge_chunks c \
                     WHERE c.collection = $1 AND NOT EXISTS (SELECT 1 FROM knowledge_vectors v \
                     WHERE v.collection = $1 AND v.model = $2 AND v.hash = c.hash) \
                     GROUP BY c.hash LIMIT $3",
                    &[&collection, &model, &limit],
                )
                .await
                .map_err(sql)?;
            rows.iter()
                .map(|row| {
                    let headings: String = row.try_get(1).map_err(sql)?;
                    let text: String = row.try_get(2).map_err(sql)?;
                    Ok(Unembedded {
                        hash: row.try_get(0).map_err(sql)?,
                        input: Chunk::embedding_input(&list_from_text(&headings)?, &text),
                    })
                })
                .collect()
        })
    }

    fn put_vectors(&self, collection: &str, vectors: &PassageVectors) -> Result<(), StoreError> {
        vectors.check_lengths(collection)?;
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOCK])
                .await
                .map_err(sql)?;
            let stored = tx
                .query_opt(
                    "SELECT length(vector)::BIGINT FROM knowledge_vectors WHERE collection = $1 AND model = $2 LIMIT 1",
                    &[&collection, &vectors.model],
                )
                .await
                .map_err(sql)?;
            if let Some(row) = stored {
                let bytes: i64 = row.try_get(0).map_err(sql)?;
                if bytes != i64::from(vectors.dimension) * 4 {
                    return Err(StoreError::Conflict(format!(
                        "`{}` gave {}-dimension vectors for collection `{collection}` before, {} now",
                        vectors.model,
                        bytes / 4,
                        vectors.dimension
                    )));
                }
            }
            insert(&tx, collection, vectors).await?;
            tx.commit().await.map_err(sql)
        })
    }

    fn vector_counts(&self, collection: &str, model: &str) -> Result<(u64, u64), StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let row = client
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM knowledge_vectors WHERE collection = $1 AND model = $2)::BIGINT, \
                     (SELECT COUNT(DISTINCT hash) FROM knowledge_chunks WHERE collection = $1)::BIGINT",
                    &[&collection, &model],
                )
                .await
                .map_err(sql)?;
            Ok((count(&row, 0)?, count(&row, 1)?))
        })
    }

    fn switch_model(
        &self,
        collection: &str,
        model: &str,
        dimension: u32,
    ) -> Result<bool, StoreError> {
        let db = &self.0;
        let dimension = i64::from(dimension);
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOCK])
                .await
                .map_err(sql)?;
            let missing = tx
                .query_opt(
                    "SELECT 1 FROM knowledge_chunks c WHERE c.collection = $1 AND NOT EXISTS \
                     (SELECT 1 FROM knowledge_vectors v WHERE v.collection = $1 AND v.model = $2 AND v.hash = c.hash) LIMIT 1",
                    &[&collection, &model],
                )
                .await
                .map_err(sql)?;
            if missing.is_some() {
                return Ok(false);
            }
            tx.execute(
                "UPDATE knowledge_collections SET embedding_model = $2, dimension = $3 WHERE name = $1",
                &[&collection, &model, &dimension],
            )
            .await
            .map_err(sql)?;
            tx.execute(
                "DELETE FROM knowledge_vectors WHERE collection = $1 AND model <> $2",
                &[&collection, &model],
            )
            .await
            .map_err(sql)?;
            tx.commit().await.map_err(sql)?;
            Ok(true)
        })
    }

    fn all_vectors(&self, collection: &str, model: &str) -> Result<Vec<StoredVector>, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let rows = client
                .query(
                    "SELECT c.document, c.position, v.vector FROM knowledge_chunks c \
                     JOIN knowledge_vectors v ON v.collection = c.collection AND v.hash = c.hash AND v.model = $2 \
                     WHERE c.collection = $1",
                    &[&collection, &model],
                )
                .await
                .map_err(sql)?;
            rows.iter()
                .map(|row| {
                    let bytes: Vec<u8> = row.try_get(2).map_err(sql)?;
                    Ok(StoredVector {
                        document: row.try_get(0).map_err(sql)?,
                        position: count(row, 1)?,
                        vector: vector_from_bytes(&bytes)?,
                    })
                })
                .collect()
        })
    }
}
