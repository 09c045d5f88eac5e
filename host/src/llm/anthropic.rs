//! Anthropic: `POST {base}/v1/messages` with `x-api-key` and `anthropic-version`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::client::{CompletionStream, Endpoint, LlmProvider, ProviderFuture};
use super::http::{Answer, check_status, json_message, send};
use super::provider::{Completion, CompletionRequest, FinishReason, ProviderError, Usage, excerpt};
use super::stream::sse::Sse;
use super::stream::{self, anthropic_sse::AnthropicEvents};

/// Public endpoint, used when no base URL is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The API version this client speaks.
pub const API_VERSION: &str = "2023-06-01";
/// `max_tokens` is required by the Messages API; this is sent when the caller sets none.
const DEFAULT_MAX_TOKENS: u32 = 1024;

/// Anthropic's Messages API.
pub struct Anthropic(pub Endpoint);

impl LlmProvider for Anthropic {
    fn complete<'a>(
        &'a self,
        model: &'a str,
        request: &'a CompletionRequest,
    ) -> ProviderFuture<'a, Completion> {
        Box::pin(complete(
            &self.0.http,
            &self.0.base_url,
            self.0.api_key.as_deref(),
            model,
            request,
            self.0.timeout,
        ))
    }

    fn stream<'a>(
        &'a self,
        model: &'a str,
        request: &'a CompletionRequest,
    ) -> ProviderFuture<'a, CompletionStream> {
        Box::pin(async move {
            let mut body = body(model, request);
            body["stream"] = json!(true);
            let builder =
                build(&self.0.http, &self.0.base_url, self.0.api_key.as_deref()).json(&body);
            let response =
                stream::open(builder, |answer| stream::refusal(parse(answer, model))).await?;
            Ok(stream::events(
                response,
                Sse::<AnthropicEvents>::default(),
                model,
            ))
        })
    }
}

/// Build and send one Messages call.
pub async fn complete(
    http: &reqwest::Client,
    base_url: &str,
    api_key: Option<&str>,
    model: &str,
    request: &CompletionRequest,
    timeout: Duration,
) -> Result<Completion, ProviderError> {
    let builder = build(http, base_url, api_key).json(&body(model, request));
    parse(&send(builder, timeout).await?, model)
}

/// The request, without its body.
fn build(http: &reqwest::Client, base_url: &str, api_key: Option<&str>) -> reqwest::RequestBuilder {
    let url = format!("{}/v1/messages", base_url.trim_end_matches('/'));
    let builder = http.post(url).header("anthropic-version", API_VERSION);
    match api_key {
        Some(key) => builder.header("x-api-key", key),
        None => builder,
    }
}

/// The Messages body.
fn body(model: &str, request: &CompletionRequest) -> serde_json::Value {
    let mut body = json!({
        "model": model,
        "max_tokens": request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "system": request.system,
        "messages": request.messages(false),
    });
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if !request.stop.is_empty() {
        body["stop_sequences"] = json!(request.stop);
    }
    body
}

#[derive(Deserialize)]
struct Response {
    model: Option<String>,
    #[serde(default)]
    content: Vec<Block>,
    stop_reason: Option<String>,
    usage: Option<TokenUsage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct TokenUsage {
    input_tokens: Option<u32>,
    output_tokens: Option<u32>,
}

fn parse(answer: &Answer, model: &str) -> Result<Completion, ProviderError> {
    if answer.status == 400 {
        let message = json_message(&answer.body, "/error/message");
        if message.contains("prompt is too long") {
            return Err(ProviderError::ContextLength(message));
        }
    }
    if answer.status == 529 {
        return Err(ProviderError::Server {
            status: 529,
            message: json_message(&answer.body, "/error/message"),
        });
    }
    check_status(answer, |body| json_message(body, "/error/message"))?;
    let response: Response = serde_json::from_str(&answer.body)
        .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(&answer.body))))?;
    let text: String = response
        .content
        .into_iter()
        .filter(|b| b.kind == "text")
        .filter_map(|b| b.text)
        .collect();
    let finish_reason = stop_reason(response.stop_reason.as_deref().unwrap_or("end_turn"))?;
    if text.trim().is_empty() {
        return Err(ProviderError::BadResponse("empty answer".into()));
    }
    Ok(Completion {
        text,
        model: response.model.unwrap_or_else(|| model.to_owned()),
        finish_reason,
        usage: response.usage.map_or_else(Usage::default, |u| Usage {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
        }),
    })
}

/// What a `stop_reason` means; `refusal` is a refusal, not an answer.
pub fn stop_reason(reason: &str) -> Result<FinishReason, ProviderError> {
    match reason {
        "end_turn" | "stop_sequence" => Ok(FinishReason::Stop),
        "max_tokens" => Ok(FinishReason::MaxTokens),
        "refusal" => Err(ProviderError::ContentFiltered(
            "the model refused (stop_reason refusal)".into(),
        )),
        _ => Ok(FinishReason::Other),
    }
}
