//! The SQLite store, the embedded default: one file in the data directory, WAL mode,
//! `synchronous = FULL`, migrated at open.

pub mod admin_audit;
pub mod audit;
pub mod commerce;
pub mod keys;
pub mod knowledge;
pub mod knowledge_changes;
pub mod knowledge_vectors;
pub mod license;
pub mod migrations;
pub mod sso;
pub mod transfer;

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;
use migrations::{MIGRATIONS, latest};

pub use audit::{SqliteQueries, SqliteWrites};
pub use keys::SqliteKeys;

/// One connection to the database, shared by a table's callers one at a time.
pub struct Shared(std::sync::Mutex<Connection>);

impl Shared {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(std::sync::Mutex::new(open(path)?)))
    }

    /// The connection, while no one else uses it. A panic while it was held leaves it usable.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// Open (creating if needed) the database at `path`, migrate it, and return a connection.
/// Refuses a database written by a newer `prax`.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Database(format!("{}: {e}", dir.display())))?;
    }
    let mut conn = Connection::open(path)
        .map_err(|e| StoreError::Database(format!("{}: {e}", path.display())))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(sql)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sql)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    if version > latest() {
        return Err(StoreError::TooNew {
            store: path.display().to_string(),
            found: version,
            supported: latest(),
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(migration).map_err(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        tracing::info!(version = index + 1, "audit database migrated");
    }
    Ok(conn)
}
