//! Ollama's streamed `/api/chat`: one JSON object a line, each with the next
//! `message.content`; the last says `done: true` with the `done_reason` and token counts,
//! which alone ends the answer. An `error` line reports a failure.

use serde::Deserialize;

use super::lines::LineDecoder;
use super::{Transcript, WireFormat};
use crate::llm::ollama::done_reason;
use crate::llm::provider::{ProviderError, excerpt};

/// The decoder of one streamed answer.
#[derive(Debug, Default)]
pub struct OllamaLines {
    lines: LineDecoder,
}

#[derive(Deserialize)]
struct Line {
    model: Option<String>,
    message: Option<Message>,
    #[serde(default)]
    done: bool,
    done_reason: Option<String>,
    prompt_eval_count: Option<u32>,
    eval_count: Option<u32>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: String,
}

impl OllamaLines {
    fn line(line: &str, transcript: &mut Transcript) -> Result<(), ProviderError> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(());
        }
        let parsed: Line = serde_json::from_str(line)
            .map_err(|e| ProviderError::BadResponse(format!("{e}: {}", excerpt(line))))?;
        if let Some(error) = parsed.error {
            return Err(ProviderError::StreamError(error));
        }
        if let Some(model) = parsed.model {
            transcript.model = Some(model);
        }
        if let Some(message) = parsed.message {
            transcript.push(&message.content);
        }
        if parsed.done {
            transcript.finish_reason = Some(done_reason(parsed.done_reason.as_deref()));
            transcript.usage.input_tokens = parsed.prompt_eval_count;
            transcript.usage.output_tokens = parsed.eval_count;
            transcript.ended = true;
        }
        Ok(())
    }
}

impl WireFormat for OllamaLines {
    fn feed(&mut self, chunk: &[u8], transcript: &mut Transcript) -> Result<(), ProviderError> {
        let mut lines = Vec::new();
        self.lines
            .feed(chunk, |line| lines.push(line.to_owned()))
            .map_err(|e| ProviderError::BadResponse(e.to_string()))?;
        lines
            .iter()
            .try_for_each(|line| Self::line(line, transcript))
    }

    fn end(&mut self, transcript: &mut Transcript) -> Result<(), ProviderError> {
        let mut lines = Vec::new();
        self.lines.finish(|line| lines.push(line.to_owned()));
        lines
            .iter()
            .try_for_each(|line| Self::line(line, transcript))
    }
}
