//! Every error answer in the shape its caller expects: the API's own `{detail, code}`, and for
//! the ingresses that speak another protocol (OpenAI's under `/v1/`, JSON-RPC's at `/mcp`) an
//! error answer made in the API's shape, whoever made it (the key check, an extractor, a
//! handler), read and answered again in that protocol's shape, keeping the headers that
//! matter. One middleware for all three: each layer wraps every route, and axum clones a
//! route's whole stack for every request.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::request_id::REQUEST_ID_HEADER;

/// An error answer, read.
#[derive(Debug)]
pub struct ErrorAnswer {
    /// Its status.
    pub status: StatusCode,
    /// Its `detail` (or its body, if it had none).
    pub detail: String,
    /// Its `code`, if it had one.
    pub code: Option<String>,
    /// Its headers.
    pub headers: HeaderMap,
}

impl ErrorAnswer {
    /// Whether the caller presented no key, or one that is not valid.
    pub fn is_bad_key(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("invalid_key" | "not_authenticated")
        )
    }

    /// Copy `names` (and always the request id) from the original answer onto `reshaped`.
    pub fn keep_headers(&self, reshaped: &mut Response, names: &[HeaderName]) {
        let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
        for name in names.iter().chain([&request_id]) {
            if let Some(value) = self.headers.get(name) {
                reshaped.headers_mut().insert(name.clone(), value.clone());
            }
        }
    }
}

/// `response` read as an error answer, or given back as it is: when it is no error, or when
/// `shaped` says its body is in the target shape already (a handler's own answer).
pub async fn read(response: Response, shaped: fn(&Value) -> bool) -> Result<ErrorAnswer, Response> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 10)
        .await
        .unwrap_or_default();
    let parsed: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if shaped(&parsed) {
        return Err(Response::from_parts(parts, axum::body::Body::from(bytes)));
    }
    let detail = match &parsed["detail"] {
        Value::String(text) => text.clone(),
        Value::Null => String::from_utf8_lossy(&bytes).trim().to_owned(),
        other => other.to_string(),
    };
    Ok(ErrorAnswer {
        status,
        detail,
        code: parsed["code"].as_str().map(str::to_owned),
        headers: parts.headers,
    })
}

/// The headers a reshaped answer keeps besides the request id.
pub const KEPT: [HeaderName; 3] = [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::ALLOW];

/// Middleware: error answers in their caller's shape (see the module).
pub async fn answer_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let (openai, mcp) = (path.starts_with("/v1/"), path == "/mcp");
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let response = super::error::as_json(response).await;
    if openai {
        super::openai::errors::reshape(response).await
    } else if mcp {
        super::mcp::errors::reshape(response).await
    } else {
        response
    }
}
