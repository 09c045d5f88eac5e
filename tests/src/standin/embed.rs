//! Embeddings of the stand-in providers, each in its provider's own API: OpenAI-compatible
//! `POST /v1/embeddings`, Ollama `POST /api/embed`, Gemini `batchEmbedContents`. By default the
//! vector of a text is `[its length in characters, the code of its first character / 1024,
//! 0.5]`, so a test can tell which text each vector belongs to; with [`Embedding::Concepts`]
//! it counts the text's words in a few families of meaning ([`concepts`]), so that texts about
//! the same thing in other words lie close, as a real embedding model's would.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Fault, StandInState};

/// How a stand-in embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Embedding {
    /// [`vector`]: tells texts apart by length and first letter.
    #[default]
    Shape,
    /// [`concepts`]: texts about the same thing lie close.
    Concepts,
}

/// The stand-in's vector for `text`.
pub fn vector(text: &str) -> Vec<f32> {
    let first = text.chars().next().map_or(0, |c| c as u32);
    vec![text.chars().count() as f32, first as f32 / 1024.0, 0.5]
}

/// Words of each family of meaning [`concepts`] counts.
pub const FAMILIES: [&[&str]; 6] = [
    &["leave", "holiday", "holidays", "vacation", "annual", "off"],
    &["sick", "sickness", "ill", "illness", "unwell", "doctor"],
    &[
        "travel", "flight", "flights", "fly", "plane", "trip", "trips", "economy",
    ],
    &[
        "expenses",
        "expense",
        "receipts",
        "reimburse",
        "claim",
        "money",
        "finance",
    ],
    &["manager", "report", "boss", "supervisor"],
    &["year", "march", "days", "calendar", "hours", "clock"],
];

/// A vector of meaning for `text`, as `model` makes it: how often the text's words fall in
/// each of the [`FAMILIES`], plus a constant so no vector is zero, normalised. A model whose
/// name ends in `-v2` puts the families in reverse order and adds two dimensions, so its
/// vectors do not compare with the others'.
pub fn concepts(text: &str, model: &str) -> Vec<f32> {
    let mut counts = vec![0f32; FAMILIES.len()];
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        for (family, words) in FAMILIES.iter().enumerate() {
            if words.contains(&word.as_str()) {
                counts[family] += 1.0;
            }
        }
    }
    counts.push(0.05);
    if model.ends_with("-v2") {
        counts.reverse();
        counts.extend([0.01, 0.01]);
    }
    let norm = counts.iter().map(|x| x * x).sum::<f32>().sqrt();
    counts.iter().map(|x| x / norm).collect()
}

fn embedded(state: &Arc<Mutex<StandInState>>, text: &str, model: &str) -> Vec<f32> {
    let how = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .embedding;
    match how {
        Embedding::Shape => vector(text),
        Embedding::Concepts => concepts(text, model),
    }
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
    let model = body["model"].as_str().unwrap_or_default();
    let data: Vec<Value> = texts(&body["input"])
        .iter()
        .enumerate()
        .map(|(index, text)| json!({"object": "embedding", "index": index, "embedding": embedded(state, text, model)}))
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
    let model = body["model"].as_str().unwrap_or_default();
    let embeddings: Vec<Vec<f32>> = texts(&body["input"])
        .iter()
        .map(|t| embedded(state, t, model))
        .collect();
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
            json!({"values": embedded(state, text, "")})
        })
        .collect();
    Json(json!({"embeddings": embeddings})).into_response()
}
