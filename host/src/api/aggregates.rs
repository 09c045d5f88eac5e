//! The analytics aggregates, as the Python original served them (`{"data": [...]}`), plus
//! latency percentiles, error rate and skill usage. They read the daily roll-ups, never the
//! whole log.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::analytics::{AnalyticsParams, store_error};
use super::error::{ApiError, ErrorBody};
use crate::auth::Role;
use crate::store::rollup::{LatencyHistogram, per_provider};
use crate::store::{AuditLog, ProviderStats, RecordStatus, TaskKind, TimeBucket};

/// Requests in one day, month or year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DateCount {
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub date_group: String,
    /// Requests.
    pub count: u64,
}

/// `GET /api/v1/analytics/tasks-over-time`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TasksOverTime {
    /// One entry per period with requests, oldest first.
    pub data: Vec<DateCount>,
}

/// Requests served by one provider.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProviderCount {
    /// The provider, or `skill:<name>`.
    pub provider_name: String,
    /// Requests.
    pub count: u64,
}

/// `GET /api/v1/analytics/requests-per-provider`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestsPerProvider {
    /// One entry per provider.
    pub data: Vec<ProviderCount>,
}

/// Mean latency of one provider.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProviderLatency {
    /// The provider, or `skill:<name>`.
    pub provider_name: String,
    /// Mean latency, ms.
    pub average_latency: f64,
}

/// `GET /api/v1/analytics/average-latency-per-provider`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AverageLatencyPerProvider {
    /// One entry per provider.
    pub data: Vec<ProviderLatency>,
}

/// `GET /api/v1/analytics/latency-per-provider`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LatencyPerProvider {
    /// One entry per provider.
    pub data: Vec<ProviderStats>,
}

/// Requests of one skill.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SkillUsage {
    /// The skill.
    pub skill: String,
    /// Requests.
    pub count: u64,
}

/// `GET /api/v1/analytics/summary`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Requests in all.
    pub total_requests: u64,
    /// Requests that ended in an error.
    pub errors: u64,
    /// `errors / total_requests` (0 with no requests).
    pub error_rate: f64,
    /// Median latency estimate, ms (upper bound of its histogram bucket).
    #[schema(required = true)]
    pub latency_p50_ms: Option<u64>,
    /// 95th percentile latency estimate, ms.
    #[schema(required = true)]
    pub latency_p95_ms: Option<u64>,
    /// Requests by how they ended (`success`, `error`).
    pub by_status: BTreeMap<RecordStatus, u64>,
    /// Requests per skill.
    pub skill_usage: Vec<SkillUsage>,
}

/// Requests per day, month or year.
#[utoipa::path(get, path = "/api/v1/analytics/tasks-over-time", tag = "analytics",
    params(AnalyticsParams,
        ("granularity" = Option<TimeBucket>, Query, description = "Period of each entry (default day)")),
    responses((status = 200, description = "Requests per period", body = TasksOverTime),
              (status = 400, description = "Invalid granularity or date", body = ErrorBody)))]
pub async fn tasks_over_time(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<TasksOverTime>, ApiError> {
    let bucket =
        TimeBucket::parse(params.granularity.as_deref().unwrap_or("day")).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "Invalid granularity. Must be 'day', 'month', or 'year'.",
            )
        })?;
    let filter = params.filter()?;
    let rows = audit
        .query(move |q| q.tasks_over_time(&filter, bucket))
        .await
        .map_err(store_error)?;
    let data = rows
        .into_iter()
        .map(|(date_group, count)| DateCount { date_group, count })
        .collect();
    Ok(Json(TasksOverTime { data }))
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
    Ok(per_provider(&rows))
}

/// Requests per provider (skills appear as `skill:<name>`).
#[utoipa::path(get, path = "/api/v1/analytics/requests-per-provider", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "Requests per provider", body = RequestsPerProvider),
              (status = 400, description = "A filter value is malformed", body = ErrorBody)))]
pub async fn requests_per_provider(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<RequestsPerProvider>, ApiError> {
    let data = provider_stats(&audit, &params)
        .await?
        .into_iter()
        .map(|s| ProviderCount {
            provider_name: s.provider_name,
            count: s.count,
        })
        .collect();
    Ok(Json(RequestsPerProvider { data }))
}

/// Mean latency per provider.
#[utoipa::path(get, path = "/api/v1/analytics/average-latency-per-provider", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "Mean latency per provider", body = AverageLatencyPerProvider),
              (status = 400, description = "A filter value is malformed", body = ErrorBody)))]
pub async fn average_latency_per_provider(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<AverageLatencyPerProvider>, ApiError> {
    let data = provider_stats(&audit, &params)
        .await?
        .into_iter()
        .map(|s| ProviderLatency {
            provider_name: s.provider_name,
            average_latency: s.average_latency,
        })
        .collect();
    Ok(Json(AverageLatencyPerProvider { data }))
}

/// Per provider: requests, mean, p50 and p95 latency (bucket estimates), error rate.
#[utoipa::path(get, path = "/api/v1/analytics/latency-per-provider", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "Per-provider statistics", body = LatencyPerProvider),
              (status = 400, description = "A filter value is malformed", body = ErrorBody)))]
pub async fn latency_per_provider(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<LatencyPerProvider>, ApiError> {
    let data = provider_stats(&audit, &params).await?;
    Ok(Json(LatencyPerProvider { data }))
}

/// Overall totals, error rate, status breakdown and skill usage counts.
#[utoipa::path(get, path = "/api/v1/analytics/summary", tag = "analytics", params(AnalyticsParams),
    responses((status = 200, description = "Totals and breakdowns", body = Summary),
              (status = 400, description = "A filter value is malformed", body = ErrorBody)))]
pub async fn summary(
    State(audit): State<AuditLog>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<Summary>, ApiError> {
    let filter = params.filter()?;
    let rows = audit
        .query(move |q| q.usage(&filter))
        .await
        .map_err(store_error)?;
    let total_requests: u64 = rows.iter().map(|r| r.requests).sum();
    let mut by_status: BTreeMap<RecordStatus, u64> = BTreeMap::new();
    let mut skills: BTreeMap<&str, u64> = BTreeMap::new();
    let mut histogram = LatencyHistogram::default();
    for r in &rows {
        *by_status.entry(r.status).or_default() += r.requests;
        if r.kind == TaskKind::Skill {
            *skills.entry(&r.task_type).or_default() += r.requests;
        }
        histogram.merge(&r.histogram);
    }
    let errors = by_status.get(&RecordStatus::Error).copied().unwrap_or(0);
    Ok(Json(Summary {
        total_requests,
        errors,
        error_rate: if total_requests == 0 {
            0.0
        } else {
            errors as f64 / total_requests as f64
        },
        latency_p50_ms: histogram.quantile(0.5),
        latency_p95_ms: histogram.quantile(0.95),
        by_status,
        skill_usage: skills
            .into_iter()
            .map(|(skill, count)| SkillUsage {
                skill: skill.to_owned(),
                count,
            })
            .collect(),
    }))
}

/// The aggregates, for operators.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::Operator, routes!(tasks_over_time))
        .role(Role::Operator, routes!(requests_per_provider))
        .role(Role::Operator, routes!(average_latency_per_provider))
        .role(Role::Operator, routes!(latency_per_provider))
        .role(Role::Operator, routes!(summary))
}
