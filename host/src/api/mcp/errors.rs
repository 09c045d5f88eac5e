//! Error answers at `/mcp` in JSON-RPC's shape, whoever made them (the key check, the rate
//! limit, the body limit), so that MCP clients surface the server's message rather than a bare
//! HTTP status. A key that is missing or not valid is a 401 with `WWW-Authenticate: Bearer`, as
//! MCP's authorization rules ask (the rest of the API keeps the 403 the original gave).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::super::error_shape;
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

/// An error answer under `/mcp` in JSON-RPC's shape, unless it is in it already.
pub async fn reshape(response: Response) -> Response {
    let shaped = |body: &Value| body.get("jsonrpc").is_some();
    let error = match error_shape::read(response, shaped).await {
        Ok(error) => error,
        Err(as_it_is) => return as_it_is,
    };
    let status = if error.is_bad_key() {
        StatusCode::UNAUTHORIZED
    } else {
        error.status
    };
    let code = error.code.clone().unwrap_or_default();
    let rpc = RpcError::new(jsonrpc::REFUSED, error.detail.clone())
        .with_data(json!({"status": status.as_u16(), "code": code}));
    let mut reshaped = (status, axum::Json(jsonrpc::error(None, &rpc))).into_response();
    error.keep_headers(&mut reshaped, &error_shape::KEPT);
    if status == StatusCode::UNAUTHORIZED {
        reshaped
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    reshaped
}
