//! The HTTP API: one file per area, assembled here with the shared middleware.

pub mod access;
pub mod admin_actor;
pub mod admin_audit;
pub mod aggregates;
pub mod analytics;
pub mod audit;
pub mod body_timeout;
pub mod error;
pub mod error_shape;
pub mod export;
pub mod health;
pub mod keys;
pub mod knowledge;
pub mod license;
pub mod mcp;
pub mod metrics;
pub mod openai;
pub mod personal_keys;
pub mod process;
pub mod providers;
pub mod registry;
pub mod request_id;
pub mod require_role;
pub mod scope;
pub mod skills;
pub mod sse;
pub mod sse_keep_alive;
pub mod sso;
pub mod stream_limits;
pub mod system;
pub mod task_events;
pub mod task_stream;
pub mod ui;
pub mod users;
pub mod validation;
pub mod webhooks;
pub mod ws;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::FromRef;
use tower::ServiceBuilder;
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
use access::ApiRoutes;

/// What every handler can reach, behind one reference count: axum clones the state for
/// every request (several times, through its layers), so a clone must cost one atomic
/// increment, not one per service. Handlers take only the part they use (`State<AuditLog>`,
/// `State<Arc<Auth>>`, ...): each service is a substate.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

/// The services behind [`AppState`].
pub struct Services {
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
    /// Open streamed tasks per key.
    pub streams: Arc<stream_limits::StreamLimits>,
    /// The MCP server's sessions.
    pub mcp: Arc<mcp::McpState>,
    /// The licence in force.
    pub licensing: Arc<crate::license::Licensing>,
    /// The admin audit log.
    pub admin_audit: Arc<dyn crate::admin_audit::AdminAuditStore>,
    /// Licence provisioning from Paddle, where `[commerce]` is configured.
    pub commerce: Option<Arc<crate::commerce::Commerce>>,
    /// Single sign-on, where `[sso]` is configured.
    pub sso: Option<Arc<crate::sso::Sso>>,
    /// Single sign-on's users (kept even without `[sso]`: they count as seats).
    pub users: Arc<dyn crate::sso::store::SsoStore>,
    /// The knowledge base.
    pub knowledge: Arc<crate::knowledge::Knowledge>,
    /// The largest WebSocket frame accepted (`[server] max_body_bytes`).
    pub max_frame_bytes: usize,
    /// When the server started.
    pub started: Instant,
}

impl From<Services> for AppState {
    fn from(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// Each service as a substate handlers can take on its own.
macro_rules! substates {
    ($($field:ident: $kind:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $kind {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        })*
    };
}

substates! {
    runtime: Arc<Runtime>,
    catalogue: Arc<LiveCatalogue>,
    identity: Arc<Identity>,
    llm: Arc<LlmRouter>,
    audit: AuditLog,
    audit_config: Arc<AuditConfig>,
    metrics: Arc<crate::metrics::Metrics>,
    auth: Arc<Auth>,
    registry: Arc<crate::config::RegistryConfig>,
    streams: Arc<stream_limits::StreamLimits>,
    mcp: Arc<mcp::McpState>,
    licensing: Arc<crate::license::Licensing>,
    admin_audit: Arc<dyn crate::admin_audit::AdminAuditStore>,
    commerce: Option<Arc<crate::commerce::Commerce>>,
    sso: Option<Arc<crate::sso::Sso>>,
    users: Arc<dyn crate::sso::store::SsoStore>,
    knowledge: Arc<crate::knowledge::Knowledge>,
}

/// What the document says beyond its routes: title, key schemes, tags.
#[derive(OpenApi)]
#[openapi(
    info(title = "Praximous API", description = "On-premise AI gateway: Smart Skills and LLM routes behind one API."),
    modifiers(&KeySchemes),
    components(schemas(
        error::ErrorBody, error::ErrorCode, error::ValidationErrorBody, error::ValidationIssue,
        error::LocPart,
        process::LlmResult, crate::llm::Attempt, crate::llm::Usage, crate::store::ProviderStats,
        crate::store::RecordStatus, crate::store::TimeBucket, analytics::ExportFormat,
        openai::errors::OpenAiErrorBody, openai::errors::OpenAiError,
        mcp::errors::JsonRpcErrorBody, admin_audit::AuditExportFormat,
    )),
    tags(
        (name = "process", description = "Run tasks"),
        (name = "skills", description = "What the loaded skills offer"),
        (name = "providers", description = "LLM providers and routing"),
        (name = "analytics", description = "The audit log and its aggregates"),
        (name = "system", description = "Health and status"),
        (name = "keys", description = "API keys and the calling key's identity"),
        (name = "openai", description = "The OpenAI-compatible API: a routing rule is a model"),
        (name = "knowledge", description = "Private documents in collections, searched by their words"),
        (name = "mcp", description = "The Model Context Protocol server: the skills as tools (Streamable HTTP)"),
    )
)]
pub struct ApiDoc;

/// The two ways to present a key, named by every protected operation.
struct KeySchemes;

impl utoipa::Modify for KeySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every API route, each declared once with the role it needs (see [`access`]).
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .merge(health::routes())
        .merge(metrics::routes())
        .merge(system::routes())
        .merge(license::routes())
        .merge(webhooks::routes())
        .merge(process::routes())
        .merge(skills::routes())
        .merge(providers::routes())
        .merge(analytics::routes())
        .merge(aggregates::routes())
        .merge(export::routes())
        .merge(keys::routes())
        .merge(sso::routes())
        .merge(personal_keys::routes())
        .merge(users::routes())
        .merge(admin_audit::routes())
        .merge(knowledge::routes())
        .merge(registry::routes())
        .merge(openai::routes())
        .merge(mcp::routes())
}

/// The OpenAPI document, served at `/api/v1/openapi.json` and printed by `prax openapi`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi().merge_from(routes().document())
}

/// The whole HTTP application. Every route checks the key it needs before its handler runs;
/// paths that match no route stay 404 for everyone.
pub fn router(state: AppState, limits: &crate::config::ServerConfig) -> Router {
    let ws_state = state.clone();
    let (api, doc) = routes().split(&state);
    // Each `Router::layer` call boxes every route once more, and axum clones a route's whole
    // stack of boxes for each request; so the layers of each level are stacked in one
    // `ServiceBuilder` (outermost first), which costs one box and one clone a level.
    let api = api
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(error_shape::ErrorShapeLayer)
        .with_state(state);
    Router::new()
        .merge(
            SwaggerUi::new("/docs").url("/api/v1/openapi.json", ApiDoc::openapi().merge_from(doc)),
        )
        .merge(api)
        .merge(ws::routes().with_state(ws_state))
        .merge(ui::routes())
        .fallback(error::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(request_id::RequestIdLayer)
                .layer(TraceLayer::new_for_http())
                .layer(body_timeout::BodyTimeoutLayer::new(Duration::from_millis(
                    limits.body_read_timeout_ms,
                )))
                .layer(DefaultBodyLimit::max(limits.max_body_bytes)),
        )
}
