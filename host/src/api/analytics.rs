//! The analytics API, as the Python original served it (`/api/v1/analytics` with `limit`,
//! `offset`, `task_type` → `total_matches`, `limit`, `offset`, `data`; the three aggregates),
//! plus filters by provider, status, API key and date range, one record by request id,
//! latency percentiles, error rate and skill usage. Export lives in `export.rs`.
//! Aggregates read the daily roll-ups, never the whole log.

use std::collections::BTreeMap;

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
use crate::store::{AnalyticsFilter, AuditRecord, ProviderStats, TimeBucket};

/// Query parameters shared by the analytics endpoints. Dates are `YYYY-MM-DD`, inclusive.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AnalyticsParams {
    /// Records per page, 1 to 500 (default 50).
    pub limit: Option<String>,
    /// Records to skip (default 0).
    pub offset: Option<String>,
    /// Only this task type.
    pub task_type: Option<String>,
    /// Only this provider (or `skill:<name>`).
    pub provider: Option<String>,
    /// `success` or `error`.
    pub status: Option<String>,
    /// Only requests made with this API key id.
    pub api_key_id: Option<String>,
    /// From this day (UTC).
    pub start_date: Option<String>,
    /// Up to and including this day (UTC).
    pub end_date: Option<String>,
    /// `day`, `month` or `year` (tasks-over-time only; default day).
    pub granularity: Option<String>,
    /// `csv` or `jsonl` (export only; default jsonl).
    pub format: Option<String>,
}

impl AnalyticsParams {
    /// The record filter these parameters describe, validated.
    pub fn filter(&self) -> Result<AnalyticsFilter, ApiError> {
        let filter = AnalyticsFilter {
            task_type: self.task_type.clone(),
            provider: self.provider.clone(),
            status: self.status.clone(),
            api_key_id: self.api_key_id.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
        };
        filter
            .validate()
            .map_err(|problem| ApiError::new(StatusCode::BAD_REQUEST, problem))?;
        Ok(filter)
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
            loc: vec![json!("query"), json!(name)],
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

fn store_error(error: crate::store::StoreError) -> ApiError {
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
#[utoipa::path(get, path = "/api/v1/analytics", tag = "analytics", params(AnalyticsParams),
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

/// Requests per day, month or year.
#[utoipa::path(get, path = "/api/v1/analytics/tasks-over-time", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "`data`: `[{date_group, count}]`", body = Object),
              (status = 400, description = "Invalid granularity or date", body = ErrorBody)))]
pub async fn tasks_over_time(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let bucket = match params.granularity.as_deref().unwrap_or("day") {
        "day" => TimeBucket::Day,
        "month" => TimeBucket::Month,
        "year" => TimeBucket::Year,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Invalid granularity. Must be 'day', 'month', or 'year'.",
            ));
        }
    };
    let filter = params.filter()?;
    let rows = audit
        .query(move |q| q.tasks_over_time(&filter, bucket))
        .await
        .map_err(store_error)?;
    let data: Vec<_> = rows
        .into_iter()
        .map(|(date_group, count)| json!({"date_group": date_group, "count": count}))
        .collect();
    Ok(Json(json!({ "data": data })))
}

async fn provider_stats(
    audit: &AuditLog,
    params: &AnalyticsParams,
) -> Result<Vec<ProviderStats>, ApiError> {
    let filter = params.filter()?;
    let rows = audit
        .query(move |q| q.usage(&filter))
        .await
        .map_err(store_error)?;
    Ok(crate::store::rollup::per_provider(&rows))
}

/// Requests per provider (skills appear as `skill:<name>`).
#[utoipa::path(get, path = "/api/v1/analytics/requests-per-provider", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "`data`: `[{provider_name, count}]`", body = Object)))]
pub async fn requests_per_provider(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let stats = provider_stats(&audit, &params).await?;
    let data: Vec<_> = stats
        .iter()
        .map(|s| json!({"provider_name": s.provider_name, "count": s.count}))
        .collect();
    Ok(Json(json!({ "data": data })))
}

/// Mean latency per provider.
#[utoipa::path(get, path = "/api/v1/analytics/average-latency-per-provider", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "`data`: `[{provider_name, average_latency}]`", body = Object)))]
pub async fn average_latency_per_provider(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let stats = provider_stats(&audit, &params).await?;
    let data: Vec<_> = stats
        .iter()
        .map(|s| json!({"provider_name": s.provider_name, "average_latency": s.average_latency}))
        .collect();
    Ok(Json(json!({ "data": data })))
}

/// Per provider: requests, mean, p50 and p95 latency (bucket estimates), error rate.
#[utoipa::path(get, path = "/api/v1/analytics/latency-per-provider", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "`data`: per-provider statistics", body = Object)))]
pub async fn latency_per_provider(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let stats = provider_stats(&audit, &params).await?;
    Ok(Json(json!({ "data": stats })))
}

/// Overall totals, error rate, status breakdown and skill usage counts.
#[utoipa::path(get, path = "/api/v1/analytics/summary", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "Totals and breakdowns", body = Object)))]
pub async fn summary(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filter = params.filter()?;
    let rows = audit
        .query(move |q| q.usage(&filter))
        .await
        .map_err(store_error)?;
    let total: u64 = rows.iter().map(|r| r.requests).sum();
    let errors: u64 = rows
        .iter()
        .filter(|r| r.status != "success")
        .map(|r| r.requests)
        .sum();
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    let mut skills: BTreeMap<&str, u64> = BTreeMap::new();
    let mut hist = crate::store::rollup::LatencyHistogram::default();
    for r in &rows {
        *by_status.entry(&r.status).or_default() += r.requests;
        if r.kind == "skill" {
            *skills.entry(&r.task_type).or_default() += r.requests;
        }
        hist.merge(&r.histogram);
    }
    Ok(Json(json!({
        "total_requests": total,
        "errors": errors,
        "error_rate": if total == 0 { 0.0 } else { errors as f64 / total as f64 },
        "latency_p50_ms": hist.quantile(0.5),
        "latency_p95_ms": hist.quantile(0.95),
        "by_status": by_status,
        "skill_usage": skills.into_iter().map(|(skill, count)| json!({"skill": skill, "count": count})).collect::<Vec<_>>(),
    })))
}

/// The audit log and its aggregates, for operators.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::Operator, routes!(list))
        .role(Role::Operator, routes!(one))
        .role(Role::Operator, routes!(tasks_over_time))
        .role(Role::Operator, routes!(requests_per_provider))
        .role(Role::Operator, routes!(average_latency_per_provider))
        .role(Role::Operator, routes!(latency_per_provider))
        .role(Role::Operator, routes!(summary))
}
