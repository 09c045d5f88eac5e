//! Licensing's first uses in SQLite.

use std::path::Path;

use rusqlite::params;

use super::sql;
use crate::license::live::LicenseFacts;
use crate::store::StoreError;

/// The `license_facts` table.
pub struct SqliteLicenseFacts(super::Shared);

impl SqliteLicenseFacts {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(super::Shared::open(path)?))
    }
}

impl LicenseFacts for SqliteLicenseFacts {
    fn first_use(&self, name: &str, now: &str) -> Result<String, StoreError> {
        let conn = self.0.lock();
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
