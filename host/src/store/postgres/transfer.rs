//! PostgreSQL's side of `prax store copy`.

use tokio_postgres::types::ToSql;

use super::audit::{INSERT_RECORDS, RecordColumns};
use super::{Database, sql};
use crate::store::StoreError;
use crate::store::copy::{Dialect, Dump, Load, RollupRow, TABLES, TextRow, TextTable};
use crate::store::record::AuditRecord;

/// The database, used for bulk copying.
pub struct PgBulk(pub Database);

impl PgBulk {
    fn rows(&self, text: &str) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let db = &self.0;
        db.run(async { db.client().await?.query(text, &[]).await.map_err(sql) })
    }
}

impl Dump for PgBulk {
    fn secrets(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.rows("SELECT name, value FROM installation_secrets ORDER BY name")?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(sql)
    }

    fn rollups(&self) -> Result<Vec<RollupRow>, StoreError> {
        self.rows(
            "SELECT day, task_type, kind, provider, status, api_key_id, requests, latency_sum, latency_hist \
             FROM audit_daily ORDER BY day, task_type, kind, provider, status, api_key_id",
        )?
        .iter()
        .map(|r| {
            Ok(RollupRow {
                day: r.try_get(0)?,
                task_type: r.try_get(1)?,
                kind: r.try_get(2)?,
                provider: r.try_get(3)?,
                status: r.try_get(4)?,
                api_key_id: r.try_get(5)?,
                requests: r.try_get(6)?,
                latency_sum: r.try_get(7)?,
                latency_hist: r.try_get(8)?,
            })
        })
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(sql)
    }

    fn text_rows(&self, table: &TextTable) -> Result<Vec<TextRow>, StoreError> {
        self.rows(&table.select(Dialect::Postgres))?
            .iter()
            .map(|r| (0..table.columns.len()).map(|i| r.try_get(i)).collect())
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(sql)
    }

    fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        TABLES
            .iter()
            .map(|table| {
                let rows = self.rows(&format!("SELECT COUNT(*) FROM {table}"))?;
                Ok((*table, rows.first().map_or(0, |r| r.get(0))))
            })
            .collect()
    }
}

impl Load for PgBulk {
    fn load_secrets(&mut self, secrets: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let names: Vec<&str> = secrets.iter().map(|(n, _)| n.as_str()).collect();
        let values: Vec<&[u8]> = secrets.iter().map(|(_, v)| v.as_slice()).collect();
        let db = &self.0;
        db.run(async {
            db.client()
                .await?
                .execute(
                    "INSERT INTO installation_secrets (name, value) SELECT * FROM unnest($1::text[], $2::bytea[])",
                    &[&names, &values],
                )
                .await
                .map_err(sql)
        })
        .map(drop)
    }

    fn load_rollups(&mut self, rows: &[RollupRow]) -> Result<(), StoreError> {
        let text = |f: fn(&RollupRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        let (day, task_type, kind, provider, status, key, hist) = (
            text(|r| &r.day),
            text(|r| &r.task_type),
            text(|r| &r.kind),
            text(|r| &r.provider),
            text(|r| &r.status),
            text(|r| &r.api_key_id),
            text(|r| &r.latency_hist),
        );
        let requests: Vec<i64> = rows.iter().map(|r| r.requests).collect();
        let latency_sum: Vec<i64> = rows.iter().map(|r| r.latency_sum).collect();
        let db = &self.0;
        db.run(async {
            db.client()
                .await?
                .execute(
                    "INSERT INTO audit_daily (day, task_type, kind, provider, status, api_key_id, requests, latency_sum, latency_hist) \
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::int8[], $9::text[])",
                    &[&day, &task_type, &kind, &provider, &status, &key, &requests, &latency_sum, &hist],
                )
                .await
                .map_err(sql)
        })
        .map(drop)
    }

    fn load_text_rows(&mut self, table: &TextTable, rows: &[TextRow]) -> Result<(), StoreError> {
        // One array per column, unnested together: one statement for the whole table.
        let columns: Vec<Vec<Option<&str>>> = (0..table.columns.len())
            .map(|i| {
                rows.iter()
                    .map(|row| row.get(i).and_then(Option::as_deref))
                    .collect()
            })
            .collect();
        let arrays: Vec<String> = (1..=columns.len())
            .map(|i| format!("${i}::text[]"))
            .collect();
        let values: Vec<String> = table
            .columns
            .iter()
            .map(|column| table.from_text(Dialect::Postgres, column, column))
            .collect();
        let insert = format!(
            "INSERT INTO {name} ({columns}) SELECT {values} FROM unnest({arrays}) AS given ({columns})",
            name = table.name,
            columns = table.columns.join(", "),
            values = values.join(", "),
            arrays = arrays.join(", "),
        );
        let params: Vec<&(dyn ToSql + Sync)> = columns
            .iter()
            .map(|column| column as &(dyn ToSql + Sync))
            .collect();
        let db = &self.0;
        db.run(async {
            db.client()
                .await?
                .execute(&insert, &params)
                .await
                .map_err(sql)
        })
        .map(drop)
    }

    fn load_records(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut columns = RecordColumns::default();
        for r in records {
            columns.push(r);
        }
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        // The same statement the writer uses, with the ids as they were.
        let text = INSERT_RECORDS
            .replacen("(request_id,", "(id, request_id,", 1)
            .replacen("unnest($1::text[]", "unnest($25::int8[], $1::text[]", 1);
        let mut params: Vec<&(dyn ToSql + Sync)> = columns.params().to_vec();
        params.push(&ids);
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute(&text, &params).await.map_err(sql)?;
            // New records carry on after the copied ones.
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('audit_records', 'id'), (SELECT MAX(id) FROM audit_records))",
                &[],
            )
            .await
            .map_err(sql)?;
            tx.commit().await.map_err(sql)
        })
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        let db = &self.0;
        db.run(async {
            db.client()
                .await?
                .batch_execute(&format!("TRUNCATE {}", TABLES.join(", ")))
                .await
                .map_err(sql)
        })
    }
}
