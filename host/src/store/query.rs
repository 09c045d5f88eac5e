//! Filters for the analytics endpoints, typed: a filter that exists is a valid one.

use serde::Serialize;
use time::Date;

use super::record::{AuditRecord, RecordStatus, TaskKind};

/// Which records an analytics query covers. Dates are inclusive, UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyticsFilter {
    /// Only this task type.
    pub task_type: Option<String>,
    /// Only this provider (or `skill:<name>`).
    pub provider: Option<String>,
    /// Only successes or only errors.
    pub status: Option<RecordStatus>,
    /// Only requests made with this API key id.
    pub api_key_id: Option<String>,
    /// Only what this served: skills, LLM routes, or the OpenAI-compatible API (the ingress).
    pub kind: Option<TaskKind>,
    /// From this day.
    pub start_date: Option<Date>,
    /// Up to and including this day.
    pub end_date: Option<Date>,
}

/// A day as the API and the store write it: `YYYY-MM-DD`.
pub const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// `YYYY-MM-DD`, a day that exists (`2025-02-31` does not).
pub fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, DAY_FORMAT).ok()
}

/// `day` as `YYYY-MM-DD`.
pub fn format_day(day: Date) -> String {
    day.format(DAY_FORMAT).unwrap_or_else(|_| day.to_string())
}

/// One page of records.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Records matching the filter, in all.
    pub total_matches: u64,
    /// This page.
    pub data: Vec<AuditRecord>,
}

/// How a backend's SQL numbers its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// SQLite's `?1`.
    Sqlite,
    /// PostgreSQL's `$1`.
    Postgres,
}

impl Placeholder {
    /// The placeholder of parameter `index` (from 1).
    pub fn at(self, index: usize) -> String {
        match self {
            Self::Sqlite => format!("?{index}"),
            Self::Postgres => format!("${index}"),
        }
    }
}

/// The `WHERE` clause (empty, or starting with a space) and its text parameters for `filter`;
/// records and roll-ups both have its columns.
pub fn filter_clause(filter: &AnalyticsFilter, placeholder: Placeholder) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    let mut add = |column: &str, operator: &str, value: Option<String>| {
        if let Some(v) = value {
            values.push(v);
            clauses.push(format!(
                "{column} {operator} {}",
                placeholder.at(values.len())
            ));
        }
    };
    add("task_type", "=", filter.task_type.clone());
    add("provider", "=", filter.provider.clone());
    add("status", "=", filter.status.map(|s| s.as_str().to_owned()));
    add("api_key_id", "=", filter.api_key_id.clone());
    add("kind", "=", filter.kind.map(|k| k.as_str().to_owned()));
    add("day", ">=", filter.start_date.map(format_day));
    add("day", "<=", filter.end_date.map(format_day));
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (clause, values)
}

/// Records an export reads per query.
pub const SCAN_BATCH: usize = 500;

/// Visit every record in (ts, id) order, reading [`SCAN_BATCH`] at a time with
/// `fetch(after_ts, after_id)` (the next batch after that point), until `visit` returns false.
/// Each batch is visited with no query open, so a slow export client never holds a
/// connection, nor keeps a read transaction open (which would stop SQLite's checkpoints).
pub fn scan_in_batches(
    mut fetch: impl FnMut(&str, i64) -> Result<Vec<AuditRecord>, crate::store::StoreError>,
    visit: &mut dyn FnMut(AuditRecord) -> bool,
) -> Result<(), crate::store::StoreError> {
    let mut after = (String::new(), i64::MIN);
    loop {
        let batch = fetch(&after.0, after.1)?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = (last.timestamp.clone(), last.id);
        let full = batch.len() == SCAN_BATCH;
        for record in batch {
            if !visit(record) {
                return Ok(());
            }
        }
        if !full {
            return Ok(());
        }
    }
}

/// The text of a scan's query: `columns` of matching records after a (ts, id), in order.
pub fn scan_query(
    columns: &str,
    filter: &AnalyticsFilter,
    placeholder: Placeholder,
) -> (String, Vec<String>) {
    let (clause, values) = filter_clause(filter, placeholder);
    let resume = if clause.is_empty() { " WHERE" } else { " AND" };
    let text = format!(
        "SELECT {columns} FROM audit_records{clause}{resume} (ts, id) > ({}, {}) ORDER BY ts, id LIMIT {SCAN_BATCH}",
        placeholder.at(values.len() + 1),
        placeholder.at(values.len() + 2)
    );
    (text, values)
}
