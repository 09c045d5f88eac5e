//! OpenAI's streamed chat completions: `data:` chunks of `choices[].delta.content`, the finish
//! reason in the last choice chunk, token counts in a final chunk without choices (asked for
//! with `stream_options.include_usage`), then `data: [DONE]`. Only `[DONE]` ends the answer.

use serde::Deserialize;

use super::Transcript;
use super::sse::{SseEvent, SseEvents};
use crate::llm::openai::finish_reason;
use crate::llm::provider::{ProviderError, excerpt};

/// What one streamed answer's events say.
#[derive(Debug, Default)]
pub struct OpenAiEvents;

#[derive(Deserialize)]
struct Chunk {
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<TokenUsage>,
    error: Option<ErrorDetail>,
}

#[derive(Deserialize)]
struct Choice {
    delta: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    content: Option<String>,
}

#[derive(Deserialize)]
struct TokenUsage {
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

impl SseEvents for OpenAiEvents {
    fn event(
        &mut self,
        event: &SseEvent,
        transcript: &mut Transcript,
    ) -> Result<(), ProviderError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            transcript.ended = true;
            return Ok(());
        }
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(data))))?;
        if let Some(error) = chunk.error {
            return Err(ProviderError::StreamError(error.message));
        }
        if let Some(model) = chunk.model {
            transcript.model = Some(model);
        }
        for choice in chunk.choices {
            if let Some(text) = choice.delta.and_then(|d| d.content) {
                transcript.push(&text);
            }
            if let Some(reason) = choice.finish_reason {
                transcript.finish_reason = Some(finish_reason(&reason)?);
            }
        }
        if let Some(usage) = chunk.usage {
            transcript.usage.input_tokens = usage.prompt_tokens;
            transcript.usage.output_tokens = usage.completion_tokens;
        }
        Ok(())
    }
}
