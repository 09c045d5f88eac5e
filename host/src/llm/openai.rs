//! Any OpenAI-compatible server (OpenAI, vLLM, llama.cpp, LM Studio, ...):
//! `POST {base}/chat/completions`, where the base URL includes the `/v1` prefix as in
//! OpenAI's own clients. The key, if any, goes in `Authorization: Bearer`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::client::{CompletionStream, Embeddings, Endpoint, LlmProvider, ProviderFuture};
use super::embeddings;
use super::http::{Answer, check_status, json_message, send};
use super::provider::{Completion, CompletionRequest, FinishReason, ProviderError, Usage, excerpt};
use super::stream::sse::Sse;
use super::stream::{self, openai_sse::OpenAiEvents};

/// Public endpoint, used when no base URL is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Any OpenAI-compatible server.
pub struct OpenAi(pub Endpoint);

impl LlmProvider for OpenAi {
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
            let builder = build(&self.0.http, &self.0.base_url, self.0.api_key.as_deref())
                .json(&streamed(body(model, request)));
            let response =
                stream::open(builder, |answer| stream::refusal(parse(answer, model))).await?;
            Ok(stream::events(
                response,
                Sse::<OpenAiEvents>::default(),
                model,
            ))
        })
    }

    fn embed<'a>(&'a self, model: &'a str, inputs: &'a [String]) -> ProviderFuture<'a, Embeddings> {
        Box::pin(embeddings::openai(&self.0, model, inputs))
    }
}

/// The body of a streamed call: chunks, and the token counts in the last one.
fn streamed(mut body: serde_json::Value) -> serde_json::Value {
    body["stream"] = json!(true);
    body["stream_options"] = json!({ "include_usage": true });
    body
}

/// Build and send one chat completion.
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
    let url = format!("{}/chat/completions", base_url.trim_end_matches('/'));
    let builder = http.post(url);
    match api_key {
        Some(key) => builder.bearer_auth(key),
        None => builder,
    }
}

/// The chat completion body.
fn body(model: &str, request: &CompletionRequest) -> serde_json::Value {
    let mut body = json!({
        "model": model,
        "messages": request.messages(true),
    });
    if let Some(max) = request.max_tokens {
        body["max_tokens"] = json!(max);
    }
    if !request.stop.is_empty() {
        body["stop"] = json!(request.stop);
    }
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    body
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
    code: Option<serde_json::Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<TokenUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct TokenUsage {
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
}

fn parse(answer: &Answer, model: &str) -> Result<Completion, ProviderError> {
    if !(200..300).contains(&answer.status)
        && let Ok(ErrorBody { error }) = serde_json::from_str::<ErrorBody>(&answer.body)
    {
        let code = error
            .code
            .as_ref()
            .and_then(|c| c.as_str())
            .unwrap_or_default();
        let kind = error.kind.as_deref().unwrap_or_default();
        if code == "context_length_exceeded" {
            return Err(ProviderError::ContextLength(error.message));
        }
        if code == "content_filter"
            || code == "content_policy_violation"
            || kind == "content_filter"
        {
            return Err(ProviderError::ContentFiltered(error.message));
        }
    }
    check_status(answer, |body| json_message(body, "/error/message"))?;
    let response: Response = serde_json::from_str(&answer.body)
        .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(&answer.body))))?;
    let Some(choice) = response.choices.into_iter().next() else {
        return Err(ProviderError::BadResponse(
            "no choices in the answer".into(),
        ));
    };
    let finish_reason = finish_reason(choice.finish_reason.as_deref().unwrap_or("stop"))?;
    let text = choice.message.and_then(|m| m.content).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ProviderError::BadResponse("empty answer".into()));
    }
    Ok(Completion {
        text,
        model: response.model.unwrap_or_else(|| model.to_owned()),
        finish_reason,
        usage: response.usage.map_or_else(Usage::default, |u| Usage {
            input_tokens: u.prompt_tokens,
            output_tokens: u.completion_tokens,
        }),
    })
}

/// What a `finish_reason` means; `content_filter` is a refusal, not an answer.
pub fn finish_reason(reason: &str) -> Result<FinishReason, ProviderError> {
    match reason {
        "stop" => Ok(FinishReason::Stop),
        "length" => Ok(FinishReason::MaxTokens),
        "content_filter" => Err(ProviderError::ContentFiltered(
            "generation stopped (content_filter)".into(),
        )),
        _ => Ok(FinishReason::Other),
    }
}
