//! Error answers at `/mcp` in JSON-RPC's shape, whoever made them (the key check, the rate
//! limit, the body limit), so that MCP clients surface the server's message rather than a bare
//! HTTP status. A key that is missing or not valid is a 401 with `WWW-Authenticate: Bearer`, as
//! MCP's authorization rules ask (the rest of the API keeps the 403 the original gave).

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::jsonrpc::{self, RpcError};

/// A JSON-RPC error answer, as `/mcp` gives them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonRpcErrorBody {
    /// `2.0`.
    pub jsonrpc: String,
    /// The request's id; null when it could not be read or the request was refused before.
    #[schema(value_type = Option<Object>)]
    pub id: Value,
    /// The error: `code`, `message`, and in `data` the HTTP status and Praximous's code.
    #[schema(value_type = Object)]
    pub error: Value,
}

/// Middleware: reshape error answers under `/mcp` that are not JSON-RPC already.
pub async fn reshape(request: Request, next: Next) -> Response {
    if request.uri().path() != "/mcp" {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 10)
        .await
        .unwrap_or_default();
    let parsed: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if parsed.get("jsonrpc").is_some() {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    let message = match &parsed["detail"] {
        Value::String(text) => text.clone(),
        Value::Null => String::from_utf8_lossy(&bytes).trim().to_owned(),
        other => other.to_string(),
    };
    let code = parsed["code"].as_str().unwrap_or_default().to_owned();
    let status = match code.as_str() {
        "invalid_key" | "not_authenticated" => StatusCode::UNAUTHORIZED,
        _ => status,
    };
    let error = RpcError::new(jsonrpc::REFUSED, message)
        .with_data(json!({"status": status.as_u16(), "code": code}));
    let mut reshaped = (status, axum::Json(jsonrpc::error(None, &error))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        reshaped
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = parts.headers.get(&name) {
            reshaped.headers_mut().insert(name, value.clone());
        }
    }
    if let Some(id) = parts
        .headers
        .get(super::super::request_id::REQUEST_ID_HEADER)
    {
        reshaped
            .headers_mut()
            .insert(super::super::request_id::REQUEST_ID_HEADER, id.clone());
    }
    reshaped
}
