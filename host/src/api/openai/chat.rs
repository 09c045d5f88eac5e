//! `POST /v1/chat/completions`: a routing rule as the `model`, OpenAI's request and answer
//! shapes, whole or streamed in OpenAI's chunk format, with Praximous's routing, failover,
//! persona, keys, limits and audit (kind `openai`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use super::super::AppState;
use super::super::audit::Served;
use super::super::process::{Ended, route_error, stream_slot, tokens, write_audit};
use super::super::request_id::RequestId;
use super::super::sse_keep_alive;
use super::super::task_events::TaskEvents;
use super::super::task_stream::{self, Caller, Job, TaskEvent};
use super::chat_request::ChatRequest;
use super::errors::{self, OpenAiErrorBody};
use crate::auth::Principal;
use crate::llm::{Completion, FinishReason, RouteError};
use crate::store::TaskKind;

/// OpenAI's name for why generation stopped.
fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::MaxTokens => "length",
        FinishReason::Stop | FinishReason::Other => "stop",
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The answer to a whole request.
fn completion_object(
    id: &str,
    completion: &Completion,
    prompt_tokens: u32,
    completion_tokens: u32,
) -> Value {
    json!({
        "id": id,
        "object": "chat.completion",
        "created": unix_now(),
        "model": completion.model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": completion.text, "refusal": null},
            "logprobs": null,
            "finish_reason": finish_reason(completion.finish_reason),
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": null,
    })
}

/// Create a chat completion through the routing rule named by `model`.
#[utoipa::path(post, path = "/v1/chat/completions", tag = "openai",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "A `chat.completion`; or, with `stream: true`, Server-Sent Events of `chat.completion.chunk`s ending with `data: [DONE]`",
            content((Object = "application/json"), (String = "text/event-stream"))),
        (status = 400, description = "The request cannot be served as asked", body = OpenAiErrorBody),
        (status = 404, description = "No routing rule of that name (`model_not_found`)", body = OpenAiErrorBody),
        (status = 422, description = "The body is not a chat completion request", body = OpenAiErrorBody),
        (status = 503, description = "Every provider on the route failed", body = OpenAiErrorBody),
    ))]
pub async fn completions(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    body: Bytes,
) -> Response {
    let request: ChatRequest = match super::parse_body(&body, "a chat completion request") {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let ask = match request.ask() {
        Ok(ask) => ask,
        Err(refusal) => {
            return errors::answer(
                StatusCode::BAD_REQUEST,
                refusal.message,
                Some(refusal.param),
                Some("unsupported"),
            );
        }
    };
    if let Some(refused) = super::refuse_model(
        &state,
        principal.as_ref().map(|Extension(p)| p),
        &request.model,
    ) {
        return refused;
    }
    let caller = Caller {
        client,
        principal: principal.map(|Extension(p)| p),
    };
    let id = format!("chatcmpl-{request_id}");
    if request.stream {
        let slot = match stream_slot(&state, &caller) {
            Ok(slot) => slot,
            Err(error) => {
                return errors::answer(
                    error.status(),
                    error.detail_text(),
                    None,
                    Some("rate_limited"),
                );
            }
        };
        let include_usage = request.stream_options.is_some_and(|o| o.include_usage);
        let job = Job::Chat {
            route: request.model.clone(),
            ask,
            kind: TaskKind::Openai,
        };
        let events = task_stream::events(state, request_id, caller, job, slot);
        return chunks(events, id, request.model, include_usage).into_response();
    }
    whole(&state, &request_id, &caller, &request.model, ask, &id).await
}

/// Answer a whole request, audited like any other.
async fn whole(
    state: &AppState,
    request_id: &Arc<str>,
    caller: &Caller,
    route: &str,
    ask: crate::llm::Ask,
    id: &str,
) -> Response {
    let started = Instant::now();
    let arrived = time::OffsetDateTime::now_utc();
    let prompt = ask.prompt.clone();
    let mut served = Served {
        kind: TaskKind::Openai,
        ..Served::default()
    };
    let answer = match state.llm.complete(route, ask).await {
        Ok(routed) => {
            let counted = tokens(&routed.completion.usage, &prompt, &routed.completion.text);
            served.provider = Some(routed.provider.clone());
            served.attempts = serde_json::to_value(&routed.attempts).ok();
            served.tokens = Some(counted);
            Ok(completion_object(
                id,
                &routed.completion,
                counted.input.unwrap_or(0),
                counted.output.unwrap_or(0),
            ))
        }
        Err(error) => {
            served.attempts = serde_json::to_value(error.attempts()).ok();
            Err((route_error(request_id, route, &error), error))
        }
    };
    let ended = Ended {
        request_id,
        arrived,
        task_type: route.to_owned(),
        served,
        prompt: &prompt,
        latency: started.elapsed(),
        caller,
        stream: None,
    };
    let recorded = write_audit(state, ended, answer.as_ref().map_err(|(e, _)| e)).await;
    if let Err(unrecorded) = recorded {
        return errors::answer(
            unrecorded.status(),
            unrecorded.detail_text(),
            None,
            Some("unavailable"),
        );
    }
    match answer {
        Ok(object) => Json(object).into_response(),
        Err((error, RouteError::Refused { .. })) => errors::answer(
            error.status(),
            error.detail_text(),
            None,
            Some("content_filter"),
        ),
        Err((error, RouteError::NotLicensed { .. })) => errors::answer(
            error.status(),
            error.detail_text(),
            Some("model"),
            Some("not_licensed"),
        ),
        Err((error, _)) => errors::answer(
            error.status(),
            error.detail_text(),
            None,
            Some("unavailable"),
        ),
    }
}

/// A task's events as OpenAI's chunks: the role first, then the text, the finish reason once,
/// the token counts if asked for, and `[DONE]`; a failure after the start is an `error` payload
/// and no `[DONE]`, so no client takes a cut-off answer for a whole one.
fn chunks(
    events: TaskEvents,
    id: String,
    model: String,
    include_usage: bool,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let created = unix_now();
    let chunk = move |delta: Value, finish: Option<&str>| {
        json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
    };
    let events = futures_util::stream::unfold(
        (events, chunk, false),
        move |(mut events, chunk, finished)| async move {
            if finished {
                return None;
            }
            let event = events.next().await?;
            let (payloads, done) = match event {
                TaskEvent::Start { .. } => (vec![chunk(json!({"role": "assistant", "content": ""}), None).to_string()], false),
                TaskEvent::Delta { text, .. } => (vec![chunk(json!({"content": text}), None).to_string()], false),
                TaskEvent::Result(response) => {
                    let result = &response.result;
                    let reason = match result["finish_reason"].as_str() {
                        Some("max_tokens") => "length",
                        _ => "stop",
                    };
                    let mut last = vec![chunk(json!({}), Some(reason)).to_string()];
                    if include_usage {
                        let input = result["usage"]["input_tokens"].as_u64().unwrap_or(0);
                        let output = result["usage"]["output_tokens"].as_u64().unwrap_or(0);
                        let mut usage = chunk(json!({}), None);
                        usage["choices"] = json!([]);
                        usage["usage"] = json!({"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output});
                        last.push(usage.to_string());
                    }
                    last.push("[DONE]".to_owned());
                    (last, true)
                }
                TaskEvent::Error { status, code, detail, .. } => {
                    let code = serde_json::to_value(code).ok().and_then(|c| c.as_str().map(str::to_owned)).unwrap_or_default();
                    (vec![errors::stream_error(status, &detail, &code)], true)
                }
            };
            let sent: Vec<Result<Event, Infallible>> =
                payloads.into_iter().map(|data| Ok(Event::default().data(data))).collect();
            Some((futures_util::stream::iter(sent), (events, chunk, done)))
        },
    )
    .flatten();
    sse_keep_alive::sse(events)
}
