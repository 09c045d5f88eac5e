//! The authentication middleware: every matched route is checked against the policy before
//! its handler runs. Unknown paths never get here, so they stay 404 whatever the key.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::policy::{self, Access};
use super::secret::{self, Presented};
use super::{Auth, Rejection};
use crate::api::error::ApiError;
use crate::metrics::AuthFailureLabels;

/// `detail` of the 401 for a request without a key, as in the original.
pub const MISSING_KEY: &str = "Not authenticated: API key is missing.";
/// `detail` of the 403 for a key that is not valid, as in the original.
pub const INVALID_KEY: &str = "Access denied: Invalid API key.";

/// Middleware: authenticate the request's key, check its role and rate limit, and hand the
/// handlers its [`Principal`](super::Principal).
pub async fn authenticate(
    State(auth): State<Arc<Auth>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let required = match policy::required(request.method().as_str(), &path) {
        Access::Public => return next.run(request).await,
        Access::Role(role) => role,
    };
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let key = match secret::presented(request.headers()) {
        Presented::Missing => {
            auth.count_failure("missing");
            let mut response = ApiError::new(StatusCode::UNAUTHORIZED, MISSING_KEY).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
        Presented::Unreadable => return auth.reject(client, "", Rejection::Unknown).await,
        Presented::Key(key) => key,
    };
    let principal = match auth
        .keyring
        .authenticate(key, time::OffsetDateTime::now_utc())
    {
        Ok(principal) => principal,
        Err(rejection) => {
            let prefix = secret::display_prefix(key);
            return auth.reject(client, &prefix, rejection).await;
        }
    };
    if !principal.role.grants(required) {
        auth.count_failure("forbidden");
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Access denied: this endpoint requires the '{required}' role; the key '{}' has the '{}' role.",
                principal.key_name, principal.role
            ),
        )
        .into_response();
    }
    if let Err(wait) = auth.limits.check(&principal) {
        auth.count_failure("rate_limited");
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate limit exceeded for the key '{}'. Retry after {seconds} s, or ask an admin for a higher limit.",
                principal.key_name
            ),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

impl Auth {
    fn count_failure(&self, reason: &str) {
        self.metrics
            .auth_failures
            .get_or_create(&AuthFailureLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Log the failure (the key's prefix only), slow the address down if it keeps failing,
    /// and answer as the original did.
    async fn reject(&self, client: IpAddr, prefix: &str, rejection: Rejection) -> Response {
        self.count_failure(rejection.as_str());
        let delay = self.throttle.failed(client);
        tracing::warn!(
            %client,
            key_prefix = prefix,
            reason = rejection.as_str(),
            delay_ms = delay.as_millis() as u64,
            "API key rejected"
        );
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        ApiError::new(StatusCode::FORBIDDEN, INVALID_KEY).into_response()
    }
}
