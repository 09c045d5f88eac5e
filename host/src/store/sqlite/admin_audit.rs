//! The admin audit log in SQLite: one writer at a time (an immediate transaction), so each
//! entry chains to the one before it.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::sql;
use crate::admin_audit::chain::GENESIS;
use crate::admin_audit::{AdminAuditStore, COLUMNS, Change, Entry, Filter};
use crate::store::StoreError;

/// The `admin_audit` table.
pub struct SqliteAdminAudit(super::Shared);

impl SqliteAdminAudit {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(super::Shared::open(path)?))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock()
    }
}

fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        actor_name: row.get(3)?,
        source: row.get(4)?,
        action: row.get(5)?,
        target: row.get(6)?,
        before: row.get(7)?,
        after: row.get(8)?,
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}

impl AdminAuditStore for SqliteAdminAudit {
    fn append(&self, change: &Change, at: &str) -> Result<Entry, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let last: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, hash FROM admin_audit ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(seq, hash)| (seq + 1, hash));
        let entry = Entry::chained(change, seq, at, &prev);
        tx.execute(
            &format!("INSERT INTO admin_audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            params![
                entry.seq,
                entry.at,
                entry.actor,
                entry.actor_name,
                entry.source,
                entry.action,
                entry.target,
                entry.before,
                entry.after,
                entry.prev_hash,
                entry.hash
            ],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(entry)
    }

    fn page(
        &self,
        filter: &Filter,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<Entry>, u64), StoreError> {
        let (clause, values) = filter.to_sql(|n| format!("?{n}"));
        let conn = self.conn();
        let total: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM admin_audit{clause}"),
                rusqlite::params_from_iter(values.iter()),
                |row| row.get(0),
            )
            .map_err(sql)?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM admin_audit{clause} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"
            ))
            .map_err(sql)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values.iter()), entry)
            .map_err(sql)?;
        let entries = rows.collect::<Result<_, _>>().map_err(sql)?;
        Ok((entries, total.max(0) as u64))
    }

    fn all(&self) -> Result<Vec<Entry>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare(&format!("SELECT {COLUMNS} FROM admin_audit ORDER BY seq"))
            .map_err(sql)?;
        let rows = statement.query_map([], entry).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }
}
