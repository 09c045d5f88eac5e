//! Google Gemini: `POST {base}/v1beta/models/{model}:generateContent`, key in `x-goog-api-key`.
//! A blocked prompt or a SAFETY/RECITATION stop is reported as such, never as an empty success.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::client::{CompletionStream, Embeddings, Endpoint, LlmProvider, ProviderFuture};
use super::embeddings;
use super::http::{Answer, check_status, json_message, send};
use super::provider::{
    Completion, CompletionRequest, FinishReason, ProviderError, TurnRole, Usage, excerpt,
};
use super::stream::sse::Sse;
use super::stream::{self, gemini_sse::GeminiEvents};

/// Public endpoint, used when no base URL is configured.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// Google Gemini.
pub struct Gemini(pub Endpoint);

impl LlmProvider for Gemini {
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
            let builder = build(
                &self.0.http,
                &self.0.base_url,
                self.0.api_key.as_deref(),
                &format!("{model}:streamGenerateContent?alt=sse"),
            )
            .json(&body(request));
            let response =
                stream::open(builder, |answer| stream::refusal(parse(answer, model))).await?;
            Ok(stream::events(
                response,
                Sse::<GeminiEvents>::default(),
                model,
            ))
        })
    }

    fn embed<'a>(&'a self, model: &'a str, inputs: &'a [String]) -> ProviderFuture<'a, Embeddings> {
        Box::pin(embeddings::gemini(&self.0, model, inputs))
    }
}

/// Build and send one `generateContent` call.
pub async fn complete(
    http: &reqwest::Client,
    base_url: &str,
    api_key: Option<&str>,
    model: &str,
    request: &CompletionRequest,
    timeout: Duration,
) -> Result<Completion, ProviderError> {
    let builder =
        build(http, base_url, api_key, &format!("{model}:generateContent")).json(&body(request));
    parse(&send(builder, timeout).await?, model)
}

/// The request for `model_action` (`MODEL:generateContent`), without its body.
fn build(
    http: &reqwest::Client,
    base_url: &str,
    api_key: Option<&str>,
    model_action: &str,
) -> reqwest::RequestBuilder {
    let url = format!(
        "{}/v1beta/models/{model_action}",
        base_url.trim_end_matches('/')
    );
    let builder = http.post(url);
    match api_key {
        Some(key) => builder.header("x-goog-api-key", key),
        None => builder,
    }
}

/// The `generateContent` body.
fn body(request: &CompletionRequest) -> serde_json::Value {
    let mut generation = serde_json::Map::new();
    if let Some(max) = request.max_tokens {
        generation.insert("maxOutputTokens".into(), json!(max));
    }
    if let Some(t) = request.temperature {
        generation.insert("temperature".into(), json!(t));
    }
    if !request.stop.is_empty() {
        generation.insert("stopSequences".into(), json!(request.stop));
    }
    // Gemini calls the model's turns `model`.
    let contents: Vec<serde_json::Value> = request
        .history
        .iter()
        .map(|turn| {
            let role = match turn.role {
                TurnRole::User => "user",
                TurnRole::Assistant => "model",
            };
            json!({ "role": role, "parts": [{ "text": turn.text }] })
        })
        .chain(std::iter::once(
            json!({ "role": "user", "parts": [{ "text": request.prompt }] }),
        ))
        .collect();
    json!({
        "systemInstruction": { "parts": [{ "text": request.system }] },
        "contents": contents,
        "generationConfig": generation,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
/// A `generateContent` answer, and each chunk of a streamed one.
pub(crate) struct Response {
    #[serde(default)]
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) prompt_feedback: Option<PromptFeedback>,
    pub(crate) usage_metadata: Option<UsageMetadata>,
    pub(crate) model_version: Option<String>,
    /// An error reported inside a stream.
    pub(crate) error: Option<ErrorDetail>,
}

/// An error inside a stream.
#[derive(Deserialize)]
pub(crate) struct ErrorDetail {
    pub(crate) message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Candidate {
    pub(crate) content: Option<Content>,
    pub(crate) finish_reason: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Content {
    #[serde(default)]
    pub(crate) parts: Vec<Part>,
}

#[derive(Deserialize)]
pub(crate) struct Part {
    pub(crate) text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PromptFeedback {
    pub(crate) block_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    pub(crate) prompt_token_count: Option<u32>,
    pub(crate) candidates_token_count: Option<u32>,
}

fn parse(answer: &Answer, model: &str) -> Result<Completion, ProviderError> {
    if answer.status == 400 {
        let message = json_message(&answer.body, "/error/message");
        let lower = message.to_ascii_lowercase();
        if lower.contains("token count") && lower.contains("exceeds") {
            return Err(ProviderError::ContextLength(message));
        }
    }
    check_status(answer, |body| json_message(body, "/error/message"))?;
    let response: Response = serde_json::from_str(&answer.body)
        .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(&answer.body))))?;
    if let Some(reason) = response.prompt_feedback.and_then(|f| f.block_reason) {
        return Err(ProviderError::ContentFiltered(format!(
            "prompt blocked ({reason})"
        )));
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Err(ProviderError::BadResponse(
            "no candidates in the answer".into(),
        ));
    };
    let finish = candidate.finish_reason.unwrap_or_else(|| "STOP".into());
    let text: String = candidate
        .content
        .map(|c| c.parts.into_iter().filter_map(|p| p.text).collect())
        .unwrap_or_default();
    let finish_reason = finish_reason(&finish)?;
    if text.trim().is_empty() {
        return Err(ProviderError::BadResponse(format!(
            "empty answer (finish reason {finish})"
        )));
    }
    let usage = response
        .usage_metadata
        .map_or_else(Usage::default, |u| Usage {
            input_tokens: u.prompt_token_count,
            output_tokens: u.candidates_token_count,
        });
    Ok(Completion {
        text,
        model: response.model_version.unwrap_or_else(|| model.to_owned()),
        finish_reason,
        usage,
    })
}

/// What a `finishReason` means; a safety stop is a refusal and a recitation stop unusable.
pub fn finish_reason(finish: &str) -> Result<FinishReason, ProviderError> {
    match finish {
        "STOP" => Ok(FinishReason::Stop),
        "MAX_TOKENS" => Ok(FinishReason::MaxTokens),
        "SAFETY" | "PROHIBITED_CONTENT" | "BLOCKLIST" | "SPII" => Err(
            ProviderError::ContentFiltered(format!("generation stopped ({finish})")),
        ),
        "RECITATION" => Err(ProviderError::BadResponse(
            "generation stopped for RECITATION (the answer would quote training data)".into(),
        )),
        _ => Ok(FinishReason::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: Default::default(),
            body: body.into(),
        }
    }

    #[test]
    fn safety_and_empty_answers_are_errors_not_successes() {
        let blocked = r#"{"promptFeedback":{"blockReason":"SAFETY"}}"#;
        assert!(matches!(
            parse(&answer(200, blocked), "m"),
            Err(ProviderError::ContentFiltered(_))
        ));
        let safety = r#"{"candidates":[{"finishReason":"SAFETY","index":0}]}"#;
        assert!(matches!(
            parse(&answer(200, safety), "m"),
            Err(ProviderError::ContentFiltered(_))
        ));
        let recitation =
            r#"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"RECITATION"}]}"#;
        assert!(matches!(
            parse(&answer(200, recitation), "m"),
            Err(ProviderError::BadResponse(_))
        ));
        let empty_max = r#"{"candidates":[{"content":{"parts":[]},"finishReason":"MAX_TOKENS"}]}"#;
        assert!(matches!(
            parse(&answer(200, empty_max), "m"),
            Err(ProviderError::BadResponse(_))
        ));
        let cut = r#"{"candidates":[{"content":{"parts":[{"text":"Half an ans"}]},"finishReason":"MAX_TOKENS"}]}"#;
        let completion = parse(&answer(200, cut), "m").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(completion.finish_reason, FinishReason::MaxTokens);
    }
}
