//! Gemini's `streamGenerateContent?alt=sse`: each `data:` is a whole `GenerateContentResponse`
//! holding the next parts of the text; the last carries the `finishReason` and token counts.
//! There is no end marker, so the answer is complete when the body ends after a finish reason.

use super::Transcript;
use super::sse::{SseEvent, SseEvents};
use crate::llm::gemini::{Response, finish_reason};
use crate::llm::provider::{ProviderError, excerpt};

/// What one streamed answer's events say.
#[derive(Debug, Default)]
pub struct GeminiEvents;

impl SseEvents for GeminiEvents {
    fn event(
        &mut self,
        event: &SseEvent,
        transcript: &mut Transcript,
    ) -> Result<(), ProviderError> {
        let data = event.data.trim();
        let chunk: Response = serde_json::from_str(data)
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

    fn ended(&mut self, transcript: &mut Transcript) {
        transcript.ended = transcript.finish_reason.is_some();
    }
}
