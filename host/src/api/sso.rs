//! Single sign-on for the web UI: whether it is on (`GET /api/v1/auth/sso`), the browser's
//! way to the provider and back (`/api/v1/auth/sso/login`, `/callback`), and signing out
//! (`POST /api/v1/auth/sign-out`). The login and callback answer browsers with redirects:
//! to the provider, into the UI, or to the sign-in page with `sso_error` saying what failed.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use super::access::{ApiRoutes, SessionCookie};
use super::error::{ApiError, ErrorBody};
use crate::auth::{Auth, Role};
use crate::sso::{SIGN_IN_TIMEOUT, Sso, SsoError, cookies};

/// Whether the UI offers single sign-on.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SsoInfo {
    /// Whether `[sso]` is configured and the licence includes it.
    pub enabled: bool,
    /// What the sign-in button says.
    #[schema(required = true)]
    pub display_name: Option<String>,
    /// Where the button goes.
    #[schema(required = true)]
    pub login_url: Option<String>,
}

/// Whether single sign-on is offered, and how to start it.
#[utoipa::path(get, path = "/api/v1/auth/sso", tag = "keys",
    responses((status = 200, description = "Whether the sign-in page offers single sign-on", body = SsoInfo)))]
pub async fn sso_info(State(sso): State<Option<Arc<Sso>>>) -> Json<SsoInfo> {
    Json(match sso.filter(|sso| sso.licensed()) {
        Some(sso) => SsoInfo {
            enabled: true,
            display_name: Some(sso.config().display_name.clone()),
            login_url: Some("/api/v1/auth/sso/login".into()),
        },
        None => SsoInfo {
            enabled: false,
            display_name: None,
            login_url: None,
        },
    })
}

/// Where to land after signing in.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginParams {
    /// A path of the UI (`/analytics`); anything else lands on `/`.
    #[param(max_length = 2048)]
    pub return_to: Option<String>,
}

/// A redirect to `location`, with `cookies` set.
fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The sign-in page, saying why single sign-on failed.
fn to_sign_in(problem: &str, cookies: &[String]) -> Response {
    let query = reqwest::Url::parse_with_params("x:/signin", [("sso_error", problem)])
        .ok()
        .and_then(|url| url.query().map(str::to_owned))
        .unwrap_or_default();
    redirect(&format!("/signin?{query}"), cookies)
}

/// What the sign-in page may say about a failure to anyone: the store's and the provider's
/// failures stay in the server log (and, for a sign-in that reached the provider's answer,
/// the admin audit log).
fn public_reason(error: &SsoError) -> String {
    match error {
        SsoError::Store(_) => {
            "an internal error stopped it; an admin finds the reason in the server log".into()
        }
        SsoError::Provider(_) => {
            "the identity provider could not be used; an admin finds the reason in the server log"
                .into()
        }
        other => other.to_string(),
    }
}

fn configured(sso: Option<Arc<Sso>>) -> Result<Arc<Sso>, ApiError> {
    sso.ok_or_else(|| {
        ApiError::not_found(
            "single sign-on is not configured on this server: add an [sso] table to its configuration, or sign in with an API key",
        )
    })
}

/// Start signing in: to the provider, with a fresh state, nonce and PKCE challenge bound to
/// this browser by a cookie.
#[utoipa::path(get, path = "/api/v1/auth/sso/login", tag = "keys", params(LoginParams),
    responses(
        (status = 303, description = "To the provider's sign-in page; or back to /signin with `sso_error` when it cannot be reached or the licence does not include SSO"),
        (status = 404, description = "Single sign-on is not configured", body = ErrorBody),
    ))]
pub async fn sso_login(
    State(sso): State<Option<Arc<Sso>>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<LoginParams>,
) -> Result<Response, ApiError> {
    let sso = configured(sso)?;
    // A second tab signing in keeps the binding of the first, so both can finish.
    let binding = cookies::read(&headers, cookies::binding_name(sso.config().is_https()));
    Ok(
        match sso
            .begin(params.return_to.as_deref(), binding, client.ip())
            .await
        {
            Ok(begun) => redirect(
                &begun.redirect,
                &[cookies::binding(
                    begun.binding,
                    SIGN_IN_TIMEOUT,
                    sso.config().is_https(),
                )],
            ),
            Err(error) => {
                tracing::warn!(%error, "single sign-on could not begin");
                to_sign_in(&public_reason(&error), &[])
            }
        },
    )
}

/// What the provider sends the browser back with (RFC 6749 §4.1.2).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    /// The authorization code.
    #[param(max_length = 4096)]
    pub code: Option<String>,
    /// The state this server sent.
    #[param(max_length = 512)]
    pub state: Option<String>,
    /// The provider's error code, when the sign-in failed there.
    #[param(max_length = 256)]
    pub error: Option<String>,
    /// The provider's description of that error.
    #[param(max_length = 2048)]
    pub error_description: Option<String>,
}

/// Finish signing in: the code redeemed, the ID token checked, the user's role from their
/// groups, a session begun.
#[utoipa::path(get, path = "/api/v1/auth/sso/callback", tag = "keys", params(CallbackParams),
    responses(
        (status = 303, description = "Into the UI with a session cookie; or to /signin with `sso_error` saying why not"),
        (status = 404, description = "Single sign-on is not configured", body = ErrorBody),
    ))]
pub async fn sso_callback(
    State(sso): State<Option<Arc<Sso>>>,
    State(auth): State<Arc<Auth>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, ApiError> {
    let sso = configured(sso)?;
    let secure = sso.config().is_https();
    let source = client.ip().to_string();
    if let Some(error) = &params.error {
        let description = params.error_description.as_deref().unwrap_or("");
        return Ok(to_sign_in(
            &format!(
                "the identity provider did not sign you in ({error}{}{description})",
                if description.is_empty() { "" } else { ": " }
            ),
            &[],
        ));
    }
    let (Some(code), Some(state)) = (params.code.as_deref(), params.state.as_deref()) else {
        return Ok(to_sign_in(
            "the identity provider sent the browser back without a code and state; sign in again",
            &[],
        ));
    };
    let binding = cookies::read(&headers, cookies::binding_name(secure));
    let finished = sso.finish(code, state, binding.as_deref(), &source).await;
    // A sign-in that reached the provider's answer may have changed or revoked personal keys
    // (a role changed, or lost); one refused before that changed nothing.
    let reached = finished
        .as_ref()
        .map_or_else(|f| f.reached_provider, |_| true);
    if reached && let Err(error) = auth.reload().await {
        tracing::warn!(%error, "cannot reload the API keys after a sign-in");
    }
    Ok(match finished {
        Ok(signed_in) => {
            tracing::info!(user = %signed_in.user.id, "signed in with single sign-on");
            redirect(
                &signed_in.return_to,
                // The binding cookie stays (it expires on its own): another tab of this
                // browser may be signing in with it.
                &[cookies::session(
                    signed_in.token,
                    std::time::Duration::from_secs(sso.config().session_lifetime_min * 60),
                    secure,
                )],
            )
        }
        Err(failure) => {
            tracing::warn!(error = %failure.error, "a single sign-on was refused");
            to_sign_in(&public_reason(&failure.error), &[])
        }
    })
}

/// Where to go after signing out.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedOut {
    /// The provider's sign-out page, to end the session there too; null when there is none
    /// (or the caller used an API key, which has nothing to sign out of).
    #[schema(required = true)]
    pub end_session_url: Option<String>,
}

/// End this browser's session (it stops working at once, on every replica), and say where
/// to end the provider's.
#[utoipa::path(post, path = "/api/v1/auth/sign-out", tag = "keys",
    responses((status = 200, description = "Signed out", body = SignedOut)))]
pub async fn sign_out(
    State(sso): State<Option<Arc<Sso>>>,
    session: Option<Extension<SessionCookie>>,
) -> Result<Response, ApiError> {
    let (Some(sso), Some(Extension(SessionCookie(token)))) = (sso, session) else {
        return Ok(Json(SignedOut {
            end_session_url: None,
        })
        .into_response());
    };
    let end_session_url = sso
        .sign_out(&token)
        .await
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let mut response = Json(SignedOut { end_session_url }).into_response();
    if let Ok(clear) = HeaderValue::from_str(&cookies::clear_session(sso.config().is_https())) {
        response.headers_mut().insert(header::SET_COOKIE, clear);
    }
    Ok(response)
}

/// The sign-in routes (public: they are how a browser gets a session) and signing out.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .public(routes!(sso_info))
        .public(routes!(sso_login))
        .public(routes!(sso_callback))
        .role(Role::User, routes!(sign_out))
}
