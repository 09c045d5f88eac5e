//! Ollama: `POST {base}/api/chat`, whole or streamed as NDJSON. `num_ctx` is always sent, sized to the
//! prompt, because Ollama's default window silently truncates long prompts.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::client::{CompletionStream, Embeddings, Endpoint, LlmProvider, ProviderFuture};
use super::embeddings;
use super::http::{Answer, check_status, json_message, send};
use super::provider::{Completion, CompletionRequest, FinishReason, ProviderError, Usage, excerpt};
use super::stream::{self, ollama_ndjson::OllamaLines};

/// Local endpoint, used when no base URL is configured.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:11434";

/// Context window asked for when the prompt is short.
const MIN_NUM_CTX: u32 = 8192;

/// The context window to ask for: room for the prompt (estimated at 3 bytes per token, on
/// the generous side) plus the answer, rounded up to a multiple of 1024, at least
/// [`MIN_NUM_CTX`], and at least the operator's `configured` value.
pub fn num_ctx(request: &CompletionRequest, configured: Option<u32>) -> u32 {
    let history: usize = request.history.iter().map(|turn| turn.text.len()).sum();
    let prompt_tokens = (request.system.len() + history + request.prompt.len()).div_ceil(3) as u32;
    let wanted = prompt_tokens.saturating_add(request.max_tokens.unwrap_or(1024));
    let rounded = wanted.div_ceil(1024).saturating_mul(1024);
    rounded.max(MIN_NUM_CTX).max(configured.unwrap_or(0))
}

/// Ollama's native chat API.
pub struct Ollama {
    /// Where it is.
    pub endpoint: Endpoint,
    /// The operator's smallest context window, if set.
    pub num_ctx: Option<u32>,
}

impl LlmProvider for Ollama {
    fn complete<'a>(
        &'a self,
        model: &'a str,
        request: &'a CompletionRequest,
    ) -> ProviderFuture<'a, Completion> {
        let e = &self.endpoint;
        Box::pin(complete(
            &e.http,
            &e.base_url,
            model,
            self.num_ctx,
            request,
            e.timeout,
        ))
    }

    fn stream<'a>(
        &'a self,
        model: &'a str,
        request: &'a CompletionRequest,
    ) -> ProviderFuture<'a, CompletionStream> {
        Box::pin(async move {
            let e = &self.endpoint;
            let builder =
                build(&e.http, &e.base_url).json(&body(model, self.num_ctx, request, true));
            let response =
                stream::open(builder, |answer| stream::refusal(parse(answer, model))).await?;
            Ok(stream::events(response, OllamaLines::default(), model))
        })
    }

    fn embed<'a>(&'a self, model: &'a str, inputs: &'a [String]) -> ProviderFuture<'a, Embeddings> {
        Box::pin(embeddings::ollama(&self.endpoint, model, inputs))
    }
}

/// Build and send one `/api/chat` call.
pub async fn complete(
    http: &reqwest::Client,
    base_url: &str,
    model: &str,
    configured_num_ctx: Option<u32>,
    request: &CompletionRequest,
    timeout: Duration,
) -> Result<Completion, ProviderError> {
    let builder = build(http, base_url).json(&body(model, configured_num_ctx, request, false));
    parse(&send(builder, timeout).await?, model)
}

/// The request, without its body.
fn build(http: &reqwest::Client, base_url: &str) -> reqwest::RequestBuilder {
    http.post(format!("{}/api/chat", base_url.trim_end_matches('/')))
}

/// The `/api/chat` body; `stream` asks for NDJSON chunks.
fn body(
    model: &str,
    configured_num_ctx: Option<u32>,
    request: &CompletionRequest,
    stream: bool,
) -> serde_json::Value {
    let mut options = serde_json::Map::new();
    options.insert(
        "num_ctx".into(),
        json!(num_ctx(request, configured_num_ctx)),
    );
    if let Some(max) = request.max_tokens {
        options.insert("num_predict".into(), json!(max));
    }
    if let Some(t) = request.temperature {
        options.insert("temperature".into(), json!(t));
    }
    if !request.stop.is_empty() {
        options.insert("stop".into(), json!(request.stop));
    }
    json!({
        "model": model,
        "messages": request.messages(true),
        "stream": stream,
        "options": options,
    })
}

#[derive(Deserialize)]
struct Response {
    model: Option<String>,
    message: Option<Message>,
    done_reason: Option<String>,
    prompt_eval_count: Option<u32>,
    eval_count: Option<u32>,
}

#[derive(Deserialize)]
struct Message {
    content: String,
}

fn parse(answer: &Answer, model: &str) -> Result<Completion, ProviderError> {
    check_status(answer, |body| json_message(body, "/error"))?;
    let response: Response = serde_json::from_str(&answer.body)
        .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(&answer.body))))?;
    let text = response.message.map(|m| m.content).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ProviderError::BadResponse("empty answer".into()));
    }
    let finish_reason = done_reason(response.done_reason.as_deref());
    Ok(Completion {
        text,
        model: response.model.unwrap_or_else(|| model.to_owned()),
        finish_reason,
        usage: Usage {
            input_tokens: response.prompt_eval_count,
            output_tokens: response.eval_count,
        },
    })
}

/// What a `done_reason` means.
pub fn done_reason(reason: Option<&str>) -> FinishReason {
    match reason {
        None | Some("stop") => FinishReason::Stop,
        Some("length") => FinishReason::MaxTokens,
        Some(_) => FinishReason::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_ctx_grows_with_the_prompt() {
        let short = CompletionRequest {
            system: "s".into(),
            prompt: "hi".into(),
            ..CompletionRequest::default()
        };
        assert_eq!(num_ctx(&short, None), 8192);
        assert_eq!(num_ctx(&short, Some(16384)), 16384);
        let long = CompletionRequest {
            prompt: "x".repeat(90_000),
            ..short
        };
        assert_eq!(
            num_ctx(&long, None),
            31744,
            "30,000 prompt tokens + 1024 answer, rounded up"
        );
    }
}
