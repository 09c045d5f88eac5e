//! `prax registry serve`: the registry over HTTP. Reading is open (`GET /index.json`,
//! `GET /skills/<name>/<version>/<file>`, the same paths a static mirror serves); publishing
//! (`PUT /skills/<name>/<version>`, a bundle as the body) and yanking
//! (`POST /skills/<name>/<version>/yank`, `.../unyank`) need a token as `Authorization: Bearer`,
//! checked before any of the upload is read. A token may be scoped to skill names
//! ([`PublishToken`]).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use subtle::ConstantTimeEq as _;

use crate::index::INDEX_FILE;
use crate::repository::{PublishError, Repository};
use crate::signing::SIGNATURE_FILE;
use crate::skill_dir::MANIFEST_FILE;

/// What the server holds.
pub struct RegistryServer {
    /// The storage.
    pub repository: Repository,
    /// Tokens that may publish and yank.
    pub tokens: Vec<PublishToken>,
}

/// A publish token: `SECRET` may publish and yank any skill; `scope:PATTERNS:SECRET` only the
/// skills whose names match one of `PATTERNS` (`|`-separated names, each maybe ending in `*`),
/// e.g. `scope:acme_*|partner_tool:s3cr3t`.
#[derive(Clone, PartialEq, Eq)]
pub struct PublishToken {
    secret: String,
    scope: Option<Vec<String>>,
}

impl std::fmt::Debug for PublishToken {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishToken")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl PublishToken {
    /// Read a token as written on the command line or in the environment.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let Some(scoped) = text.strip_prefix("scope:") else {
            return if text.is_empty() {
                Err("a publish token is empty".into())
            } else {
                Ok(Self {
                    secret: text.to_owned(),
                    scope: None,
                })
            };
        };
        let (patterns, secret) = scoped.split_once(':').ok_or_else(|| {
            "a scoped publish token is `scope:PATTERNS:SECRET`, e.g. `scope:acme_*:s3cr3t`"
                .to_owned()
        })?;
        let patterns: Vec<String> = patterns.split('|').map(str::to_owned).collect();
        for pattern in &patterns {
            let stem = pattern.strip_suffix('*').unwrap_or(pattern);
            let valid = stem
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !pattern.is_empty();
            if !valid {
                return Err(format!(
                    "`{pattern}` is not a skill name pattern: lowercase letters, digits and `_`, maybe ending in `*`"
                ));
            }
        }
        if secret.is_empty() {
            return Err("a scoped publish token has no secret after its patterns".into());
        }
        Ok(Self {
            secret: secret.to_owned(),
            scope: Some(patterns),
        })
    }

    /// Whether this token may publish and yank the skill `name`.
    pub fn covers(&self, name: &str) -> bool {
        self.scope.as_ref().is_none_or(|patterns| {
            patterns.iter().any(|p| match p.strip_suffix('*') {
                Some(stem) => name.starts_with(stem),
                None => name == p,
            })
        })
    }

    fn scope_text(&self) -> String {
        self.scope
            .as_ref()
            .map_or_else(|| "every skill".to_owned(), |p| p.join(", "))
    }
}

type Shared = Arc<RegistryServer>;

fn answer(status: StatusCode, detail: impl Into<String>) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "detail": detail.into() })),
    )
        .into_response()
}

fn publish_error(error: PublishError) -> Response {
    let status = match &error {
        PublishError::Exists { .. } => StatusCode::CONFLICT,
        PublishError::NotFound { .. } => StatusCode::NOT_FOUND,
        PublishError::Bundle(crate::bundle::BundleError::TooLarge { .. }) => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        PublishError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(%error, "registry write failed");
    }
    answer(status, error.to_string())
}

/// Read and drop at most 1 MiB of `body` for at most a second.
async fn discard_some(body: Body) {
    use http_body_util::BodyExt as _;
    let limited = http_body_util::Limited::new(body, 1 << 20);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), limited.collect()).await;
}

/// A path no route serves (an upload to `/skills/../1.0.0` arrives as `/1.0.0`): 404, after
/// discarding what has arrived of the body, as for a refused upload; otherwise the connection
/// would be closed with the body unread and a client reusing it would lose its next request.
async fn unknown_path(body: Body) -> Response {
    discard_some(body).await;
    answer(StatusCode::NOT_FOUND, "No such registry path.")
}

/// Room for the largest component plus manifest, signature and tar headers.
fn body_limit(server: &RegistryServer) -> usize {
    usize::try_from(server.repository.max_component_bytes())
        .unwrap_or(usize::MAX)
        .saturating_add(4 << 20)
}

/// The registry's HTTP application.
pub fn router(server: RegistryServer) -> Router {
    // Uploads are read by the publish handler itself, after the token check, within
    // `body_limit`; axum's default limit would refuse them first.
    Router::new()
        .route(&format!("/{INDEX_FILE}"), get(index))
        .route("/skills/{name}/{version}/{file}", get(file))
        .route("/skills/{name}/{version}", put(publish))
        .route("/skills/{name}/{version}/yank", post(yank))
        .route("/skills/{name}/{version}/unyank", post(unyank))
        .fallback(unknown_path)
        .layer(DefaultBodyLimit::disable())
        .with_state(Arc::new(server))
}

/// The refusal for a request about the skill `name` without a publish token this registry
/// accepts for it, if any.
fn refusal(server: &RegistryServer, headers: &HeaderMap, name: &str) -> Option<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if presented.is_empty() {
        return Some(answer(
            StatusCode::UNAUTHORIZED,
            "Publishing needs a token: send `Authorization: Bearer <token>` (prax skill publish --token T).",
        ));
    }
    // Every token is compared, in constant time, so timing tells nothing about which matched.
    let mut matched = None;
    for token in &server.tokens {
        if bool::from(token.secret.as_bytes().ct_eq(presented.as_bytes())) {
            matched = Some(token);
        }
    }
    match matched {
        None => Some(answer(
            StatusCode::FORBIDDEN,
            "The token is not one this registry accepts.",
        )),
        Some(token) if !token.covers(name) => Some(answer(
            StatusCode::FORBIDDEN,
            format!(
                "The token may publish and yank only {}; not `{name}`.",
                token.scope_text()
            ),
        )),
        Some(_) => None,
    }
}

async fn blocking<T: Send + 'static>(
    run: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(run).await.map_err(|e| {
        answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("task failed: {e}"),
        )
    })
}

async fn index(State(server): State<Shared>) -> Response {
    match tokio::fs::read(server.repository.dir().join(INDEX_FILE)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the index: {e}"),
        ),
    }
}

async fn file(
    State(server): State<Shared>,
    Path((name, version, file)): Path<(String, String, String)>,
) -> Response {
    // Only names the registry itself writes: nothing can reach outside its folder.
    let version_ok = version.parse::<semver::Version>().is_ok();
    let file_ok = file == MANIFEST_FILE
        || file == SIGNATURE_FILE
        || (file.ends_with(".wasm") && !file.contains(['/', '\\']) && !file.starts_with('.'));
    if name.parse::<crate::SkillName>().is_err() || !version_ok || !file_ok {
        return answer(StatusCode::NOT_FOUND, "Not Found");
    }
    let path = server
        .repository
        .dir()
        .join("skills")
        .join(&name)
        .join(&version)
        .join(&file);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let kind = if file.ends_with(".wasm") {
                "application/wasm"
            } else {
                "text/plain; charset=utf-8"
            };
            ([(header::CONTENT_TYPE, kind)], bytes).into_response()
        }
        Err(_) => answer(StatusCode::NOT_FOUND, "Not Found"),
    }
}

async fn publish(
    State(server): State<Shared>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // The token first: an upload without a valid one is refused before it is read. What
    // has already arrived (at most a little, briefly) is discarded first: closing a socket with
    // unread data resets it, and the client would lose the refusal.
    if let Some(denied) = refusal(&server, &headers, &name) {
        discard_some(body).await;
        return denied;
    }
    let body: Bytes = match axum::body::to_bytes(body, body_limit(&server)).await {
        Ok(body) => body,
        Err(error) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
            return if too_large {
                answer(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "The upload is larger than this registry accepts (components up to {} bytes).",
                        server.repository.max_component_bytes()
                    ),
                )
            } else {
                answer(
                    StatusCode::BAD_REQUEST,
                    format!("The upload could not be read: {error}"),
                )
            };
        }
    };
    let shared = server.clone();
    let result = blocking(move || shared.repository.publish(&name, &version, &body, now())).await;
    match result {
        Ok(Ok(entry)) => {
            tracing::info!(version = %entry.version, publisher = ?entry.publisher, "skill published");
            (StatusCode::CREATED, axum::Json(entry)).into_response()
        }
        Ok(Err(error)) => publish_error(error),
        Err(response) => response,
    }
}

async fn set_yanked(
    server: Shared,
    headers: HeaderMap,
    name: String,
    version: String,
    yanked: bool,
) -> Response {
    if let Some(denied) = refusal(&server, &headers, &name) {
        return denied;
    }
    let shared = server.clone();
    match blocking(move || shared.repository.set_yanked(&name, &version, yanked)).await {
        Ok(Ok(entry)) => axum::Json(entry).into_response(),
        Ok(Err(error)) => publish_error(error),
        Err(response) => response,
    }
}

async fn yank(
    State(server): State<Shared>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    set_yanked(server, headers, name, version, true).await
}

async fn unyank(
    State(server): State<Shared>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    set_yanked(server, headers, name, version, false).await
}

/// Now, RFC 3339, UTC, whole seconds.
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::PublishToken;

    #[test]
    fn tokens_may_be_scoped_to_skill_names() {
        let any = PublishToken::parse("s3cr3t").unwrap_or_else(|e| panic!("{e}"));
        assert!(any.covers("globex_tool"));
        let acme = PublishToken::parse("scope:acme_*|partner_tool:s3cr3t")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(acme.covers("acme_weather"));
        assert!(acme.covers("partner_tool"));
        assert!(!acme.covers("globex_tool"));
        assert!(!acme.covers("partner_tool_two"));
        assert!(!format!("{acme:?}").contains("s3cr3t"), "never printed");
        for bad in [
            "",
            "scope:acme_*",
            "scope:Acme:x",
            "scope::x",
            "scope:acme_*:",
        ] {
            assert!(PublishToken::parse(bad).is_err(), "{bad:?}");
        }
    }
}
