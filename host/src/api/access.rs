//! Each route is declared once, with the role it needs: [`ApiRoutes`] adds the route to the
//! router, its operation to the OpenAPI document (with `x-required-role`, the key schemes and
//! the answers a protected route may give before its handler runs), and the key check in front
//! of it. Router, access control and documentation cannot disagree.
//!
//! ```ignore
//! ApiRoutes::new()
//!     .public(routes!(healthz))
//!     .role(Role::Operator, routes!(list_providers))
//! ```
//!
//! `routes!` takes handlers of one path (its methods); declare each path on its own line.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use super::AppState;
use super::error::{ApiError, ErrorCode};
use super::require_role::{Admission, Admit, RequireRoleLayer};
use crate::auth::secret;
use crate::auth::{Auth, Denial, Role};
use crate::sso::sessions::SessionDenial;
use crate::sso::{Sso, cookies};

/// `detail` of the 401 for a request without a key, as in the original.
pub const MISSING_KEY: &str = "Not authenticated: API key is missing.";
/// `detail` of the 403 for a key that is not valid, as in the original.
pub const INVALID_KEY: &str = "Access denied: Invalid API key.";

/// The OpenAPI extension that names a route's required role.
pub const REQUIRED_ROLE: &str = "x-required-role";

/// The API's routes, each with the access it needs. See the module documentation.
pub struct ApiRoutes {
    /// Routes anyone may call.
    public: OpenApiRouter<AppState>,
    /// Routes that need a key, by the role they need; the key check is put in front of them
    /// when the router is made for a server ([`ApiRoutes::split`]).
    protected: Vec<(Role, OpenApiRouter<AppState>)>,
}

impl Default for ApiRoutes {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiRoutes {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            public: OpenApiRouter::new(),
            protected: Vec::new(),
        }
    }

    /// Routes anyone may call, with or without a key.
    pub fn public(mut self, routes: UtoipaMethodRouter<AppState>) -> Self {
        self.public = self.public.merge(OpenApiRouter::new().routes(routes));
        self
    }

    /// Routes that need a valid key whose role is `role` or higher.
    pub fn role(self, role: Role, routes: UtoipaMethodRouter<AppState>) -> Self {
        self.role_answering(role, "ErrorBody", routes)
    }

    /// As [`ApiRoutes::role`], for routes whose error answers have the schema `error_schema`
    /// (the OpenAI-compatible API answers in OpenAI's shape).
    pub fn role_answering(
        mut self,
        role: Role,
        error_schema: &str,
        routes: UtoipaMethodRouter<AppState>,
    ) -> Self {
        let mut group = OpenApiRouter::new().routes(routes);
        document_role(group.get_openapi_mut(), role, error_schema);
        self.protected.push((role, group));
        self
    }

    /// Every route of `other` as well.
    pub fn merge(mut self, other: ApiRoutes) -> Self {
        self.public = self.public.merge(other.public);
        self.protected.extend(other.protected);
        self
    }

    /// The router of a server whose keys, sessions and limits are `state`'s, and the document
    /// of its routes. The key check holds the state itself: nothing is added to each request
    /// for it to find.
    pub fn split(self, state: &AppState) -> (axum::Router<AppState>, OpenApi) {
        let mut all = self.public;
        for (role, group) in self.protected {
            let check = RequireRoleLayer::new(role, KeyCheck(state.clone()));
            all = all.merge(group.route_layer(check));
        }
        all.split_for_parts()
    }

    /// The document of the routes alone.
    pub fn document(self) -> OpenApi {
        let all = self
            .protected
            .into_iter()
            .fold(self.public, |all, (_, group)| all.merge(group));
        all.split_for_parts().1
    }
}

/// Say in the document what every operation of `doc` needs, its errors of `error_schema`.
fn document_role(doc: &mut OpenApi, role: Role, error_schema: &str) {
    let error_answer = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(error_schema)))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
            &mut item.head,
        ]
        .into_iter()
        .flatten()
        {
            operation.security = Some(vec![
                SecurityRequirement::new("api_key", Vec::<String>::new()),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ]);
            let note = format!("Requires a key with the `{role}` role or higher.");
            operation.description = Some(match operation.description.take() {
                Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
                _ => note,
            });
            operation
                .extensions
                .get_or_insert_with(Default::default)
                .insert(REQUIRED_ROLE.into(), role.as_str().into());
            let answers = &mut operation.responses.responses;
            answers.insert("401".into(), error_answer("No API key was sent"));
            answers
                .entry("403".into())
                .or_insert_with(|| error_answer("The key is not valid, or its role is too low"));
            answers.insert(
                "429".into(),
                error_answer("The key is over its rate limit; see `Retry-After`"),
            );
        }
    }
}

/// The key check of one server's protected routes: its keyring, sessions and limits.
#[derive(Clone)]
pub struct KeyCheck(AppState);

impl Admit for KeyCheck {
    fn admit(&self, required: Role, request: Request) -> Admission {
        Box::pin(admit(self.0.clone(), required, request))
    }
}

/// Admit a request to a route that needs `required`: the request back, carrying its
/// [`Principal`](crate::auth::Principal) for the handler, or the answer it gets instead (as
/// the original gave it). [`RequireRoleLayer`] runs it in front of every protected route.
pub async fn admit(
    state: AppState,
    required: Role,
    mut request: Request,
) -> Result<Request, Response> {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let presented = secret::presented(request.headers());
    let auth = &state.auth;
    if matches!(presented, secret::Presented::Missing)
        && let Some(sso) = &state.sso
        && let Some(token) = cookies::read(
            request.headers(),
            cookies::session_name(sso.config().is_https()),
        )
    {
        return with_session(auth, sso, token, required, request).await;
    }
    match auth.admit(presented, client, required).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            Ok(request)
        }
        Err(denial) => Err(refuse(denial).await),
    }
}

/// The session cookie a request was admitted with, for the handlers that need it (its CSRF
/// token, signing out).
#[derive(Clone)]
pub struct SessionCookie(pub String);

/// Admit a request that presented no key but a session cookie: the session must be live, its
/// user active, and a request that changes anything must carry the session's CSRF token.
async fn with_session(
    auth: &Arc<Auth>,
    sso: &Sso,
    token: String,
    required: Role,
    mut request: Request,
) -> Result<Request, Response> {
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let csrf = request
        .headers()
        .get(cookies::CSRF_HEADER)
        .and_then(|value| value.to_str().ok());
    let refused = match sso.admit(&token, changes, csrf).await {
        Ok((principal, ..)) => match auth.admit_principal(principal, required).await {
            Ok(principal) => {
                request.extensions_mut().insert(principal);
                request.extensions_mut().insert(SessionCookie(token));
                return Ok(request);
            }
            Err(denial) => refuse(denial).await,
        },
        Err(SessionDenial::Ended(why)) => {
            let mut response = ApiError::new(StatusCode::UNAUTHORIZED, format!("Not authenticated: {why}."))
                .into_response();
            // The browser forgets the dead cookie.
            if let Ok(clear) = HeaderValue::from_str(&cookies::clear_session(sso.config().is_https())) {
                response.headers_mut().insert(header::SET_COOKIE, clear);
            }
            response
        }
        Err(SessionDenial::Csrf) => ApiError::new(
            StatusCode::FORBIDDEN,
            "Access denied: this request changes something and was made with a session cookie, without the session's CSRF token. Send it in X-CSRF-Token (GET /api/v1/auth/me gives it).",
        )
        .with_code(ErrorCode::CsrfRequired)
        .into_response(),
        Err(SessionDenial::Unavailable) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sessions cannot be checked now (the store is unavailable); try again shortly, or use an API key.",
        )
        .into_response(),
    };
    Err(refused)
}

/// The answer to a request that was not admitted.
pub async fn refuse(denial: Denial) -> Response {
    match denial {
        Denial::MissingKey => {
            let mut response = ApiError::new(StatusCode::UNAUTHORIZED, MISSING_KEY).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
        Denial::InvalidKey { delay } => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            ApiError::new(StatusCode::FORBIDDEN, INVALID_KEY)
                .with_code(ErrorCode::InvalidKey)
                .into_response()
        }
        Denial::RoleTooLow {
            required,
            principal,
        } => ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Access denied: this endpoint requires the '{required}' role; the key '{}' has the '{}' role.",
                principal.key_name, principal.role
            ),
        )
        .with_code(ErrorCode::RoleRequired)
        .into_response(),
        Denial::RateLimited {
            key_name,
            retry_after,
        } => {
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Rate limit exceeded for the key '{key_name}'. Retry after {seconds} s, or ask an admin for a higher limit."
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::REQUIRED_ROLE;

    /// Every operation the router serves is in the document, and says what it needs: public
    /// ones no key scheme, the others their role, the key schemes and the 401 before the handler.
    #[test]
    fn every_documented_operation_says_what_it_requires() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap_or_default();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(paths.len() >= 20, "{} paths", paths.len());
        let mut public = Vec::new();
        for (path, item) in &paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                match operation[REQUIRED_ROLE].as_str() {
                    None => {
                        assert!(operation["security"].is_null(), "{method} {path}");
                        public.push(format!("{method} {path}"));
                    }
                    Some(role) => {
                        assert!(["user", "operator", "admin"].contains(&role), "{path}");
                        assert_eq!(
                            operation["security"][0]["api_key"],
                            serde_json::json!([]),
                            "{method} {path}"
                        );
                        // The OpenAI-compatible API answers errors in OpenAI's shape, MCP
                        // in JSON-RPC's.
                        let schema = if path.starts_with("/v1/") {
                            "#/components/schemas/OpenAiErrorBody"
                        } else if path == "/mcp" {
                            "#/components/schemas/JsonRpcErrorBody"
                        } else {
                            "#/components/schemas/ErrorBody"
                        };
                        assert_eq!(
                            operation["responses"]["401"]["content"]["application/json"]["schema"]
                                ["$ref"],
                            schema,
                            "{path}"
                        );
                        assert!(operation["responses"]["429"].is_object(), "{path}");
                    }
                }
            }
        }
        // Paddle's webhook has no key: each delivery is authenticated by its signature.
        // Single sign-on's are how a browser gets a session.
        public.sort();
        assert_eq!(
            public,
            [
                "get /api/v1/auth/sso",
                "get /api/v1/auth/sso/callback",
                "get /api/v1/auth/sso/login",
                "get /healthz",
                "post /api/v1/webhooks/paddle",
            ],
            "only health, single sign-on and the signed webhook are public"
        );
        assert_eq!(
            doc["paths"]["/api/v1/keys"]["post"][REQUIRED_ROLE], "admin",
            "roles come from the declarations"
        );
        assert_eq!(
            doc["paths"]["/api/v1/process"]["post"][REQUIRED_ROLE],
            "user"
        );
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (key, inner) in map {
                        match (key.as_str(), inner.as_str()) {
                            ("$ref", Some(target)) => found.push(target.to_owned()),
                            _ => refs(inner, found),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(crate::api::openapi()).unwrap_or_default();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let name = target.trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{target} is referenced but not defined"
            );
        }
    }

    #[test]
    fn error_bodies_document_their_code() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap_or_default();
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["ErrorBody"]["properties"]["code"].is_object());
        assert!(
            schemas["ErrorCode"]["enum"]
                .as_array()
                .is_some_and(|codes| codes.contains(&serde_json::json!("role_required")))
        );
    }
}
