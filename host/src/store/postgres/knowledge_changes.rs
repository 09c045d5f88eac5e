//! The knowledge base's change log in PostgreSQL, kept compact: each document keeps its latest
//! entry only, and the entries of deleted documents are dropped once they are old enough,
//! raising the collection's `log_floor`.

use super::knowledge::CHANGE_LOCK;
use super::{Database, sql};
use crate::store::StoreError;

/// Log a change to `document` and drop its earlier entries: an index catching up reads each
/// changed document's current state, so only the latest entry says anything. The caller holds
/// [`CHANGE_LOCK`].
pub(super) async fn log_change(
    tx: &deadpool_postgres::Transaction<'_>,
    collection: &str,
    document: &str,
) -> Result<(), StoreError> {
    let at = crate::timestamp::now_rfc3339();
    let row = tx
        .query_one(
            // Numbered here, under the lock, not by a sequence: a copied store keeps its
            // numbers and goes on from them. Never at or below a floor: the entries dropped
            // may have been the newest.
            "INSERT INTO knowledge_changes (seq, collection, document, at) \
             SELECT GREATEST(COALESCE(MAX(seq), 0), \
                    (SELECT COALESCE(MAX(log_floor), 0) FROM knowledge_collections)) + 1, $1, $2, $3 \
             FROM knowledge_changes RETURNING seq",
            &[&collection, &document, &at],
        )
        .await
        .map_err(sql)?;
    let seq: i64 = row.try_get(0).map_err(sql)?;
    tx.execute(
        "DELETE FROM knowledge_changes WHERE collection = $1 AND document = $2 AND seq < $3",
        &[&collection, &document, &seq],
    )
    .await
    .map(drop)
    .map_err(sql)
}

/// The entries of documents that are no longer there (their deletion), logged before `$1`.
const FORGOTTEN: &str = "(ch.at IS NULL OR ch.at < $1) AND NOT EXISTS \
     (SELECT 1 FROM knowledge_documents d WHERE d.collection = ch.collection AND d.id = ch.document)";

/// Drop the entries of documents deleted before `before` (RFC 3339), raising each
/// collection's floor to the last entry dropped; how many were dropped.
pub(super) fn forget_deleted(db: &Database, before: &str) -> Result<u64, StoreError> {
    db.run(async {
        let mut client = db.client().await?;
        let tx = client.transaction().await.map_err(sql)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOCK])
            .await
            .map_err(sql)?;
        tx.execute(
            &format!(
                "UPDATE knowledge_collections c SET log_floor = GREATEST(c.log_floor, COALESCE( \
                 (SELECT MAX(ch.seq) FROM knowledge_changes ch \
                  WHERE ch.collection = c.name AND {FORGOTTEN}), 0))"
            ),
            &[&before],
        )
        .await
        .map_err(sql)?;
        let dropped = tx
            .execute(
                &format!(
                    "DELETE FROM knowledge_changes WHERE seq IN \
                     (SELECT ch.seq FROM knowledge_changes ch WHERE {FORGOTTEN})"
                ),
                &[&before],
            )
            .await
            .map_err(sql)?;
        tx.commit().await.map_err(sql)?;
        Ok(dropped)
    })
}

/// The last entry dropped from `collection`'s log (0: none).
pub(super) fn log_floor(db: &Database, collection: &str) -> Result<i64, StoreError> {
    db.run(async {
        let client = db.client().await?;
        let row = client
            .query_opt(
                "SELECT log_floor FROM knowledge_collections WHERE name = $1",
                &[&collection],
            )
            .await
            .map_err(sql)?;
        row.map_or(Ok(0), |row| row.try_get(0).map_err(sql))
    })
}
