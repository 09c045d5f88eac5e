//! `POST /api/v1/process`: run a task with a skill or, if no skill has its name, through an
//! LLM route. Where a name is both (the original's `internal_summary`), the skill answers and
//! the route picks the providers for the skill's own `llm` calls.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::StatusCode;
use axum::http::header::ACCEPT;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::audit::{self, Served, Tokens};
use super::error::{ApiError, ErrorBody, ValidationErrorBody};
use super::request_id::RequestId;
use super::scope::{self, Target};
use super::sse;
use super::stream_limits::StreamSlot;
use super::task_stream::{Caller, TaskEvent};
use super::validation::{TaskBody, parse_task_body};
use crate::auth::Principal;
use crate::auth::Role;
use crate::llm::{Ask, Attempt, Completion, FinishReason, RouteError, Usage};
use crate::metrics::{KindLabels, RequestLabels, SkillFailureLabels};
use crate::runtime::{Call, InvokeError, SkillOutput};
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

/// Run a task with the skill named by `task_type`, or through the LLM route of that name;
/// streamed as events when the caller asks for `text/event-stream`.
#[utoipa::path(post, path = "/api/v1/process", tag = "process",
    request_body = ProcessRequest,
    responses(
        (status = 200, description = "The skill's (or route's) result; or, when the request has `Accept: text/event-stream` or `\"stream\": true`, Server-Sent Events: `start`, `delta`s, then one `result` or `error`, each event's data a TaskEvent",
            content(
                (ProcessResponse = "application/json"),
                (TaskEvent = "text/event-stream"),
            )),
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
    AcceptsEvents(accepts_events): AcceptsEvents,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let arrived = time::OffsetDateTime::now_utc();
    let body =
        body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    // A body that is not a task request is answered before anything runs, and not audited
    // (as in the original): there is no task to record.
    let mut task = parse_task_body(&body).map_err(ApiError::validation)?;
    let caller = Caller {
        client,
        principal: principal.map(|Extension(p)| p),
    };
    if wants_stream(accepts_events, &mut task) {
        let slot = stream_slot(&state, &caller)?;
        return Ok(sse::respond(state, request_id, caller, task, slot).into_response());
    }
    // Only the audit record needs the prompt once the skill has it: with auditing off, a large
    // prompt is not copied for nothing.
    let prompt = if state.audit_config.enabled {
        task.prompt.clone()
    } else {
        String::new()
    };
    let task_type = task.task_type.clone();
    let (answer, served) = dispatch(&state, &request_id, &caller, task).await;
    let ended = Ended {
        request_id: &request_id,
        arrived,
        task_type,
        served,
        prompt: &prompt,
        latency: started.elapsed(),
        caller: &caller,
        stream: None,
    };
    write_audit(&state, ended, answer.as_ref().map(|a| &a.result)).await?;
    answer.map(|a| Json(a).into_response())
}

/// A slot for one more stream of the caller's key, or a 429 saying how many it may have.
pub fn stream_slot(state: &AppState, caller: &Caller) -> Result<StreamSlot, ApiError> {
    let key: Arc<str> = match &caller.principal {
        Some(principal) => principal.key_id.clone(),
        None => Arc::from(caller.client.ip().to_string()),
    };
    state.streams.acquire(&key).ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "This key already has {} streams open, the most it may have ([server] max_streams_per_key); wait for one to end.",
                state.streams.per_key()
            ),
        )
    })
}

/// Whether the request's `Accept` header names `text/event-stream`. An extractor of its own
/// so that the handler does not copy every header of every request to read one.
pub struct AcceptsEvents(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for AcceptsEvents {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get_all(ACCEPT)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.contains("text/event-stream")),
        ))
    }
}

/// Whether the caller asked for events: `Accept: text/event-stream`, or `"stream": true` in
/// the body (taken out of the skill's params).
fn wants_stream(accepts_events: bool, task: &mut TaskBody) -> bool {
    let by_body = match task.extra.get("stream") {
        Some(Value::Bool(wanted)) => {
            let wanted = *wanted;
            task.extra.remove("stream");
            wanted
        }
        _ => false,
    };
    by_body || accepts_events
}

/// A request that has been answered (or given up), for its audit record.
pub struct Ended<'a> {
    /// Its id.
    pub request_id: &'a str,
    /// When it arrived (formatted only if the request is audited).
    pub arrived: time::OffsetDateTime,
    /// Its task type.
    pub task_type: String,
    /// What served it.
    pub served: Served,
    /// Its prompt.
    pub prompt: &'a str,
    /// From arrival to now.
    pub latency: std::time::Duration,
    /// Who asked.
    pub caller: &'a Caller,
    /// Streams: how the stream went.
    pub stream: Option<audit::StreamFacts<'a>>,
}

/// Count `ended` in the metrics and record it in the audit log (when it is on). An answer is
/// never given without its record: a failed write is a 503 for the caller.
pub async fn write_audit(
    state: &AppState,
    ended: Ended<'_>,
    answer: Result<&Value, &ApiError>,
) -> Result<(), ApiError> {
    count(
        state,
        &ended.task_type,
        &ended.served,
        answer.is_ok(),
        ended.latency,
    );
    if !state.audit_config.enabled {
        return Ok(());
    }
    let record = audit::record(audit::Facts {
        config: &state.audit_config,
        identity: &state.identity,
        request_id: ended.request_id,
        timestamp: crate::timestamp::rfc3339(ended.arrived),
        task_type: ended.task_type,
        served: ended.served,
        prompt: ended.prompt,
        answer,
        latency: ended.latency,
        client: audit::client_text(ended.caller.client),
        principal: ended.caller.principal.as_ref(),
        stream: ended.stream,
    });
    state.audit.writer.record(record).await.map_err(|error| {
        tracing::error!(request_id = ended.request_id, %error, "audit record not written; answering 503");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The request could not be recorded in the audit log ({error}); no answer is given without one. Try again shortly."
            ),
        )
    })
}

/// Run the task with the skill of its name, else its LLM route; say what served it.
async fn dispatch(
    state: &AppState,
    request_id: &Arc<str>,
    caller: &Caller,
    task: TaskBody,
) -> (Result<ProcessResponse, ApiError>, Served) {
    let principal = caller.principal.as_ref();
    let Some(skill) = state.catalogue.get(&task.task_type) else {
        if state.llm.has_route(&task.task_type) {
            let served = Served {
                kind: TaskKind::Llm,
                ..Served::default()
            };
            if let Err(refused) = scope::check(principal, Target::Route(&task.task_type)) {
                return (Err(refused), served);
            }
            return route(state, request_id, task.task_type, task.prompt).await;
        }
        tracing::info!(%request_id, task_type = %task.task_type, "unknown task type");
        let error = ApiError::not_found(format!(
            "Skill or LLM route '{}' not found.",
            task.task_type
        ));
        return (Err(error), Served::default());
    };
    let served = skill_served(&skill.manifest);
    if let Err(refused) = scope::check(principal, Target::Skill(&task.task_type))
        .and_then(|()| super::license::check_skill(&state.licensing, &task.task_type))
    {
        return (Err(refused), served);
    }
    let call = Call {
        request_id: request_id.clone(),
        task_type: task.task_type,
        prompt: task.prompt,
        params: task.extra,
        key_id: principal.map(|p| p.key_id.clone()),
        caller_role: principal.map(|p| p.role),
        deltas: None,
    };
    let result = state.runtime.invoke(&skill.prepared, call).await;
    let answer = skill_answer(state, request_id, skill.manifest.name.as_str(), result);
    (answer, served)
}

/// What serves a request for a skill.
pub fn skill_served(manifest: &praximous_registry::manifest::Manifest) -> Served {
    Served {
        kind: TaskKind::Skill,
        provider: Some(["skill:", manifest.name.as_str()].concat()),
        skill_version: Some(manifest.version.to_string()),
        attempts: None,
        tokens: None,
    }
}

/// The answer a skill's result makes, counting failures in the metrics by reason.
pub fn skill_answer(
    state: &AppState,
    request_id: &str,
    skill: &str,
    result: Result<SkillOutput, InvokeError>,
) -> Result<ProcessResponse, ApiError> {
    match result {
        Ok(output) => Ok(ProcessResponse {
            status: "success",
            result: output.data,
            message: output.message,
            details: output.details,
            request_id: request_id.to_owned(),
        }),
        Err(error) => {
            tracing::info!(%request_id, skill, %error, "skill did not succeed");
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
                    skill: skill.to_owned(),
                    reason: reason.into(),
                })
                .inc();
            Err(error.into())
        }
    }
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
    let answer = match state
        .llm
        .complete(&route, Ask::prompt(prompt.clone()))
        .await
    {
        Ok(routed) => {
            served.provider = Some(routed.provider.clone());
            served.attempts = serde_json::to_value(&routed.attempts).ok();
            served.tokens = Some(tokens(
                &routed.completion.usage,
                &prompt,
                &routed.completion.text,
            ));
            Ok(llm_answer(
                request_id,
                routed.provider,
                routed.completion,
                routed.attempts,
            ))
        }
        Err(error) => {
            served.attempts = serde_json::to_value(error.attempts()).ok();
            Err(route_error(request_id, &route, &error))
        }
    };
    (answer, served)
}

/// The answer of a completed LLM route: `result` holds the text and provider, `message` names
/// the provider, as in the original.
pub fn llm_answer(
    request_id: &str,
    provider: String,
    completion: Completion,
    attempts: Vec<Attempt>,
) -> ProcessResponse {
    let message = format!("Request routed via {provider}");
    let result = LlmResult {
        provider,
        model: completion.model,
        text: completion.text,
        finish_reason: completion.finish_reason,
        usage: completion.usage,
        attempts,
    };
    ProcessResponse {
        status: "success",
        result: serde_json::to_value(result).unwrap_or_default(),
        message: Some(message),
        details: None,
        request_id: request_id.to_owned(),
    }
}

/// A route that produced nothing: 400 when a provider refused the content, else 503 listing
/// each attempt.
pub fn route_error(request_id: &str, route: &str, error: &RouteError) -> ApiError {
    tracing::info!(%request_id, %route, %error, "LLM route failed");
    let status = match error {
        RouteError::Refused { .. } => StatusCode::BAD_REQUEST,
        RouteError::NotLicensed { locked, .. } => return super::license::refused(locked),
        RouteError::Unavailable { .. } | RouteError::NoProviders(_) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    ApiError::new(status, error.to_string())
}

/// Token counts for the record: the provider's, or estimates (marked so) where it gave none.
pub fn tokens(usage: &Usage, prompt: &str, text: &str) -> Tokens {
    let estimated = usage.input_tokens.is_none() || usage.output_tokens.is_none();
    Tokens {
        input: usage.input_tokens.or(Some(estimate_tokens(prompt))),
        output: usage.output_tokens.or(Some(estimate_tokens(text))),
        estimated,
    }
}

/// About four bytes of text a token, as tokenizers of English text average.
pub fn estimate_tokens(text: &str) -> u32 {
    text.len().div_ceil(4) as u32
}

/// Count the request in the metrics. An unknown task type is counted as `_unknown`, so that
/// callers cannot grow the label set.
fn count(
    state: &AppState,
    task_type: &str,
    served: &Served,
    succeeded: bool,
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
            kind,
            status: if succeeded { "success" } else { "error" },
            provider: served.provider.clone().unwrap_or_default(),
        })
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&KindLabels { kind })
        .observe(elapsed.as_secs_f64());
}

/// `POST /api/v1/process`, for every key.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::User, routes!(process))
}
