//! The SQLite audit log: one writer connection (owned by the group-commit thread) and one
//! reader connection for queries.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::sql;
use crate::store::query::{
    AnalyticsFilter, Page, Placeholder, filter_clause, scan_in_batches, scan_query,
};
use crate::store::record::{AuditRecord, RecordStatus, StreamOutcome, TaskKind};
use crate::store::rollup::{LatencyHistogram, TimeBucket, UsageRow};
use crate::store::{AuditQueries, AuditWrites, StoreError};

/// The writer side.
pub struct SqliteWrites(pub Connection);

impl AuditWrites for SqliteWrites {
    fn write_batch(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let tx = self.0.transaction().map_err(sql)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO audit_records (request_id, ts, day, task_type, kind, provider, skill_version, \
                     attempts, status, http_status, latency_ms, prompt, response_data, prompt_bytes, response_bytes, \
                     api_key_id, client_addr, api_key_name, stream_outcome, ttft_ms, input_tokens, output_tokens, \
                     tokens_estimated, delivered) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                     ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24) ON CONFLICT (request_id) DO NOTHING",
                )
                .map_err(sql)?;
            let mut rollup_read = tx
                .prepare_cached(
                    "SELECT latency_hist FROM audit_daily WHERE day = ?1 AND task_type = ?2 AND kind = ?3 \
                     AND provider = ?4 AND status = ?5 AND api_key_id = ?6",
                )
                .map_err(sql)?;
            let mut rollup_write = tx
                .prepare_cached(
                    "INSERT INTO audit_daily (day, task_type, kind, provider, status, api_key_id, requests, latency_sum, latency_hist) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                     ON CONFLICT (day, task_type, kind, provider, status, api_key_id) DO UPDATE SET \
                     requests = requests + ?7, latency_sum = latency_sum + ?8, latency_hist = ?9",
                )
                .map_err(sql)?;
            // Roll-ups are summed per key over the batch first: one read and one upsert per
            // key instead of per record.
            type RollupKey<'a> = (&'a str, &'a str, &'a str, String, &'a str, &'a str);
            let mut rollups: std::collections::HashMap<
                RollupKey<'_>,
                (i64, i64, LatencyHistogram),
            > = std::collections::HashMap::new();
            for r in records {
                let day = &r.timestamp[..10.min(r.timestamp.len())];
                let attempts = r.attempts.as_ref().map(ToString::to_string);
                let inserted = insert
                    .execute(params![
                        r.request_id,
                        r.timestamp,
                        day,
                        r.task_type,
                        r.kind.as_str(),
                        r.provider,
                        r.skill_version,
                        attempts,
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
                if inserted == 0 {
                    // Stored before (a journal moved again after a crash): counted already.
                    continue;
                }
                let key = (
                    day,
                    r.task_type.as_str(),
                    r.kind.as_str(),
                    r.provider.clone().unwrap_or_default(),
                    r.status.as_str(),
                    r.api_key_id.as_deref().unwrap_or_default(),
                );
                let entry = rollups.entry(key).or_default();
                entry.0 += 1;
                entry.1 += r.latency_ms as i64;
                entry.2.add(r.latency_ms);
            }
            for (
                (day, task_type, kind, provider, status, api_key_id),
                (requests, latency_sum, batch_hist),
            ) in rollups
            {
                let key = params![day, task_type, kind, provider, status, api_key_id];
                let existing: Option<String> = rollup_read
                    .query_row(key, |row| row.get(0))
                    .optional()
                    .map_err(sql)?;
                let mut hist = existing
                    .map_or_else(LatencyHistogram::default, |h| LatencyHistogram::parse(&h));
                hist.merge(&batch_hist);
                rollup_write
                    .execute(params![
                        day,
                        task_type,
                        kind,
                        provider,
                        status,
                        api_key_id,
                        requests,
                        latency_sum,
                        hist.to_json()
                    ])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    fn purge_records_before(&mut self, day: &str, batch: usize) -> Result<usize, StoreError> {
        // `ts` begins with the record's day: `ts < day` is exactly the days before `day`.
        self.0
            .execute(
                "DELETE FROM audit_records WHERE id IN (SELECT id FROM audit_records WHERE ts < ?1 LIMIT ?2)",
                params![day, batch as i64],
            )
            .map_err(sql)
    }

    fn purge_rollups_before(&mut self, day: &str) -> Result<usize, StoreError> {
        self.0
            .execute("DELETE FROM audit_daily WHERE day < ?1", params![day])
            .map_err(sql)
    }
}

/// The reader side.
pub struct SqliteQueries(pub std::sync::Mutex<Connection>);

const COLUMNS: &str = "id, request_id, ts, task_type, kind, provider, skill_version, attempts, status, http_status, \
                       latency_ms, prompt, response_data, prompt_bytes, response_bytes, api_key_id, client_addr, api_key_name, \
                       stream_outcome, ttft_ms, input_tokens, output_tokens, tokens_estimated, delivered";

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    let kind: String = row.get(4)?;
    let attempts: Option<String> = row.get(7)?;
    Ok(AuditRecord {
        id: row.get(0)?,
        request_id: row.get(1)?,
        timestamp: row.get(2)?,
        task_type: row.get(3)?,
        kind: TaskKind::from_stored(&kind),
        provider: row.get(5)?,
        skill_version: row.get(6)?,
        attempts: attempts.and_then(|a| serde_json::from_str(&a).ok()),
        status: RecordStatus::from_stored(&row.get::<_, String>(8)?),
        http_status: row.get(9)?,
        latency_ms: row.get::<_, i64>(10)? as u64,
        prompt: row.get(11)?,
        response_data: row.get(12)?,
        prompt_bytes: row.get::<_, i64>(13)? as u64,
        response_bytes: row.get::<_, i64>(14)? as u64,
        api_key_id: row.get(15)?,
        client_addr: row.get(16)?,
        api_key_name: row.get(17)?,
        stream_outcome: row
            .get::<_, Option<String>>(18)?
            .as_deref()
            .and_then(StreamOutcome::from_stored),
        time_to_first_token_ms: row.get::<_, Option<i64>>(19)?.map(|ms| ms as u64),
        input_tokens: row.get(20)?,
        output_tokens: row.get(21)?,
        tokens_estimated: row.get(22)?,
        delivered: row.get(23)?,
    })
}

impl SqliteQueries {
    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `WHERE` clause and parameters for the filter, in SQLite's `?N` placeholders.
fn record_filter(filter: &AnalyticsFilter) -> (String, Vec<String>) {
    filter_clause(filter, Placeholder::Sqlite)
}

impl AuditQueries for SqliteQueries {
    fn list(&self, filter: &AnalyticsFilter, limit: u32, offset: u64) -> Result<Page, StoreError> {
        let conn = self.conn();
        let (clause, values) = record_filter(filter);
        let total: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM audit_records{clause}"),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )
            .map_err(sql)?;
        let mut stmt = conn
            .prepare(&format!("SELECT {COLUMNS} FROM audit_records{clause} ORDER BY ts DESC, id DESC LIMIT {limit} OFFSET {offset}"))
            .map_err(sql)?;
        let data = stmt
            .query_map(params_from_iter(values.iter()), row_to_record)
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        Ok(Page {
            total_matches: total as u64,
            data,
        })
    }

    fn get(&self, request_id: &str) -> Result<Option<AuditRecord>, StoreError> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM audit_records WHERE request_id = ?1"),
                params![request_id],
                row_to_record,
            )
            .optional()
            .map_err(sql)
    }

    fn each_record(
        &self,
        filter: &AnalyticsFilter,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), StoreError> {
        let (text, values) = scan_query(COLUMNS, filter, Placeholder::Sqlite);
        let mut values: Vec<rusqlite::types::Value> = values
            .into_iter()
            .map(rusqlite::types::Value::Text)
            .collect();
        let filter_len = values.len();
        scan_in_batches(
            |ts, id| {
                values.truncate(filter_len);
                values.push(rusqlite::types::Value::Text(ts.to_owned()));
                values.push(rusqlite::types::Value::Integer(id));
                let conn = self.conn();
                let mut stmt = conn.prepare_cached(&text).map_err(sql)?;
                let rows = stmt
                    .query_map(params_from_iter(values.iter()), row_to_record)
                    .map_err(sql)?;
                rows.collect::<Result<_, _>>().map_err(sql)
            },
            visit,
        )
    }

    fn tasks_over_time(
        &self,
        filter: &AnalyticsFilter,
        bucket: TimeBucket,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let conn = self.conn();
        let (clause, values) = record_filter(filter);
        let len = bucket.prefix_len();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT substr(day, 1, {len}) AS bucket, SUM(requests) FROM audit_daily{clause} GROUP BY bucket ORDER BY bucket"
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map(params_from_iter(values.iter()), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        Ok(rows)
    }

    fn usage(&self, filter: &AnalyticsFilter) -> Result<Vec<UsageRow>, StoreError> {
        let conn = self.conn();
        let (clause, values) = record_filter(filter);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT kind, task_type, provider, status, requests, latency_sum, latency_hist FROM audit_daily{clause}"
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map(params_from_iter(values.iter()), |r| {
                Ok(UsageRow {
                    kind: TaskKind::from_stored(&r.get::<_, String>(0)?),
                    task_type: r.get(1)?,
                    provider: r.get(2)?,
                    status: RecordStatus::from_stored(&r.get::<_, String>(3)?),
                    requests: r.get::<_, i64>(4)? as u64,
                    latency_sum: r.get::<_, i64>(5)? as u64,
                    histogram: LatencyHistogram::parse(&r.get::<_, String>(6)?),
                })
            })
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        Ok(rows)
    }
}
