//! The knowledge base's change log in SQLite, kept compact: each document keeps its latest
//! entry only, and the entries of deleted documents are dropped once they are old enough,
//! raising the collection's `log_floor`.

use rusqlite::{Connection, TransactionBehavior, params};

use super::sql;
use crate::store::StoreError;

/// Log a change to `document` and drop its earlier entries: an index catching up reads each
/// changed document's current state, so only the latest entry says anything.
pub(super) fn log_change(
    conn: &Connection,
    collection: &str,
    document: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO knowledge_changes (collection, document, at) VALUES (?1, ?2, ?3)",
        params![collection, document, crate::timestamp::now_rfc3339()],
    )
    .map_err(sql)?;
    let seq = conn.last_insert_rowid();
    conn.execute(
        "DELETE FROM knowledge_changes WHERE collection = ?1 AND document = ?2 AND seq < ?3",
        params![collection, document, seq],
    )
    .map(drop)
    .map_err(sql)
}

/// The entries of documents that are no longer there (their deletion), logged before `before`.
const FORGOTTEN: &str = "(ch.at IS NULL OR ch.at < ?1) AND NOT EXISTS \
     (SELECT 1 FROM knowledge_documents d WHERE d.collection = ch.collection AND d.id = ch.document)";

/// Drop the entries of documents deleted before `before` (RFC 3339), raising each
/// collection's floor to the last entry dropped; how many were dropped.
pub(super) fn forget_deleted(conn: &mut Connection, before: &str) -> Result<u64, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    tx.execute(
        &format!(
            "UPDATE knowledge_collections SET log_floor = MAX(log_floor, COALESCE( \
             (SELECT MAX(ch.seq) FROM knowledge_changes ch \
              WHERE ch.collection = knowledge_collections.name AND {FORGOTTEN}), 0))"
        ),
        [before],
    )
    .map_err(sql)?;
    let dropped = tx
        .execute(
            &format!(
                "DELETE FROM knowledge_changes WHERE seq IN \
                 (SELECT ch.seq FROM knowledge_changes ch WHERE {FORGOTTEN})"
            ),
            [before],
        )
        .map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(dropped as u64)
}

/// The last entry dropped from `collection`'s log (0: none).
pub(super) fn log_floor(conn: &Connection, collection: &str) -> Result<i64, StoreError> {
    use rusqlite::OptionalExtension as _;
    conn.query_row(
        "SELECT log_floor FROM knowledge_collections WHERE name = ?1",
        [collection],
        |row| row.get(0),
    )
    .optional()
    .map(Option::unwrap_or_default)
    .map_err(sql)
}
