//! `GET /metrics`: the Prometheus scrape endpoint.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use crate::auth::Role;
use crate::llm::circuit::CircuitState;
use crate::metrics::ProviderLabels;

/// Metrics in the OpenMetrics text format.
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    for status in state.llm.statuses() {
        let value = match status.health.circuit {
            CircuitState::Closed => 0,
            CircuitState::HalfOpen => 1,
            CircuitState::Open => 2,
        };
        state
            .metrics
            .circuit
            .get_or_create(&ProviderLabels {
                provider: status.name,
            })
            .set(value);
    }
    state.metrics.audit_queue.set(state.audit.writer.pending());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

/// `/metrics`, for operators.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::Operator, routes!(metrics))
}
