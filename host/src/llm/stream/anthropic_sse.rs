//! Anthropic's streamed Messages: `message_start` (model, input tokens), `content_block_delta`
//! with `text_delta`s, `message_delta` (stop reason, output tokens), then `message_stop`, which
//! alone ends the answer; `ping` keeps the connection alive and `error` reports a failure.

use serde::Deserialize;

use super::Transcript;
use super::sse::{SseEvent, SseEvents};
use crate::llm::anthropic::stop_reason;
use crate::llm::provider::{ProviderError, excerpt};

/// What one streamed answer's events say.
#[derive(Debug, Default)]
pub struct AnthropicEvents;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event {
    MessageStart {
        message: Message,
    },
    ContentBlockDelta {
        delta: BlockDelta,
    },
    MessageDelta {
        delta: MessageDelta,
        usage: Option<TokenUsage>,
    },
    MessageStop,
    Error {
        error: ErrorDetail,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Message {
    model: Option<String>,
    usage: Option<TokenUsage>,
}

#[derive(Deserialize)]
struct BlockDelta {
    text: Option<String>,
}

#[derive(Deserialize)]
struct MessageDelta {
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct TokenUsage {
    input_tokens: Option<u32>,
    output_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type")]
    kind: Option<String>,
    message: String,
}

impl SseEvents for AnthropicEvents {
    fn event(
        &mut self,
        event: &SseEvent,
        transcript: &mut Transcript,
    ) -> Result<(), ProviderError> {
        let data = event.data.trim();
        let parsed: Event = serde_json::from_str(data)
            .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(data))))?;
        match parsed {
            Event::MessageStart { message } => {
                transcript.model = message.model;
                if let Some(usage) = message.usage {
                    transcript.usage.input_tokens = usage.input_tokens;
                }
            }
            Event::ContentBlockDelta { delta } => {
                if let Some(text) = delta.text {
                    transcript.push(&text);
                }
            }
            Event::MessageDelta { delta, usage } => {
                if let Some(reason) = delta.stop_reason {
                    transcript.finish_reason = Some(stop_reason(&reason)?);
                }
                if let Some(output) = usage.and_then(|u| u.output_tokens) {
                    transcript.usage.output_tokens = Some(output);
                }
            }
            Event::MessageStop => transcript.ended = true,
            Event::Error { error } => {
                let kind = error.kind.unwrap_or_default();
                return Err(ProviderError::StreamError(format!(
                    "{kind}: {}",
                    error.message
                )));
            }
            Event::Other => {}
        }
        Ok(())
    }
}
