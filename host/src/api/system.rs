//! `GET /api/v1/system`: who this Praximous is, which version, and how long it has run.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use crate::auth::Role;
use crate::identity::Identity;

/// The system's description.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SystemInfo {
    /// Name derived from the identity, as in logs and the banner.
    pub display_name: String,
    /// The `prax` version.
    pub version: &'static str,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
    /// The configured identity.
    pub identity: Identity,
}

/// The system's identity, version and uptime.
#[utoipa::path(get, path = "/api/v1/system", tag = "system",
    responses((status = 200, description = "Identity, version and uptime", body = SystemInfo)))]
pub async fn system(State(state): State<AppState>) -> Json<SystemInfo> {
    Json(SystemInfo {
        display_name: state.identity.display_name(),
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.started.elapsed().as_secs(),
        identity: (*state.identity).clone(),
    })
}

/// `/api/v1/system`, for operators.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::Operator, routes!(system))
}
