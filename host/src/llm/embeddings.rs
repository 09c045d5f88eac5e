//! Embeddings in each provider's own API: OpenAI-compatible `POST {base}/embeddings`, Ollama
//! `POST {base}/api/embed`, Gemini `batchEmbedContents`. Every vector comes back in input order
//! or the answer is unusable.

use serde::Deserialize;
use serde_json::json;

use super::client::{Embeddings, Endpoint};
use super::http::{Answer, check_status, json_message, send};
use super::provider::{ProviderError, excerpt};

/// `path` under the endpoint's base URL.
fn url(endpoint: &Endpoint, path: &str) -> String {
    format!("{}{path}", endpoint.base_url.trim_end_matches('/'))
}

fn parse<T: for<'de> Deserialize<'de>>(answer: &Answer) -> Result<T, ProviderError> {
    serde_json::from_str(&answer.body)
        .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(&answer.body))))
}

fn checked(
    model: &str,
    inputs: usize,
    vectors: Vec<Vec<f32>>,
) -> Result<Embeddings, ProviderError> {
    if vectors.len() != inputs || vectors.iter().any(Vec::is_empty) {
        return Err(ProviderError::BadResponse(format!(
            "{} vectors for {inputs} inputs",
            vectors.len()
        )));
    }
    Ok(Embeddings {
        model: model.to_owned(),
        vectors,
    })
}

/// OpenAI-compatible servers.
pub async fn openai(
    endpoint: &Endpoint,
    model: &str,
    inputs: &[String],
) -> Result<Embeddings, ProviderError> {
    #[derive(Deserialize)]
    struct Response {
        data: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        index: usize,
        embedding: Vec<f32>,
    }
    let mut builder = endpoint
        .http
        .post(url(endpoint, "/embeddings"))
        .json(&json!({ "model": model, "input": inputs, "encoding_format": "float" }));
    if let Some(key) = &endpoint.api_key {
        builder = builder.bearer_auth(key);
    }
    let answer = send(builder, endpoint.timeout).await?;
    check_status(&answer, |body| json_message(body, "/error/message"))?;
    let mut items = parse::<Response>(&answer)?.data;
    items.sort_by_key(|item| item.index);
    checked(
        model,
        inputs.len(),
        items.into_iter().map(|i| i.embedding).collect(),
    )
}

/// Ollama.
pub async fn ollama(
    endpoint: &Endpoint,
    model: &str,
    inputs: &[String],
) -> Result<Embeddings, ProviderError> {
    #[derive(Deserialize)]
    struct Response {
        embeddings: Vec<Vec<f32>>,
    }
    let builder = endpoint
        .http
        .post(url(endpoint, "/api/embed"))
        .json(&json!({ "model": model, "input": inputs }));
    let answer = send(builder, endpoint.timeout).await?;
    check_status(&answer, |body| json_message(body, "/error"))?;
    checked(model, inputs.len(), parse::<Response>(&answer)?.embeddings)
}

/// Gemini.
pub async fn gemini(
    endpoint: &Endpoint,
    model: &str,
    inputs: &[String],
) -> Result<Embeddings, ProviderError> {
    #[derive(Deserialize)]
    struct Response {
        embeddings: Vec<Values>,
    }
    #[derive(Deserialize)]
    struct Values {
        values: Vec<f32>,
    }
    let path = format!("/v1beta/models/{model}:batchEmbedContents");
    let requests: Vec<_> = inputs
        .iter()
        .map(|text| json!({ "model": format!("models/{model}"), "content": { "parts": [{ "text": text }] } }))
        .collect();
    let mut builder = endpoint
        .http
        .post(url(endpoint, &path))
        .json(&json!({ "requests": requests }));
    if let Some(key) = &endpoint.api_key {
        builder = builder.header("x-goog-api-key", key);
    }
    let answer = send(builder, endpoint.timeout).await?;
    check_status(&answer, |body| json_message(body, "/error/message"))?;
    let vectors = parse::<Response>(&answer)?
        .embeddings
        .into_iter()
        .map(|v| v.values)
        .collect();
    checked(model, inputs.len(), vectors)
}
