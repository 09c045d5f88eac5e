//! The operators' web UI: `ui/dist` (React, built by `make ui`), embedded in the binary and
//! served at `/` without a key; the UI signs in with a key of its own for every API call.
//! Client-side routes answer with `index.html` so a reload lands on the same page; any other
//! path stays 404, as unknown API paths do.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// `ui/dist`, as built when this binary was compiled (absent if it was not built).
#[derive(rust_embed::RustEmbed)]
#[folder = "../ui/dist/"]
#[allow_missing = true]
struct Assets;

/// Paths the UI routes itself; each (and anything below the ones that take an id) serves
/// `index.html`.
pub const CLIENT_ROUTES: &[&str] = &[
    "/",
    "/signin",
    "/console",
    "/skills",
    "/knowledge",
    "/analytics",
    "/providers",
    "/my-keys",
    "/keys",
    "/users",
    "/licence",
    "/admin-audit",
];

/// Client routes with something after them (`/skills/{name}`, `/analytics/{request_id}`).
const CLIENT_ROUTES_WITH_ID: &[&str] = &["/skills", "/analytics"];

/// Who may embed or script the UI: only itself. Charts set inline styles.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The routes that serve the UI.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut router = Router::new().route("/assets/{*path}", get(asset)).route(
        "/favicon.svg",
        get(|| async { file_or_404("favicon.svg", false) }),
    );
    for route in CLIENT_ROUTES {
        router = router.route(route, get(index));
    }
    for route in CLIENT_ROUTES_WITH_ID {
        router = router.route(&format!("{route}/{{*rest}}"), get(index));
    }
    router
}

async fn index() -> Response {
    file("index.html", false).unwrap_or_else(|| {
        (
            StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The web UI is not built into this binary. Build it with `make build` (which runs `make ui`), \
             or use the API directly: see /docs.",
        )
            .into_response()
    })
}

async fn asset(Path(path): Path<String>) -> Response {
    file_or_404(&format!("assets/{path}"), true)
}

fn file_or_404(path: &str, immutable: bool) -> Response {
    file(path, immutable)
        .unwrap_or_else(|| super::error::ApiError::not_found("Not Found").into_response())
}

/// One embedded file (`None` if there is none); `immutable` for content-hashed assets,
/// revalidated otherwise. The body borrows the embedded bytes rather than copying them.
fn file(path: &str, immutable: bool) -> Option<Response> {
    let content = Assets::get(path)?;
    let mime = content.metadata.mimetype().to_owned();
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (StatusCode::OK, axum::body::Body::from(content.data)).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Some(response)
}
