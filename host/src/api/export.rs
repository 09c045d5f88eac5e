//! `GET /api/v1/analytics/export`: the filtered audit records as CSV or JSON Lines, streamed
//! from a blocking reader through a small channel, so the whole table is never in memory.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::analytics::{AnalyticsParams, ExportFormat};
use super::error::{ApiError, ErrorBody};
use crate::auth::Role;
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
    let _ = writer.write_record(fields);
    writer.into_inner().unwrap_or_default()
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
#[utoipa::path(get, path = "/api/v1/analytics/export", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "CSV (`format=csv`) or JSON Lines (`format=jsonl`)",
               content((String = "text/csv"), (String = "application/x-ndjson"))),
              (status = 400, description = "Unknown format or malformed filter", body = ErrorBody)))]
pub async fn export(
    State(audit): State<AuditLog>,
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
    let queries = audit.queries.clone();
    tokio::task::spawn_blocking(move || {
        if csv
            && tx
                .blocking_send(Bytes::from(csv_line(&CSV_COLUMNS.map(String::from))))
                .is_err()
        {
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
            tx.blocking_send(Bytes::from(line)).is_ok()
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
