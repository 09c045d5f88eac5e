//! The analytics API, as the Python original served it (`/api/v1/analytics` with `limit`,
//! `offset`, `task_type` → `total_matches`, `limit`, `offset`, `data`; the three aggregates),
//! plus filters by provider, status, API key and date range, one record by request id,
//! latency percentiles, error rate and skill usage. The aggregates live in `aggregates.rs`,
//! export in `export.rs`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::auth::Role;
use crate::store::AuditLog;
use crate::store::query::parse_day;
use crate::store::{AnalyticsFilter, AuditRecord, RecordStatus, TaskKind};

/// What an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub enum ExportFormat {
    /// `text/csv`, a header line then one line per record.
    #[serde(rename = "csv")]
    Csv,
    /// `application/x-ndjson`, one JSON object per line.
    #[serde(rename = "jsonl")]
    JsonLines,
}

/// Query parameters of the analytics endpoints: the filters every one takes (documented here),
/// and what some add (documented with those routes). Dates are `YYYY-MM-DD`, inclusive.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AnalyticsParams {
    /// Records per page, 1 to 500 (default 50): listed by the routes that page.
    #[param(ignore)]
    pub limit: Option<String>,
    /// Records to skip (default 0): listed by the routes that page.
    #[param(ignore)]
    pub offset: Option<String>,
    /// Only this task type.
    pub task_type: Option<String>,
    /// Only this provider (or `skill:<name>`).
    pub provider: Option<String>,
    /// `success` or `error`.
    #[param(value_type = Option<RecordStatus>)]
    pub status: Option<String>,
    /// Only requests made with this API key id.
    pub api_key_id: Option<String>,
    /// `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`.
    #[param(value_type = Option<TaskKind>)]
    pub kind: Option<String>,
    /// From this day (UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub start_date: Option<String>,
    /// Up to and including this day (UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub end_date: Option<String>,
    /// `day`, `month` or `year` (tasks-over-time only; default day).
    #[param(ignore)]
    pub granularity: Option<String>,
    /// `csv` or `jsonl` (export only; default jsonl).
    #[param(ignore)]
    pub format: Option<String>,
}

impl AnalyticsParams {
    /// The record filter these parameters describe: a 400 naming the parameter for a date
    /// that is not a day or a status that is not one.
    pub fn filter(&self) -> Result<AnalyticsFilter, ApiError> {
        let bad = |problem: String| ApiError::new(StatusCode::BAD_REQUEST, problem);
        let day = |name: &str, value: &Option<String>| match value {
            None => Ok(None),
            Some(text) => parse_day(text)
                .map(Some)
                .ok_or_else(|| bad(format!("Invalid {name} '{text}': use YYYY-MM-DD."))),
        };
        let status = match &self.status {
            None => None,
            Some(text) => Some(RecordStatus::parse(text).ok_or_else(|| {
                bad(format!(
                    "Invalid status '{text}': use 'success' or 'error'."
                ))
            })?),
        };
        let kind = match &self.kind {
            None => None,
            Some(text) => Some(TaskKind::parse(text).ok_or_else(|| {
                bad(format!(
                    "Invalid kind '{text}': use 'skill', 'llm', 'openai', 'mcp' or 'unknown'."
                ))
            })?),
        };
        Ok(AnalyticsFilter {
            task_type: self.task_type.clone(),
            provider: self.provider.clone(),
            status,
            api_key_id: self.api_key_id.clone(),
            kind,
            start_date: day("start_date", &self.start_date)?,
            end_date: day("end_date", &self.end_date)?,
        })
    }
}

/// FastAPI's 422 for a query integer out of range or not an integer.
fn bounded(
    name: &'static str,
    raw: Option<&str>,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ApiError> {
    let Some(raw) = raw else { return Ok(default) };
    let issue = |kind: &'static str, msg: String, ctx: Option<serde_json::Value>| {
        ApiError::validation(vec![ValidationIssue {
            kind,
            loc: vec!["query".into(), name.into()],
            msg,
            input: json!(raw),
            ctx,
        }])
    };
    let value: u64 = raw.parse().map_err(|_| {
        issue(
            "int_parsing",
            "Input should be a valid integer, unable to parse string as an integer".into(),
            None,
        )
    })?;
    if value < min {
        return Err(issue(
            "greater_than_equal",
            format!("Input should be greater than or equal to {min}"),
            Some(json!({"ge": min})),
        ));
    }
    if value > max {
        return Err(issue(
            "less_than_equal",
            format!("Input should be less than or equal to {max}"),
            Some(json!({"le": max})),
        ));
    }
    Ok(value)
}

pub(super) fn store_error(error: crate::store::StoreError) -> ApiError {
    tracing::error!(%error, "analytics query failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Could not retrieve analytics data.",
    )
}

/// A page of audit records.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyticsPage {
    /// Records matching the filters, in all.
    pub total_matches: u64,
    /// The page size used.
    pub limit: u32,
    /// The offset used.
    pub offset: u64,
    /// The records, newest first.
    pub data: Vec<AuditRecord>,
}

/// Audit records, newest first, filtered and paged.
#[utoipa::path(get, path = "/api/v1/analytics", tag = "analytics",
    params(AnalyticsParams,
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Records per page (default 50)"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Records to skip (default 0)")),
    responses(
        (status = 200, description = "A page of records", body = AnalyticsPage),
        (status = 400, description = "A filter value is malformed", body = ErrorBody),
        (status = 422, description = "limit or offset out of range", body = ValidationErrorBody),
    ))]
pub async fn list(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<AnalyticsPage>, ApiError> {
    let limit = bounded("limit", params.limit.as_deref(), 50, 1, 500)? as u32;
    let offset = bounded("offset", params.offset.as_deref(), 0, 0, i64::MAX as u64)?;
    let filter = params.filter()?;
    let page = audit
        .query(move |q| q.list(&filter, limit, offset))
        .await
        .map_err(store_error)?;
    Ok(Json(AnalyticsPage {
        total_matches: page.total_matches,
        limit,
        offset,
        data: page.data,
    }))
}

/// One audit record.
#[utoipa::path(get, path = "/api/v1/analytics/{request_id}", tag = "analytics",
    params(("request_id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The record", body = AuditRecord),
        (status = 404, description = "No record for that id", body = ErrorBody),
    ))]
pub async fn one(
    State(audit): State<AuditLog>,
    Path(request_id): Path<String>,
) -> Result<Json<AuditRecord>, ApiError> {
    let id = request_id.clone();
    audit
        .query(move |q| q.get(&id))
        .await
        .map_err(store_error)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No audit record for request '{request_id}'.")))
}

/// The audit log's records, for operators (the aggregates are in `aggregates.rs`).
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::Operator, routes!(list))
        .role(Role::Operator, routes!(one))
}
