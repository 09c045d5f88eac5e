//! The knowledge base's vectors in SQLite: one row per collection, model and passage hash.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::knowledge::{SqliteKnowledge, signed, unsigned};
use super::sql;
use crate::knowledge::store::{
    Chunk, KnowledgeVectors, PassageVectors, StoredVector, Unembedded, list_from_text,
    vector_from_bytes, vector_to_bytes,
};
use crate::store::StoreError;

/// The collection's model and dimension, if it has vectors.
fn current_model(conn: &Connection, collection: &str) -> Result<Option<(String, u32)>, StoreError> {
    let row: Option<(Option<String>, Option<i64>)> = conn
        .query_row(
            "SELECT embedding_model, dimension FROM knowledge_collections WHERE name = ?1",
            [collection],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(sql)?;
    Ok(match row {
        Some((Some(model), Some(dimension))) => {
            Some((model, u32::try_from(dimension).unwrap_or_default()))
        }
        _ => None,
    })
}

fn insert(conn: &Connection, collection: &str, vectors: &PassageVectors) -> Result<(), StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO knowledge_vectors (collection, model, hash, vector) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(sql)?;
    for (hash, vector) in &vectors.vectors {
        insert
            .execute(params![
                collection,
                vectors.model,
                hash,
                vector_to_bytes(vector)
            ])
            .map_err(sql)?;
    }
    Ok(())
}

/// Keep a document's new vectors, which must be of the collection's model (the first set it).
pub(super) fn put_current(
    conn: &Connection,
    collection: &str,
    vectors: &PassageVectors,
) -> Result<(), StoreError> {
    vectors.check_lengths(collection)?;
    match current_model(conn, collection)? {
        None => {
            conn.execute(
                "UPDATE knowledge_collections SET embedding_model = ?2, dimension = ?3 WHERE name = ?1",
                params![collection, vectors.model, i64::from(vectors.dimension)],
            )
            .map_err(sql)?;
        }
        Some((model, dimension)) if model == vectors.model && dimension == vectors.dimension => {}
        Some((model, dimension)) => {
            return Err(StoreError::Conflict(format!(
                "collection `{collection}` is searched with vectors of `{model}` ({dimension} dimensions), not `{}` ({} dimensions)",
                vectors.model, vectors.dimension
            )));
        }
    }
    insert(conn, collection, vectors)
}

/// The passage hashes of a document, before it is replaced or deleted.
pub(super) fn hashes_of(
    conn: &Connection,
    collection: &str,
    document: &str,
) -> Result<Vec<String>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT DISTINCT hash FROM knowledge_chunks WHERE collection = ?1 AND document = ?2",
        )
        .map_err(sql)?;
    let rows = statement
        .query_map(params![collection, document], |row| row.get(0))
        .map_err(sql)?;
    rows.collect::<Result<_, _>>().map_err(sql)
}

/// Drop the vectors (of every model) of those of `hashes` no passage has any more.
pub(super) fn drop_orphans(
    conn: &Connection,
    collection: &str,
    hashes: &[String],
) -> Result<(), StoreError> {
    let mut delete = conn
        .prepare_cached(
            "DELETE FROM knowledge_vectors WHERE collection = ?1 AND hash = ?2 \
             AND NOT EXISTS (SELECT 1 FROM knowledge_chunks WHERE collection = ?1 AND hash = ?2)",
        )
        .map_err(sql)?;
    for hash in hashes {
        delete.execute(params![collection, hash]).map_err(sql)?;
    }
    Ok(())
}

impl KnowledgeVectors for SqliteKnowledge {
    fn vectors(
        &self,
        collection: &str,
        model: &str,
        hashes: &[String],
    ) -> Result<Vec<(String, Vec<f32>)>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT vector FROM knowledge_vectors WHERE collection = ?1 AND model = ?2 AND hash = ?3",
            )
            .map_err(sql)?;
        let mut found = Vec::with_capacity(hashes.len());
        for hash in hashes {
            let bytes: Option<Vec<u8>> = statement
                .query_row(params![collection, model, hash], |row| row.get(0))
                .optional()
                .map_err(sql)?;
            if let Some(bytes) = bytes {
                found.push((hash.clone(), vector_from_bytes(&bytes)?));
            }
        }
        Ok(found)
    }

    fn unembedded(
        &self,
        collection: &str,
        model: &str,
        limit: usize,
    ) -> Result<Vec<Unembedded>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT c.hash, MIN(c.heading_path), MIN(c.text) FROM knowledge_chunks c \
                 WHERE c.collection = ?1 AND NOT EXISTS (SELECT 1 FROM knowledge_vectors v \
                 WHERE v.collection = ?1 AND v.model = ?2 AND v.hash = c.hash) \
                 GROUP BY c.hash LIMIT ?3",
            )
            .map_err(sql)?;
        let rows = statement
            .query_map(params![collection, model, signed(limit as u64)], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(sql)?;
        let mut found = Vec::new();
        for row in rows {
            let (hash, headings, text) = row.map_err(sql)?;
            found.push(Unembedded {
                hash,
                input: Chunk::embedding_input(&list_from_text(&headings)?, &text),
            });
        }
        Ok(found)
    }

    fn put_vectors(&self, collection: &str, vectors: &PassageVectors) -> Result<(), StoreError> {
        let mut conn = self.0.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        vectors.check_lengths(collection)?;
        let stored: Option<i64> = tx
            .query_row(
                "SELECT length(vector) FROM knowledge_vectors WHERE collection = ?1 AND model = ?2 LIMIT 1",
                params![collection, vectors.model],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql)?;
        if let Some(bytes) = stored
            && bytes != i64::from(vectors.dimension) * 4
        {
            return Err(StoreError::Conflict(format!(
                "`{}` gave {}-dimension vectors for collection `{collection}` before, {} now",
                vectors.model,
                bytes / 4,
                vectors.dimension
            )));
        }
        insert(&tx, collection, vectors)?;
        tx.commit().map_err(sql)
    }

    fn vector_counts(&self, collection: &str, model: &str) -> Result<(u64, u64), StoreError> {
        let conn = self.0.lock();
        let have = conn
            .query_row(
                "SELECT COUNT(*) FROM knowledge_vectors WHERE collection = ?1 AND model = ?2",
                params![collection, model],
                |row| unsigned(row, 0),
            )
            .map_err(sql)?;
        let total = conn
            .query_row(
                "SELECT COUNT(DISTINCT hash) FROM knowledge_chunks WHERE collection = ?1",
                [collection],
                |row| unsigned(row, 0),
            )
            .map_err(sql)?;
        Ok((have, total))
    }

    fn switch_model(
        &self,
        collection: &str,
        model: &str,
        dimension: u32,
    ) -> Result<bool, StoreError> {
        let mut conn = self.0.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let missing: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM knowledge_chunks c WHERE c.collection = ?1 AND NOT EXISTS \
                 (SELECT 1 FROM knowledge_vectors v WHERE v.collection = ?1 AND v.model = ?2 AND v.hash = c.hash) LIMIT 1",
                params![collection, model],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql)?;
        if missing.is_some() {
            return Ok(false);
        }
        tx.execute(
            "UPDATE knowledge_collections SET embedding_model = ?2, dimension = ?3 WHERE name = ?1",
            params![collection, model, i64::from(dimension)],
        )
        .map_err(sql)?;
        tx.execute(
            "DELETE FROM knowledge_vectors WHERE collection = ?1 AND model <> ?2",
            params![collection, model],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    fn all_vectors(&self, collection: &str, model: &str) -> Result<Vec<StoredVector>, StoreError> {
        let conn = self.0.lock();
        let mut statement = conn
            .prepare(
                "SELECT c.document, c.position, v.vector FROM knowledge_chunks c \
                 JOIN knowledge_vectors v ON v.collection = c.collection AND v.hash = c.hash AND v.model = ?2 \
                 WHERE c.collection = ?1",
            )
            .map_err(sql)?;
        let rows = statement
            .query_map(params![collection, model], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    unsigned(row, 1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(sql)?;
        let mut found = Vec::new();
        for row in rows {
            let (document, position, bytes) = row.map_err(sql)?;
            found.push(StoredVector {
                document,
                position,
                vector: vector_from_bytes(&bytes)?,
            });
        }
        Ok(found)
    }
}
