//! `POST /api/v1/process`: run a task with a skill or, if no skill has its name, through an
//! LLM route. Where a name is both (the original's `internal_summary`), the skill answers and
//! the route picks the providers for the skill's own `llm` calls.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::audit::{self, Served};
use super::error::{ApiError, ErrorBody, ValidationErrorBody};
use super::request_id::RequestId;
use super::validation::{TaskBody, parse_task_body};
use crate::auth::Principal;
use crate::auth::Role;
use crate::llm::{Attempt, FinishReason, RouteError, Usage};
use crate::metrics::{KindLabels, RequestLabels, SkillFailureLabels};
use crate::runtime::{Call, InvokeError};
use crate::store::TaskKind;

/// The `result` of an LLM route: the original's `provider` and `text`, plus the model, why
/// generation stopped, token counts and every attempt made.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LlmResult {
    /// The provider that answered.
    pub provider: String,
    /// The model that answered.
    pub model: String,
    /// The generated text.
    pub text: String,
    /// Why generation stopped.
    pub finish_reason: FinishReason,
    /// Token counts.
    pub usage: Usage,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
}

/// A task request. Fields beyond `task_type` and `prompt` go to the skill as its params.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"task_type": "simple_math", "prompt": "Calculate 10 + 5", "num1": 10, "num2": 5, "operation": "add"}))]
pub struct ProcessRequest {
    /// The skill (or LLM route) to use.
    pub task_type: String,
    /// The prompt.
    pub prompt: String,
    /// Any other fields, for the skill.
    #[serde(flatten)]
    #[schema(value_type = Object, additional_properties)]
    pub extra: serde_json::Map<String, Value>,
}

/// A successful answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProcessResponse {
    /// `success`.
    pub status: &'static str,
    /// The skill's result data.
    #[schema(value_type = Object)]
    pub result: Value,
    /// The skill's summary message.
    #[schema(required = true)]
    pub message: Option<String>,
    /// The skill's details.
    #[schema(required = true)]
    pub details: Option<String>,
    /// The request's id, also in the `X-Request-Id` header.
    pub request_id: String,
}

/// Run a task with the skill named by `task_type`.
#[utoipa::path(post, path = "/api/v1/process", tag = "process",
    request_body = ProcessRequest,
    responses(
        (status = 200, description = "The skill's result", body = ProcessResponse),
        (status = 400, description = "The skill refused the input", body = ErrorBody),
        (status = 403, description = "The skill needed a capability it is not granted", body = ErrorBody),
        (status = 400, description = "A provider refused the content (LLM routes)", body = ErrorBody),
        (status = 404, description = "No skill or LLM route of that name", body = ErrorBody),
        (status = 413, description = "The body is larger than the server accepts", body = ErrorBody),
        (status = 422, description = "The body is not a valid task request", body = ValidationErrorBody),
        (status = 500, description = "The skill crashed, ran out of memory or returned bad data", body = ErrorBody),
        (status = 503, description = "Every LLM provider failed (each attempt listed), or every skill slot is busy", body = ErrorBody),
        (status = 504, description = "The skill ran past its time limit", body = ErrorBody),
    ))]
pub async fn process(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ProcessResponse>, ApiError> {
    let started = Instant::now();
    let timestamp = crate::timestamp::now_rfc3339();
    let body =
        body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    // A body that is not a task request is answered before anything runs, and not audited
    // (as in the original): there is no task to record.
    let task = parse_task_body(&body).map_err(ApiError::validation)?;
    let prompt = task.prompt.clone();
    let task_type = task.task_type.clone();
    let key_id = principal.as_ref().map(|Extension(p)| p.key_id.clone());
    let (answer, served) = dispatch(&state, &request_id, key_id, task).await;
    count(&state, &task_type, &served, &answer, started.elapsed());
    if !state.audit_config.enabled {
        return answer.map(Json);
    }
    let record = audit::record(audit::Facts {
        config: &state.audit_config,
        identity: &state.identity,
        request_id: &request_id,
        timestamp,
        task_type,
        served,
        prompt: &prompt,
        answer: answer.as_ref().map(|a| &a.result),
        latency: started.elapsed(),
        client: client.to_string(),
        principal: principal.as_ref().map(|Extension(p)| p),
    });
    if let Err(error) = state.audit.writer.record(record).await {
        tracing::error!(%request_id, %error, "audit record not written; answering 503");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The request could not be recorded in the audit log ({error}); no answer is given without one. Try again shortly."
            ),
        ));
    }
    answer.map(Json)
}

/// Run the task with the skill of its name, else its LLM route; say what served it.
async fn dispatch(
    state: &AppState,
    request_id: &Arc<str>,
    key_id: Option<Arc<str>>,
    task: TaskBody,
) -> (Result<ProcessResponse, ApiError>, Served) {
    let Some(skill) = state.catalogue.get(&task.task_type) else {
        if state.llm.has_route(&task.task_type) {
            return route(state, request_id, task.task_type, task.prompt).await;
        }
        tracing::info!(%request_id, task_type = %task.task_type, "unknown task type");
        let error = ApiError::not_found(format!(
            "Skill or LLM route '{}' not found.",
            task.task_type
        ));
        return (Err(error), Served::default());
    };
    let served = Served {
        kind: TaskKind::Skill,
        provider: Some(format!("skill:{}", skill.manifest.name)),
        skill_version: Some(skill.manifest.version.to_string()),
        attempts: None,
    };
    let call = Call {
        request_id: request_id.clone(),
        task_type: task.task_type,
        prompt: task.prompt,
        params: task.extra,
        key_id,
    };
    let answer = match state.runtime.invoke(&skill.prepared, call).await {
        Ok(output) => Ok(ProcessResponse {
            status: "success",
            result: output.data,
            message: output.message,
            details: output.details,
            request_id: request_id.to_string(),
        }),
        Err(error) => {
            tracing::info!(%request_id, skill = %skill.manifest.name, %error, "skill did not succeed");
            let reason = match &error {
                InvokeError::Refused { .. } => "refused",
                InvokeError::TimedOut { .. } => "timeout",
                InvokeError::MemoryExceeded { .. } => "memory",
                InvokeError::Crashed { .. } => "trap",
                InvokeError::OutputTooLarge { .. } | InvokeError::InvalidOutput { .. } => "output",
                InvokeError::Busy { .. } => "busy",
                InvokeError::SkillBusy { .. } => "skill_busy",
                InvokeError::KeyBusy { .. } => "key_busy",
            };
            state
                .metrics
                .skill_failures
                .get_or_create(&SkillFailureLabels {
                    skill: skill.manifest.name.to_string(),
                    reason: reason.into(),
                })
                .inc();
            Err(error.into())
        }
    };
    (answer, served)
}

/// Answer through an LLM route, as the original did: `result` holds the text and provider,
/// `message` names the provider; 503 when every provider failed, listing each attempt.
async fn route(
    state: &AppState,
    request_id: &str,
    route: String,
    prompt: String,
) -> (Result<ProcessResponse, ApiError>, Served) {
    let mut served = Served {
        kind: TaskKind::Llm,
        ..Served::default()
    };
    let answer = match state.llm.complete(&route, prompt, None, None, None).await {
        Ok(routed) => {
            served.provider = Some(routed.provider.clone());
            served.attempts = serde_json::to_value(&routed.attempts).ok();
            let message = format!("Request routed via {}", routed.provider);
            let result = LlmResult {
                provider: routed.provider,
                model: routed.completion.model,
                text: routed.completion.text,
                finish_reason: routed.completion.finish_reason,
                usage: routed.completion.usage,
                attempts: routed.attempts,
            };
            Ok(ProcessResponse {
                status: "success",
                result: serde_json::to_value(result).unwrap_or_default(),
                message: Some(message),
                details: None,
                request_id: request_id.to_owned(),
            })
        }
        Err(error) => {
            served.attempts = serde_json::to_value(error.attempts()).ok();
            tracing::info!(%request_id, %route, %error, "LLM route failed");
            let status = match &error {
                RouteError::Refused { .. } => StatusCode::BAD_REQUEST,
                RouteError::Unavailable { .. } | RouteError::NoProviders(_) => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
            };
            Err(ApiError::new(status, error.to_string()))
        }
    };
    (answer, served)
}

/// Count the request in the metrics. An unknown task type is counted as `_unknown`, so that
/// callers cannot grow the label set.
fn count(
    state: &AppState,
    task_type: &str,
    served: &Served,
    answer: &Result<ProcessResponse, ApiError>,
    elapsed: std::time::Duration,
) {
    let kind = served.kind.as_str();
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            task_type: if served.kind == TaskKind::Unknown {
                "_unknown".into()
            } else {
                task_type.to_owned()
            },
            kind: kind.to_owned(),
            status: if answer.is_ok() { "success" } else { "error" }.to_owned(),
            provider: served.provider.clone().unwrap_or_default(),
        })
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&KindLabels {
            kind: kind.to_owned(),
        })
        .observe(elapsed.as_secs_f64());
}

/// `POST /api/v1/process`, for every key.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::User, routes!(process))
}
