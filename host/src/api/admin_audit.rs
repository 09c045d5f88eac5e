//! `GET /api/v1/admin-audit`: the admin audit log for admins — a page of entries (filtered),
//! whether the chain is intact, and (Enterprise) the whole log as CSV or JSON Lines.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::error::{ApiError, ErrorBody};
use crate::admin_audit::{AdminAuditStore, Entry, Filter, chain};
use crate::auth::Role;
use crate::license::{Feature, Licensing};

/// Most entries on one page.
const MAX_PAGE: u32 = 500;

/// Paging for the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Paging {
    /// Entries per page (1..=500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Entries to skip (newest first).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// A page of the admin audit log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminAuditPage {
    /// The entries.
    pub entries: Vec<Entry>,
    /// How many entries match in all.
    pub total: u64,
    /// The page size used.
    pub limit: u32,
    /// The offset used.
    pub offset: u64,
}

/// Whether the chain is intact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainState {
    /// True when every entry links to the one before it and matches its hash.
    pub intact: bool,
    /// Entries in the log.
    pub entries: usize,
    /// The newest entry's hash (compare it with the one in the server log).
    #[schema(required = true)]
    pub head: Option<String>,
    /// Where it breaks, naming the entry.
    #[schema(required = true)]
    pub broken: Option<String>,
}

/// An export's format.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditExportFormat {
    /// Comma-separated values with a header row.
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// What to export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` (default) or `jsonl`.
    pub format: Option<AuditExportFormat>,
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
}

/// Administrative changes, newest first: keys, skills, the licence, the identity.
#[utoipa::path(get, path = "/api/v1/admin-audit", tag = "analytics",
    params(Filter, Paging),
    responses(
        (status = 200, description = "A page of entries", body = AdminAuditPage),
        (status = 400, description = "A parameter is not of its type, or out of range", body = ErrorBody),
    ))]
pub async fn admin_audit_list(
    State(log): State<Arc<dyn AdminAuditStore>>,
    Query(filter): Query<Filter>,
    Query(paging): Query<Paging>,
) -> Result<Json<AdminAuditPage>, ApiError> {
    let limit = paging.limit.unwrap_or(50);
    let offset = paging.offset.unwrap_or(0);
    if !(1..=u64::from(MAX_PAGE)).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit must be between 1 and {MAX_PAGE}"),
        ));
    }
    // SQL counts in signed 64 bits.
    if offset > i64::MAX as u64 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("offset must be at most {}", i64::MAX),
        ));
    }
    let limit = u32::try_from(limit).unwrap_or(MAX_PAGE);
    let (entries, total) = blocking(move || log.page(&filter, limit, offset)).await?;
    Ok(Json(AdminAuditPage {
        entries,
        total,
        limit,
        offset,
    }))
}

/// Check the chain: every entry matches its hash and links to the one before.
#[utoipa::path(get, path = "/api/v1/admin-audit/verify", tag = "analytics",
    responses((status = 200, description = "Whether the chain is intact, and where not", body = ChainState)))]
pub async fn admin_audit_verify(
    State(log): State<Arc<dyn AdminAuditStore>>,
) -> Result<Json<ChainState>, ApiError> {
    let entries = blocking(move || log.all()).await?;
    Ok(Json(match chain::verify(&entries) {
        Ok((count, head)) => ChainState {
            intact: true,
            entries: count,
            head: (count > 0).then_some(head),
            broken: None,
        },
        Err(broken) => ChainState {
            intact: false,
            entries: entries.len(),
            head: entries.last().map(|e| e.hash.clone()),
            broken: Some(broken.to_string()),
        },
    }))
}

/// The whole log, oldest first, as CSV or JSON Lines (the Enterprise tier).
#[utoipa::path(get, path = "/api/v1/admin-audit/export", tag = "analytics",
    params(ExportQuery),
    responses(
        (status = 200, description = "Every entry, oldest first: CSV (`format=csv`) or JSON Lines (`format=jsonl`)",
            content((String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 403, description = "The licence does not include the export (code `not_licensed`)", body = ErrorBody),
    ))]
pub async fn admin_audit_export(
    State(log): State<Arc<dyn AdminAuditStore>>,
    State(licensing): State<Arc<Licensing>>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    crate::license::gate::require(&licensing.status(), Feature::AdminAuditExport)
        .map_err(|locked| super::license::refused(&locked))?;
    let entries = blocking(move || log.all()).await?;
    let format = query.format.unwrap_or_default();
    let (body, content_type, extension) = match format {
        AuditExportFormat::Jsonl => {
            let mut text = String::new();
            for entry in &entries {
                text.push_str(&serde_json::to_string(entry).unwrap_or_default());
                text.push('\n');
            }
            (text.into_bytes(), "application/x-ndjson", "jsonl")
        }
        AuditExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for entry in &entries {
                writer
                    .serialize(entry)
                    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            (bytes, "text/csv; charset=utf-8", "csv")
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"praximous-admin-audit.{extension}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The admin audit log's routes, for admins.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::Admin, routes!(admin_audit_list))
        .role(Role::Admin, routes!(admin_audit_verify))
        .role(Role::Admin, routes!(admin_audit_export))
}
