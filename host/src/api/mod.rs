//! The HTTP API: one file per area, assembled here with the shared middleware.

pub mod analytics;
pub mod audit;
pub mod error;
pub mod export;
pub mod health;
pub mod keys;
pub mod metrics;
pub mod openapi_security;
pub mod process;
pub mod providers;
pub mod registry;
pub mod request_id;
pub mod skills;
pub mod system;
pub mod ui;
pub mod validation;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Auth;
use crate::config::AuditConfig;
use crate::identity::Identity;
use crate::llm::Router as LlmRouter;
use crate::runtime::Runtime;
use crate::skills::LiveCatalogue;
use crate::store::AuditLog;
use openapi_security::AccessPolicy;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The skill runtime.
    pub runtime: Arc<Runtime>,
    /// The loaded skills, reloaded when the skills directory changes.
    pub catalogue: Arc<LiveCatalogue>,
    /// The system identity.
    pub identity: Arc<Identity>,
    /// The LLM router.
    pub llm: Arc<LlmRouter>,
    /// The audit log.
    pub audit: AuditLog,
    /// What the audit log keeps.
    pub audit_config: Arc<AuditConfig>,
    /// Prometheus metrics.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// API keys, roles and limits.
    pub auth: Arc<Auth>,
    /// Where skills are installed from, and whom to trust.
    pub registry: Arc<crate::config::RegistryConfig>,
    /// The operator's SMTP server, if `[mail]` configures one.
    pub mail: Option<Arc<crate::mail::Outbox>>,
    /// When the server started.
    pub started: Instant,
}

/// The OpenAPI document, served at `/api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Praximous API", description = "On-premise AI gateway: Smart Skills and LLM routes behind one API."),
    paths(health::healthz, metrics::metrics, system::system, process::process, skills::list_skills, skills::skill_capabilities,
        providers::list_providers, analytics::list, analytics::one, analytics::tasks_over_time,
        analytics::requests_per_provider, analytics::average_latency_per_provider,
        analytics::latency_per_provider, analytics::summary, export::export,
        keys::list_keys, keys::create_key, keys::revoke_key, keys::me,
        registry::browse, registry::install_skill, registry::update_skill, registry::remove_skill),
    modifiers(&AccessPolicy),
    components(schemas(
        process::ProcessRequest, process::ProcessResponse, error::ErrorBody,
        error::ValidationErrorBody, error::ValidationIssue, health::Health, system::SystemInfo,
        crate::identity::Identity, process::LlmResult, providers::ProvidersBody,
        crate::llm::router::ProviderStatus, crate::llm::Attempt, crate::llm::Usage,
        crate::llm::circuit::HealthSnapshot, crate::llm::circuit::CircuitState,
        analytics::AnalyticsPage, crate::store::AuditRecord, crate::store::TaskKind,
        crate::store::ProviderStats, crate::auth::Role, crate::auth::manage::NewKey,
        crate::auth::manage::KeyInfo, crate::auth::manage::IssuedKey, keys::Me,
        registry::RegistrySkill, registry::InstallRequest, registry::UpdateRequest,
        crate::skills::install::InstallReport,
    )),
    tags(
        (name = "process", description = "Run tasks"),
        (name = "skills", description = "What the loaded skills offer"),
        (name = "providers", description = "LLM providers and routing"),
        (name = "analytics", description = "The audit log and its aggregates"),
        (name = "system", description = "Health and status"),
        (name = "keys", description = "API keys and the calling key's identity"),
    )
)]
pub struct ApiDoc;

/// The whole HTTP application. Every route is checked by the authentication middleware
/// against [`crate::auth::policy::POLICY`]; paths that match no route stay 404 for everyone.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    let auth = state.auth.clone();
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/api/v1/system", get(system::system))
        .route("/api/v1/process", post(process::process))
        .route("/api/v1/skills", get(skills::list_skills))
        .route("/api/v1/providers", get(providers::list_providers))
        .route("/api/v1/analytics", get(analytics::list))
        .route(
            "/api/v1/analytics/tasks-over-time",
            get(analytics::tasks_over_time),
        )
        .route(
            "/api/v1/analytics/requests-per-provider",
            get(analytics::requests_per_provider),
        )
        .route(
            "/api/v1/analytics/average-latency-per-provider",
            get(analytics::average_latency_per_provider),
        )
        .route(
            "/api/v1/analytics/latency-per-provider",
            get(analytics::latency_per_provider),
        )
        .route("/api/v1/analytics/summary", get(analytics::summary))
        .route("/api/v1/analytics/export", get(export::export))
        .route("/api/v1/analytics/{request_id}", get(analytics::one))
        .route(
            "/api/v1/skills/{skill_name}/capabilities",
            get(skills::skill_capabilities),
        )
        .route("/api/v1/auth/me", get(keys::me))
        .route("/api/v1/registry/skills", get(registry::browse))
        .route("/api/v1/skills/install", post(registry::install_skill))
        .route(
            "/api/v1/skills/{skill_name}/update",
            post(registry::update_skill),
        )
        .route(
            "/api/v1/skills/{skill_name}",
            delete(registry::remove_skill),
        )
        .route("/api/v1/keys", get(keys::list_keys).post(keys::create_key))
        .route("/api/v1/keys/{key_id}", delete(keys::revoke_key))
        .method_not_allowed_fallback(error::method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            auth,
            crate::auth::middleware::authenticate,
        ))
        .with_state(state);
    Router::new()
        .merge(SwaggerUi::new("/docs").url("/api/v1/openapi.json", ApiDoc::openapi()))
        .merge(api)
        .merge(ui::routes())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(request_id::assign))
}
