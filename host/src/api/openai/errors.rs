//! Errors in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, with the status
//! codes OpenAI uses, so that SDK exception classes and retry logic behave as they do against
//! OpenAI. One middleware reshapes every error answer under `/v1/`, whoever made it (the key
//! check, an extractor, a handler), from the `{detail, code}` of the rest of the API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::super::error_shape;

/// OpenAI's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenAiErrorBody {
    /// The error.
    pub error: OpenAiError,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenAiError {
    /// For people.
    pub message: String,
    /// `invalid_request_error`, `authentication_error`, `permission_error`, `not_found_error`,
    /// `rate_limit_error` or `server_error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The request field at fault, if one is.
    #[schema(required = true)]
    pub param: Option<String>,
    /// For programs: `invalid_api_key`, `model_not_found`, ... or Praximous's own code.
    #[schema(required = true)]
    pub code: Option<String>,
}

/// The type OpenAI gives an error of `status`.
fn kind(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        500..=599 => "server_error",
        _ => "invalid_request_error",
    }
}

/// An error answer in OpenAI's shape.
pub fn answer(
    status: StatusCode,
    message: impl Into<String>,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    let body = OpenAiErrorBody {
        error: OpenAiError {
            message: message.into(),
            kind: kind(status).to_owned(),
            param: param.map(str::to_owned),
            code: code.map(str::to_owned),
        },
    };
    (status, axum::Json(body)).into_response()
}

/// An error answer under `/v1/` in OpenAI's shape. A key that is not valid
/// is a 401 with `invalid_api_key` there (OpenAI's status; the rest of the API keeps the 403
/// the original gave).
pub async fn reshape(response: Response) -> Response {
    let shaped = |body: &Value| body.get("error").is_some_and(Value::is_object);
    let error = match error_shape::read(response, shaped).await {
        Ok(error) => error,
        Err(as_it_is) => return as_it_is,
    };
    let (status, code) = if error.is_bad_key() {
        (StatusCode::UNAUTHORIZED, Some("invalid_api_key"))
    } else {
        (error.status, error.code.as_deref())
    };
    let mut reshaped = answer(status, error.detail.clone(), None, code);
    error.keep_headers(&mut reshaped, &error_shape::KEPT);
    reshaped
}

/// `{"error": ...}` as one SSE `data:` payload, for a stream that fails after it started.
pub fn stream_error(status: u16, message: &str, code: &str) -> String {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    json!({"error": {"message": message, "type": kind(status), "param": null, "code": code}})
        .to_string()
}
