//! Gemini's `streamGenerateContent?alt=sse`: each `data:` is a whole `GenerateContentResponse`
//! holding the next parts of the text; the last carries the `finishReason` and token counts.
//! There is no end marker, so the answer is complete when the body ends after a finish reason.

use serde::Deserialize;

use super::sse::{SseDecoder, SseEvent};
use super::{Transcript, WireFormat};
use crate::llm::gemini::finish_reason;
use crate::llm::provider::{ProviderError, excerpt};

/// The decoder of one streamed answer.
#[derive(Debug, Default)]
pub struct GeminiEvents {
    sse: SseDecoder,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Chunk {
    #[serde(default)]
    candidates: Vec<Candidate>,
    prompt_feedback: Option<PromptFeedback>,
    usage_metadata: Option<UsageMetadata>,
    model_version: Option<String>,
    error: Option<ErrorDetail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    prompt_token_count: Option<u32>,
    candidates_token_count: Option<u32>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

impl GeminiEvents {
    fn event(event: &SseEvent, transcript: &mut Transcript) -> Result<(), ProviderError> {
        let data = event.data.trim();
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(data))))?;
        if let Some(error) = chunk.error {
            return Err(ProviderError::StreamError(error.message));
        }
        if let Some(reason) = chunk.prompt_feedback.and_then(|f| f.block_reason) {
            return Err(ProviderError::ContentFiltered(format!(
                "prompt blocked ({reason})"
            )));
        }
        if let Some(model) = chunk.model_version {
            transcript.model = Some(model);
        }
        if let Some(candidate) = chunk.candidates.into_iter().next() {
            for text in candidate
                .content
                .into_iter()
                .flat_map(|c| c.parts)
                .filter_map(|p| p.text)
            {
                transcript.push(&text);
            }
            if let Some(finish) = candidate.finish_reason {
                transcript.finish_reason = Some(finish_reason(&finish)?);
            }
        }
        if let Some(usage) = chunk.usage_metadata {
            transcript.usage.input_tokens = usage.prompt_token_count;
            transcript.usage.output_tokens = usage.candidates_token_count;
        }
        Ok(())
    }
}

impl WireFormat for GeminiEvents {
    fn feed(&mut self, chunk: &[u8], transcript: &mut Transcript) -> Result<(), ProviderError> {
        let events = self
            .sse
            .feed(chunk)
            .map_err(|e| ProviderError::BadResponse(e.to_string()))?;
        events
            .iter()
            .try_for_each(|event| Self::event(event, transcript))
    }

    fn end(&mut self, transcript: &mut Transcript) -> Result<(), ProviderError> {
        if let Some(event) = self.sse.finish() {
            Self::event(&event, transcript)?;
        }
        transcript.ended = transcript.finish_reason.is_some();
        Ok(())
    }
}
