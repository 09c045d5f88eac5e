//! `GET /api/v1/providers`: each provider's configuration (never its secrets), its health
//! (circuit state, recent error rate, latency), and the routes.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use crate::auth::Role;
use crate::llm::Router as LlmRouter;
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
pub async fn list_providers(State(llm): State<Arc<LlmRouter>>) -> Json<ProvidersBody> {
    Json(ProvidersBody {
        providers: llm.statuses(),
        routes: llm.routes(),
    })
}

/// `/api/v1/providers`, for operators.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::Operator, routes!(list_providers))
}
