//! `GET /healthz`: answers 200 once the server serves.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;

/// The health answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    /// Number of skills loaded.
    pub skills: usize,
}

/// Liveness and readiness: the server is up and its skills are loaded.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "The server is serving", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        skills: state.catalogue.snapshot().len(),
    })
}

/// `/healthz`, for anyone.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().public(routes!(healthz))
}
