//! Error answers in the Python original's shape, `{"detail": ...}` with the right status, plus
//! a machine-readable `code` so that clients need not match the text.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::runtime::InvokeError;

/// An error answer: a status code, a `detail` (a string, or a list of validation errors) and
/// a [`ErrorCode`].
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    detail: Value,
}

/// What kind of error an answer is, for programs; `detail` says it for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request is wrong (a bad filter, a skill refusing its input).
    BadRequest,
    /// 401: no API key was sent.
    NotAuthenticated,
    /// 403: the key is unknown, revoked or expired.
    InvalidKey,
    /// 403: the key's role is below the one the endpoint needs.
    RoleRequired,
    /// 403: something other than the key forbids it (a skill's capability, say).
    Forbidden,
    /// 403: a request made with a session cookie changes something without the session's
    /// CSRF token in `X-CSRF-Token`.
    CsrfRequired,
    /// 403: the key is limited to other skills or routes than the one asked for.
    NotInScope,
    /// 403: the installation's licence tier does not include the feature, or its seats are
    /// all taken (`detail` names the feature and the tier that has it).
    NotLicensed,
    /// 404: no such route, skill, record or key.
    NotFound,
    /// 405: the path exists, not with this method.
    MethodNotAllowed,
    /// 409: the request conflicts with the current state (an install in the way).
    Conflict,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 422: the body does not have the expected shape (`detail` lists each problem).
    ValidationFailed,
    /// 429: the key is over its rate limit; see `Retry-After`.
    RateLimited,
    /// 500: the server or a skill failed.
    Internal,
    /// 502: an upstream (a registry, a provider) answered wrongly.
    BadGateway,
    /// 502, streams only: the provider failed after part of the answer was delivered; the
    /// text delivered is not the whole answer.
    IncompleteAnswer,
    /// 503: nothing could serve it now (providers down, slots busy, audit unavailable).
    Unavailable,
    /// 504: it ran past its time limit.
    Timeout,
    /// 499, streams only: the caller cancelled the task.
    Cancelled,
}

impl ErrorCode {
    /// The code an answer of `status` gets unless it says otherwise.
    pub fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => Self::NotAuthenticated,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Conflict,
            413 => Self::PayloadTooLarge,
            422 => Self::ValidationFailed,
            429 => Self::RateLimited,
            502 => Self::BadGateway,
            503 => Self::Unavailable,
            504 => Self::Timeout,
            400..=499 => Self::BadRequest,
            _ => Self::Internal,
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong and, where possible, what to do about it.
    pub detail: String,
    /// What kind of error it is.
    pub code: ErrorCode,
}

/// One problem with a request body, as FastAPI/pydantic report it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValidationIssue {
    /// Machine-readable kind (`missing`, `string_type`, `json_invalid`, ...).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Where: `["body", "<field>"]`, `["query", "<name>"]`, `["body", <byte offset>]`.
    pub loc: Vec<LocPart>,
    /// Human-readable message.
    pub msg: String,
    /// The offending input, whatever JSON it was.
    #[schema(value_type = serde_json::Value)]
    pub input: Value,
    /// Extra context, for some kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<serde_json::Value>)]
    pub ctx: Option<Value>,
}

/// One step of a validation issue's location: a name, or a position.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum LocPart {
    /// A part of the request or a field.
    Name(String),
    /// A position (a byte offset in the body).
    Index(u64),
}

impl From<&str> for LocPart {
    fn from(name: &str) -> Self {
        Self::Name(name.to_owned())
    }
}

impl From<usize> for LocPart {
    fn from(index: usize) -> Self {
        Self::Index(index as u64)
    }
}

/// The body of a 422 answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValidationErrorBody {
    /// Every problem found.
    pub detail: Vec<ValidationIssue>,
    /// Always `validation_failed`.
    pub code: ErrorCode,
}

impl ApiError {
    /// An error with a string `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: ErrorCode::for_status(status),
            detail: Value::String(detail.into()),
        }
    }

    /// The same answer with a more specific `code`.
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = code;
        self
    }

    /// 404 with `detail`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 422 listing every problem with the body.
    pub fn validation(issues: Vec<ValidationIssue>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: ErrorCode::ValidationFailed,
            detail: json!(issues),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The `detail`, as text (a JSON list for validation errors).
    pub fn detail_text(&self) -> String {
        match &self.detail {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

impl From<InvokeError> for ApiError {
    fn from(error: InvokeError) -> Self {
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(status, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "detail": self.detail, "code": self.code })),
        )
            .into_response()
    }
}

/// An error answer that is not JSON (an extractor's rejection of a bad query string, path or
/// body, before any handler ran) rewritten into the shape of every other error,
/// `{"detail", "code"}`, keeping its status and headers; any other answer as it is.
pub async fn as_json(response: Response) -> Response {
    use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    let mut rewritten = ApiError::new(status, detail).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

/// Fallback for paths no route matches.
pub async fn not_found() -> ApiError {
    ApiError::not_found("Not Found")
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}
