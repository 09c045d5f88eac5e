//! Error answers in the Python original's shape: `{"detail": ...}` with the right status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::runtime::{FailureKind, InvokeError};

/// An error answer: a status code and a `detail` (a string, or a list of validation errors).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: Value,
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong and, where possible, what to do about it.
    pub detail: String,
}

/// One problem with a request body, as FastAPI/pydantic report it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValidationIssue {
    /// Machine-readable kind (`missing`, `string_type`, `json_invalid`, ...).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Where: `["body", "<field>"]`.
    #[schema(value_type = Vec<Object>)]
    pub loc: Vec<Value>,
    /// Human-readable message.
    pub msg: String,
    /// The offending input.
    #[schema(value_type = Object)]
    pub input: Value,
    /// Extra context, for some kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub ctx: Option<Value>,
}

/// The body of a 422 answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValidationErrorBody {
    /// Every problem found.
    pub detail: Vec<ValidationIssue>,
}

impl ApiError {
    /// An error with a string `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: Value::String(detail.into()),
        }
    }

    /// 404 with `detail`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 422 listing every problem with the body.
    pub fn validation(issues: Vec<ValidationIssue>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: json!(issues),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
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
        let status = match &error {
            InvokeError::Refused { kind, .. } => match kind {
                FailureKind::BadInput => StatusCode::BAD_REQUEST,
                FailureKind::Denied => StatusCode::FORBIDDEN,
                FailureKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
            InvokeError::TimedOut { .. } => StatusCode::GATEWAY_TIMEOUT,
            InvokeError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            InvokeError::MemoryExceeded { .. }
            | InvokeError::Crashed { .. }
            | InvokeError::OutputTooLarge { .. }
            | InvokeError::InvalidOutput { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "detail": self.detail }))).into_response()
    }
}

/// Fallback for paths no route matches.
pub async fn not_found() -> ApiError {
    ApiError::not_found("Not Found")
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}
