//! `GET /api/v1/providers`: each provider's configuration (never its secrets), its health
//! (circuit state, recent error rate, latency), and the routes.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::AppState;
use crate::llm::router::ProviderStatus;

/// The answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProvidersBody {
    /// Every configured provider.
    pub providers: Vec<ProviderStatus>,
    /// Route name → provider names, in the order they are tried.
    pub routes: BTreeMap<String, Vec<String>>,
}

/// Providers, their health, and the routes.
#[utoipa::path(get, path = "/api/v1/providers", tag = "providers",
    responses((status = 200, description = "Providers and routes", body = ProvidersBody)))]
pub async fn list_providers(State(state): State<AppState>) -> Json<ProvidersBody> {
    Json(ProvidersBody {
        providers: state.llm.statuses(),
        routes: state.llm.routes(),
    })
}
