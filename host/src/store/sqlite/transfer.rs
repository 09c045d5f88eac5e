//! SQLite's side of `prax store copy`.

use rusqlite::{Connection, params};

use super::sql;
use crate::store::StoreError;
use crate::store::copy::{Dialect, Dump, Load, RollupRow, TABLES, TextRow, TextTable};
use crate::store::record::{AuditRecord, StreamOutcome};

/// A connection used for bulk copying.
pub struct SqliteBulk(pub Connection);

impl Dump for SqliteBulk {
    fn secrets(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .0
            .prepare("SELECT name, value FROM installation_secrets ORDER BY name")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    fn rollups(&self) -> Result<Vec<RollupRow>, StoreError> {
        let mut stmt = self
            .0
            .prepare(
                "SELECT day, task_type, kind, provider, status, api_key_id, requests, latency_sum, latency_hist \
                 FROM audit_daily ORDER BY day, task_type, kind, provider, status, api_key_id",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RollupRow {
                    day: r.get(0)?,
                    task_type: r.get(1)?,
                    kind: r.get(2)?,
                    provider: r.get(3)?,
                    status: r.get(4)?,
                    api_key_id: r.get(5)?,
                    requests: r.get(6)?,
                    latency_sum: r.get(7)?,
                    latency_hist: r.get(8)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    fn text_rows(&self, table: &TextTable) -> Result<Vec<TextRow>, StoreError> {
        let mut stmt = self
            .0
            .prepare(&table.select(Dialect::Sqlite))
            .map_err(sql)?;
        let width = table.columns.len();
        let rows = stmt
            .query_map([], |r| (0..width).map(|i| r.get(i)).collect())
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        TABLES
            .iter()
            .map(|table| {
                self.0
                    .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                    .map(|n| (*table, n))
                    .map_err(sql)
            })
            .collect()
    }
}

impl Load for SqliteBulk {
    fn load_secrets(&mut self, secrets: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let tx = self.0.transaction().map_err(sql)?;
        for (name, value) in secrets {
            tx.execute(
                "INSERT INTO installation_secrets (name, value) VALUES (?1, ?2)",
                params![name, value],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    fn load_rollups(&mut self, rows: &[RollupRow]) -> Result<(), StoreError> {
        let tx = self.0.transaction().map_err(sql)?;
        for r in rows {
            tx.execute(
                "INSERT INTO audit_daily (day, task_type, kind, provider, status, api_key_id, requests, latency_sum, latency_hist) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![r.day, r.task_type, r.kind, r.provider, r.status, r.api_key_id, r.requests, r.latency_sum, r.latency_hist],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    fn load_text_rows(&mut self, table: &TextTable, rows: &[TextRow]) -> Result<(), StoreError> {
        let placeholders: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| table.from_text(Dialect::Sqlite, column, &format!("?{}", i + 1)))
            .collect();
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name,
            table.columns.join(", "),
            placeholders.join(", ")
        );
        let tx = self.0.transaction().map_err(sql)?;
        {
            let mut stmt = tx.prepare(&insert).map_err(sql)?;
            for row in rows {
                stmt.execute(rusqlite::params_from_iter(row.iter()))
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    fn load_records(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let tx = self.0.transaction().map_err(sql)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO audit_records (id, request_id, ts, day, task_type, kind, provider, skill_version, \
                     attempts, status, http_status, latency_ms, prompt, response_data, prompt_bytes, response_bytes, \
                     api_key_id, client_addr, api_key_name, stream_outcome, ttft_ms, input_tokens, output_tokens, \
                     tokens_estimated, delivered) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
                     ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
                )
                .map_err(sql)?;
            for r in records {
                insert
                    .execute(params![
                        r.id,
                        r.request_id,
                        r.timestamp,
                        &r.timestamp[..10.min(r.timestamp.len())],
                        r.task_type,
                        r.kind.as_str(),
                        r.provider,
                        r.skill_version,
                        r.attempts.as_ref().map(ToString::to_string),
                        r.status.as_str(),
                        r.http_status,
                        r.latency_ms as i64,
                        r.prompt,
                        r.response_data,
                        r.prompt_bytes as i64,
                        r.response_bytes as i64,
                        r.api_key_id,
                        r.client_addr,
                        r.api_key_name,
                        r.stream_outcome.map(StreamOutcome::as_str),
                        r.time_to_first_token_ms.map(|ms| ms as i64),
                        r.input_tokens,
                        r.output_tokens,
                        r.tokens_estimated,
                        r.delivered,
                    ])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        let tx = self.0.transaction().map_err(sql)?;
        for table in TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}
