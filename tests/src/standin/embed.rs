//! Embeddings of the stand-in providers, each in its provider's own API: OpenAI-compatible
//! `POST /v1/embeddings`, Ollama `POST /api/embed`, Gemini `batchEmbedContents`. The vector of
//! a text is `[its length in characters, the code of its first character / 1024, 0.5]`, so a
//! test can tell which text each vector belongs to.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Fault, StandInState};

/// The stand-in's vector for `text`.
pub fn vector(text: &str) -> Vec<f32> {
    let first = text.chars().next().map_or(0, |c| c as u32);
    vec![text.chars().count() as f32, first as f32 / 1024.0, 0.5]
}

/// Record the request; `Some(answer)` when the fault says to fail it.
fn admit(state: &Arc<Mutex<StandInState>>, body: &Value) -> Option<Response> {
    let mut s = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if s.requests.len() == super::KEPT_REQUESTS {
        s.requests.pop_front();
    }
    s.requests.push_back(body.clone());
    s.count += 1;
    match s.fault {
        Fault::Unavailable => Some(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": {"message": "overloaded", "type": "server_error"}})),
            )
                .into_response(),
        ),
        _ => None,
    }
}

fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// OpenAI's answer.
pub fn openai(state: &Arc<Mutex<StandInState>>, body: &Value) -> Response {
    if let Some(failed) = admit(state, body) {
        return failed;
    }
    let data: Vec<Value> = texts(&body["input"])
        .iter()
        .enumerate()
        .map(|(index, text)| json!({"object": "embedding", "index": index, "embedding": vector(text)}))
        .collect();
    Json(
        json!({"object": "list", "data": data, "model": body["model"],
                "usage": {"prompt_tokens": 4, "total_tokens": 4}}),
    )
    .into_response()
}

/// Ollama's answer.
pub fn ollama(state: &Arc<Mutex<StandInState>>, body: &Value) -> Response {
    if let Some(failed) = admit(state, body) {
        return failed;
    }
    let embeddings: Vec<Vec<f32>> = texts(&body["input"]).iter().map(|t| vector(t)).collect();
    Json(json!({"model": body["model"], "embeddings": embeddings, "prompt_eval_count": 4}))
        .into_response()
}

/// Gemini's answer.
pub fn gemini(state: &Arc<Mutex<StandInState>>, body: &Value) -> Response {
    if let Some(failed) = admit(state, body) {
        return failed;
    }
    let embeddings: Vec<Value> = body["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|request| {
            let text = request
                .pointer("/content/parts/0/text")
                .and_then(Value::as_str)
                .unwrap_or_default();
            json!({"values": vector(text)})
        })
        .collect();
    Json(json!({"embeddings": embeddings})).into_response()
}
