//! The admin audit log in PostgreSQL: every replica appends under one transaction-scoped
//! advisory lock, so the chain stays a line.

use tokio_postgres::types::ToSql;

use super::{Database, sql};
use crate::admin_audit::chain::GENESIS;
use crate::admin_audit::{AdminAuditStore, COLUMNS, Change, Entry, Filter};
use crate::store::StoreError;

/// The advisory lock appends take ("prax" "audit" in ASCII).
const APPEND_LOCK: i64 = 0x7072_6178_6175_6474;

/// The `admin_audit` table.
pub struct PgAdminAudit(pub Database);

fn entry(row: &tokio_postgres::Row) -> Entry {
    Entry {
        seq: row.get(0),
        at: row.get(1),
        actor: row.get(2),
        actor_name: row.get(3),
        source: row.get(4),
        action: row.get(5),
        target: row.get(6),
        before: row.get(7),
        after: row.get(8),
        prev_hash: row.get(9),
        hash: row.get(10),
    }
}

impl AdminAuditStore for PgAdminAudit {
    fn append(&self, change: &Change, at: &str) -> Result<Entry, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])
                .await
                .map_err(sql)?;
            let last = tx
                .query_opt(
                    "SELECT seq, hash FROM admin_audit ORDER BY seq DESC LIMIT 1",
                    &[],
                )
                .await
                .map_err(sql)?;
            let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |row| {
                (row.get::<_, i64>(0) + 1, row.get::<_, String>(1))
            });
            let entry = Entry::chained(change, seq, at, &prev);
            tx.execute(
                &format!(
                    "INSERT INTO admin_audit ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ),
                &[
                    &entry.seq,
                    &entry.at,
                    &entry.actor,
                    &entry.actor_name,
                    &entry.source,
                    &entry.action,
                    &entry.target,
                    &entry.before,
                    &entry.after,
                    &entry.prev_hash,
                    &entry.hash,
                ],
            )
            .await
            .map_err(sql)?;
            tx.commit().await.map_err(sql)?;
            Ok(entry)
        })
    }

    fn page(
        &self,
        filter: &Filter,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<Entry>, u64), StoreError> {
        let (clause, values) = filter.to_sql(|n| format!("${n}"));
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            let total: i64 = client
                .query_one(&format!("SELECT COUNT(*) FROM admin_audit{clause}"), &params)
                .await
                .map_err(sql)?
                .get(0);
            let rows = client
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM admin_audit{clause} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"
                    ),
                    &params,
                )
                .await
                .map_err(sql)?;
            Ok((rows.iter().map(entry).collect(), total.max(0) as u64))
        })
    }

    fn all(&self) -> Result<Vec<Entry>, StoreError> {
        let db = &self.0;
        db.run(async {
            let rows = db
                .client()
                .await?
                .query(
                    &format!("SELECT {COLUMNS} FROM admin_audit ORDER BY seq"),
                    &[],
                )
                .await
                .map_err(sql)?;
            Ok(rows.iter().map(entry).collect())
        })
    }
}
