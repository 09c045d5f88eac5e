//! Every request gets a fresh id, shared by the answer body, the `X-Request-Id` header, the
//! logs and the skill. The server always makes its own: ids are unique keys in the audit log,
//! so a client-chosen one is never trusted.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Name of the response header that carries the id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request (a UUID v7: unique and time-ordered).
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

/// Middleware: assign the id, and echo it on the answer whatever its status.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id: Arc<str> = Arc::from(uuid::Uuid::now_v7().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    // Everything logged while serving the request carries its id.
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}
