//! `GET /api/v1/analytics/export`: the filtered audit records as CSV or JSON Lines, streamed
//! from a blocking reader through a small channel, so the whole table is never in memory.

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::analytics::{AnalyticsParams, ExportFormat};
use super::error::{ApiError, ErrorBody};
use crate::auth::Role;
use crate::config::AuditConfig;
use crate::store::AuditLog;
use crate::store::AuditRecord;

const CSV_COLUMNS: [&str; 18] = [
    "id",
    "request_id",
    "timestamp",
    "task_type",
    "kind",
    "provider",
    "skill_version",
    "attempts",
    "status",
    "http_status",
    "latency_ms",
    "prompt",
    "response_data",
    "prompt_bytes",
    "response_bytes",
    "api_key_id",
    "client_addr",
    "api_key_name",
];

fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(fields.iter().map(|field| match neutralise_formula(field) {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }));
    writer.into_inner().unwrap_or_default()
}

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, as OWASP recommends for CSV exports, so a prompt such
/// as `=HYPERLINK(...)` stays text when an operator opens the file.
fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn csv_fields(r: &AuditRecord) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        r.id.to_string(),
        r.request_id.clone(),
        r.timestamp.clone(),
        r.task_type.clone(),
        r.kind.as_str().to_owned(),
        opt(&r.provider),
        opt(&r.skill_version),
        r.attempts
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        r.status.as_str().to_owned(),
        r.http_status.to_string(),
        r.latency_ms.to_string(),
        opt(&r.prompt),
        opt(&r.response_data),
        r.prompt_bytes.to_string(),
        r.response_bytes.to_string(),
        opt(&r.api_key_id),
        opt(&r.client_addr),
        opt(&r.api_key_name),
    ]
}

/// The filtered records, oldest first, as CSV or JSON Lines, streamed as they are read.
#[utoipa::path(get, path = "/api/v1/analytics/export", tag = "analytics",
    params(AnalyticsParams,
        ("format" = Option<ExportFormat>, Query, description = "`csv` or `jsonl` (default jsonl)")),
    responses((status = 200, description = "CSV (`format=csv`) or JSON Lines (`format=jsonl`)",
               content((String = "text/csv"), (String = "application/x-ndjson"))),
              (status = 400, description = "Unknown format or malformed filter", body = ErrorBody)))]
pub async fn export(
    State(audit): State<AuditLog>,
    State(config): State<Arc<AuditConfig>>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Response, ApiError> {
    let format = match params.format.as_deref().unwrap_or("jsonl") {
        "csv" => ExportFormat::Csv,
        "jsonl" => ExportFormat::JsonLines,
        other => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("Invalid format '{other}': use 'csv' or 'jsonl'."),
            ));
        }
    };
    let csv = format == ExportFormat::Csv;
    let filter = params.filter()?;
    // A small channel: the reader runs only as fast as the client takes the data.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    audit.settle("an export").await;
    let queries = audit.queries.clone();
    let stall = Duration::from_millis(config.export_stall_timeout_ms);
    let runtime = tokio::runtime::Handle::current();
    // Each chunk waits at most `stall` for the client to take the previous ones; then the
    // export stops and the reader thread is free again.
    let send = move |chunk: Vec<u8>| match runtime
        .block_on(tokio::time::timeout(stall, tx.send(Bytes::from(chunk))))
    {
        Ok(sent) => sent.is_ok(),
        Err(_) => {
            tracing::warn!(
                stall_ms = stall.as_millis() as u64,
                "export stopped: the client took no data for the stall timeout"
            );
            false
        }
    };
    tokio::task::spawn_blocking(move || {
        if csv && !send(csv_line(&CSV_COLUMNS.map(String::from))) {
            return;
        }
        let result = queries.each_record(&filter, &mut |record| {
            let line = if csv {
                csv_line(&csv_fields(&record))
            } else {
                let mut line = serde_json::to_vec(&record).unwrap_or_default();
                line.push(b'\n');
                line
            };
            send(line)
        });
        if let Err(error) = result {
            tracing::error!(%error, "export stopped early");
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx).map(|chunk| chunk.map(Ok::<_, Infallible>))
    });
    let (content_type, name) = if csv {
        ("text/csv; charset=utf-8", "audit.csv")
    } else {
        ("application/x-ndjson", "audit.jsonl")
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// `/api/v1/analytics/export`, for operators.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::Operator, routes!(export))
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(formula), format!("'{formula}"));
        }
        for text in ["hello", "1-1", "a=b", ""] {
            assert_eq!(neutralise_formula(text), text);
        }
    }
}
