//! `POST /v1/embeddings`: vectors from the providers on a route that offer embeddings, failing
//! over only among those with the same embedding model (vectors of different models do not
//! compare), in OpenAI's shape (`float` lists, or `base64` of little-endian float32 as the SDKs
//! ask by default).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::AppState;
use super::super::audit::{Served, Tokens};
use super::super::process::{Ended, estimate_tokens, route_error, write_audit};
use super::super::request_id::RequestId;
use super::super::task_stream::Caller;
use super::errors::{self, OpenAiErrorBody};
use crate::auth::Principal;
use crate::store::TaskKind;

/// An embeddings request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EmbeddingsRequest {
    /// A routing rule whose providers offer embeddings.
    pub model: String,
    /// A text, or a list of texts (token ids are not accepted: send text).
    #[schema(value_type = Object)]
    pub input: Value,
    /// `float` (default) or `base64`.
    #[serde(default)]
    pub encoding_format: Option<String>,
    /// The end user (accepted, not used).
    #[serde(default)]
    pub user: Option<String>,
}

/// The texts of `input`, or what is wrong with it.
fn texts(input: &Value) -> Result<Vec<String>, String> {
    let texts = match input {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Value::Array(items) if items.iter().any(|i| i.is_number() || i.is_array()) => {
            return Err("`input` as token ids is not supported: send the text (with LangChain's OpenAIEmbeddings, set check_embedding_ctx_length=False)".into());
        }
        _ => return Err("`input` must be a string or a non-empty list of strings".into()),
    };
    if texts.len() > 2048 {
        return Err("`input` may hold at most 2048 texts".into());
    }
    if texts.iter().any(String::is_empty) {
        return Err("`input` may not hold an empty text".into());
    }
    Ok(texts)
}

/// Embed texts through the routing rule named by `model`.
#[utoipa::path(post, path = "/v1/embeddings", tag = "openai",
    request_body = EmbeddingsRequest,
    responses(
        (status = 200, description = "The vectors, in input order", body = Object),
        (status = 400, description = "The input cannot be embedded as sent, or no provider on the route embeds", body = OpenAiErrorBody),
        (status = 404, description = "No routing rule of that name (`model_not_found`)", body = OpenAiErrorBody),
        (status = 503, description = "Every provider able to embed failed", body = OpenAiErrorBody),
    ))]
pub async fn embeddings(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    body: Bytes,
) -> Response {
    let request: EmbeddingsRequest = match super::parse_body(&body, "an embeddings request") {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let inputs = match texts(&request.input) {
        Ok(inputs) => inputs,
        Err(message) => {
            return errors::answer(
                StatusCode::BAD_REQUEST,
                message,
                Some("input"),
                Some("invalid_input"),
            );
        }
    };
    let base64 = match request.encoding_format.as_deref() {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => {
            return errors::answer(
                StatusCode::BAD_REQUEST,
                format!("`encoding_format` must be float or base64, not {other}"),
                Some("encoding_format"),
                Some("invalid_request"),
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
    if state.llm.embedding_model(&request.model).is_none() {
        return errors::answer(
            StatusCode::BAD_REQUEST,
            format!(
                "No provider on the route `{}` embeds text: give one an `embedding_model` in its [[providers]] entry.",
                request.model
            ),
            Some("model"),
            Some("model_not_supported"),
        );
    }
    let caller = Caller {
        client,
        principal: principal.map(|Extension(p)| p),
    };
    answer(&state, &request_id, &caller, &request.model, inputs, base64).await
}

async fn answer(
    state: &AppState,
    request_id: &Arc<str>,
    caller: &Caller,
    route: &str,
    inputs: Vec<String>,
    base64: bool,
) -> Response {
    let started = Instant::now();
    let arrived = time::OffsetDateTime::now_utc();
    let prompt_tokens: u32 = inputs.iter().map(|text| estimate_tokens(text)).sum();
    let prompt = inputs.join("\n");
    let mut served = Served {
        kind: TaskKind::Openai,
        tokens: Some(Tokens {
            input: Some(prompt_tokens),
            output: Some(0),
            estimated: true,
        }),
        ..Served::default()
    };
    let result = state.llm.embed(route, &inputs).await;
    let answer = match result {
        Ok((embeddings, provider, attempts)) => {
            served.provider = Some(provider);
            served.attempts = serde_json::to_value(&attempts).ok();
            let data: Vec<Value> = embeddings
                .vectors
                .iter()
                .enumerate()
                .map(|(index, vector)| {
                    let embedding = if base64 {
                        let bytes: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
                        json!(base64::engine::general_purpose::STANDARD.encode(bytes))
                    } else {
                        json!(vector)
                    };
                    json!({"object": "embedding", "index": index, "embedding": embedding})
                })
                .collect();
            Ok(json!({
                "object": "list",
                "data": data,
                "model": embeddings.model,
                "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
            }))
        }
        Err(error) => {
            served.attempts = serde_json::to_value(error.attempts()).ok();
            Err(route_error(request_id, route, &error))
        }
    };
    // The record keeps the counts and the provider, not the vectors.
    let summary = json!({"embedded": inputs.len()});
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
    let recorded = write_audit(state, ended, answer.as_ref().map(|_| &summary)).await;
    if let Err(unrecorded) = recorded {
        return errors::answer(
            unrecorded.status(),
            unrecorded.detail_text(),
            None,
            Some("unavailable"),
        );
    }
    match answer {
        Ok(body) => Json(body).into_response(),
        Err(error) => errors::answer(
            error.status(),
            error.detail_text(),
            None,
            Some("unavailable"),
        ),
    }
}
