//! Streamed completions from a provider's own streaming format: the bytes of the answer are
//! decoded as they arrive (whatever their chunk boundaries) by the provider's [`WireFormat`],
//! which adds text to a [`Transcript`]. A stream is complete only when the provider says so
//! (`[DONE]`, `message_stop`, a finish reason, `done: true`); a body that just stops is an
//! [`ProviderError::Incomplete`] answer, never a success.
//!
//! Dropping a stream drops the response and so closes the connection: the provider sees the
//! caller go away.

pub mod anthropic_sse;
pub mod gemini_sse;
pub mod lines;
pub mod ollama_ndjson;
pub mod openai_sse;
pub mod sse;

use std::collections::VecDeque;

use futures_util::{Stream, StreamExt as _};

use super::client::{CompletionStream, StreamEvent};
use super::http::{Answer, describe};
use super::provider::{Completion, FinishReason, ProviderError, Usage};

/// What a provider's streaming format makes of the bytes it receives.
pub trait WireFormat: Send + 'static {
    /// Take the next chunk of the body, adding what it says to `transcript`.
    fn feed(&mut self, chunk: &[u8], transcript: &mut Transcript) -> Result<(), ProviderError>;

    /// The body has ended: take anything still buffered.
    fn end(&mut self, transcript: &mut Transcript) -> Result<(), ProviderError>;
}

/// What a stream has said so far.
#[derive(Debug, Default)]
pub struct Transcript {
    /// All text so far.
    pub text: String,
    /// The model, as the provider named it.
    pub model: Option<String>,
    /// Why generation stopped, once the provider has said.
    pub finish_reason: Option<FinishReason>,
    /// Token counts, as reported.
    pub usage: Usage,
    /// Whether the provider has marked the end of the answer.
    pub ended: bool,
    fresh: Vec<String>,
}

impl Transcript {
    /// More generated text.
    pub fn push(&mut self, text: &str) {
        if !text.is_empty() {
            self.text.push_str(text);
            self.fresh.push(text.to_owned());
        }
    }

    /// The finished answer, or why the stream is not one.
    fn completion(self, model: &str) -> Result<Completion, ProviderError> {
        if !self.ended {
            return Err(ProviderError::Incomplete(
                "the stream ended before the provider marked the answer complete".into(),
            ));
        }
        if self.text.trim().is_empty() {
            return Err(ProviderError::BadResponse("empty answer".into()));
        }
        Ok(Completion {
            text: self.text,
            model: self.model.unwrap_or_else(|| model.to_owned()),
            finish_reason: self.finish_reason.unwrap_or(FinishReason::Other),
            usage: self.usage,
        })
    }
}

/// Send a streaming request. A refusal (any status but 2xx) is read whole and classified by
/// `refusal`, the provider's own error parsing, so it fails over exactly as a non-streamed
/// call would.
pub async fn open(
    request: reqwest::RequestBuilder,
    refusal: impl FnOnce(&Answer) -> ProviderError,
) -> Result<reqwest::Response, ProviderError> {
    let response = request
        .send()
        .await
        .map_err(|e| ProviderError::Connect(describe(e)))?;
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .text()
        .await
        .map_err(|e| ProviderError::Connect(describe(e)))?;
    Err(refusal(&Answer {
        status,
        headers,
        body,
    }))
}

/// The events of `response`'s body as `format` decodes them, ending with `Done` or an error.
pub fn events(
    response: reqwest::Response,
    format: impl WireFormat,
    model: &str,
) -> CompletionStream {
    let body = response
        .bytes_stream()
        .map(|chunk| chunk.map_err(|e| ProviderError::Incomplete(describe(e))));
    Box::pin(decode(body, format, model.to_owned()))
}

/// The events `format` makes of `body`'s chunks.
pub fn decode<B, C>(
    body: B,
    format: impl WireFormat,
    model: String,
) -> impl Stream<Item = Result<StreamEvent, ProviderError>> + Send + 'static
where
    B: Stream<Item = Result<C, ProviderError>> + Send + Unpin + 'static,
    C: AsRef<[u8]>,
{
    struct State<B, F> {
        body: B,
        format: F,
        transcript: Option<Transcript>,
        queue: VecDeque<Result<StreamEvent, ProviderError>>,
        model: String,
    }
    let state = State {
        body,
        format,
        transcript: Some(Transcript::default()),
        queue: VecDeque::new(),
        model,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.queue.pop_front() {
                return Some((event, state));
            }
            let transcript = state.transcript.as_mut()?;
            let (step, body_ended) = match state.body.next().await {
                Some(Ok(chunk)) => (state.format.feed(chunk.as_ref(), transcript), false),
                Some(Err(error)) => (Err(error), true),
                None => (state.format.end(transcript), true),
            };
            match step {
                Err(error) => {
                    state.queue.push_back(Err(error));
                    state.transcript = None;
                }
                Ok(()) => {
                    for text in transcript.fresh.drain(..) {
                        state.queue.push_back(Ok(StreamEvent::Delta(text)));
                    }
                    if transcript.ended || body_ended {
                        let transcript = state.transcript.take()?;
                        state
                            .queue
                            .push_back(transcript.completion(&state.model).map(StreamEvent::Done));
                    }
                }
            }
        }
    })
}

/// The error a refused streaming call gets: what the provider's own parsing of the refusal
/// says (a non-2xx answer never parses to a completion).
pub fn refusal(parsed: Result<Completion, ProviderError>) -> ProviderError {
    parsed
        .err()
        .unwrap_or_else(|| ProviderError::BadResponse("a refusal that parsed as an answer".into()))
}

#[cfg(test)]
mod tests;
