//! `prax registry serve`: the registry over HTTP. Reading is open (`GET /index.json`,
//! `GET /skills/<name>/<version>/<file>`, the same paths a static mirror serves); publishing
//! (`PUT /skills/<name>/<version>`, a bundle as the body) and yanking
//! (`POST /skills/<name>/<version>/yank`, `.../unyank`) need a token as `Authorization: Bearer`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
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
    pub tokens: Vec<String>,
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

/// The registry's HTTP application.
pub fn router(server: RegistryServer) -> Router {
    // Room for the largest component plus manifest, signature and tar headers.
    let body_limit = usize::try_from(server.repository.max_component_bytes())
        .unwrap_or(usize::MAX)
        .saturating_add(4 << 20);
    Router::new()
        .route(&format!("/{INDEX_FILE}"), get(index))
        .route("/skills/{name}/{version}/{file}", get(file))
        .route("/skills/{name}/{version}", put(publish))
        .route("/skills/{name}/{version}/yank", post(yank))
        .route("/skills/{name}/{version}/unyank", post(unyank))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(Arc::new(server))
}

/// The refusal for a request without a publish token this registry accepts, if any.
fn refusal(server: &RegistryServer, headers: &HeaderMap) -> Option<Response> {
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
    let mut valid = false;
    for token in &server.tokens {
        valid |= bool::from(token.as_bytes().ct_eq(presented.as_bytes()));
    }
    if valid {
        None
    } else {
        Some(answer(
            StatusCode::FORBIDDEN,
            "The token is not one this registry accepts.",
        ))
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
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    if let Some(denied) = refusal(&server, &headers) {
        return denied;
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The upload is larger than this registry accepts (components up to {} bytes).",
                    server.repository.max_component_bytes()
                ),
            );
        }
        Err(rejection) => return answer(rejection.status(), rejection.body_text()),
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
    if let Some(denied) = refusal(&server, &headers) {
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
