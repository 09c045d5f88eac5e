//! Licensing's first uses in SQLite.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, params};

use super::sql;
use crate::license::live::LicenseFacts;
use crate::store::StoreError;

/// The `license_facts` table.
pub struct SqliteLicenseFacts(Mutex<Connection>);

impl SqliteLicenseFacts {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(Mutex::new(super::open(path)?)))
    }
}

impl LicenseFacts for SqliteLicenseFacts {
    fn first_use(&self, name: &str, now: &str) -> Result<String, StoreError> {
        let conn = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        conn.execute(
            "INSERT OR IGNORE INTO license_facts (name, at) VALUES (?1, ?2)",
            params![name, now],
        )
        .map_err(sql)?;
        conn.query_row(
            "SELECT at FROM license_facts WHERE name = ?1",
            params![name],
            |row| row.get(0),
        )
        .map_err(sql)
    }
}
