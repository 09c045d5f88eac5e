//! A streamed answer through the router. Until its first token a stream fails over exactly as
//! a whole answer does (the router's attempt loop runs [`start`]); from the first token on it
//! belongs to one provider, and [`guard`] makes its end honest: a stall, a dropped connection
//! or an error event ends it with an error, never with a silent switch or a false success.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;

use super::circuit::Health;
use super::client::{CompletionStream, LlmProvider, StreamEvent};
use super::provider::{CompletionRequest, ProviderError};
use super::router::Attempt;
use crate::silence::Silence;

/// A provider's stream that has produced its first token.
pub struct Started {
    /// The events read to reach the first token.
    first: Vec<StreamEvent>,
    /// The rest; `None` when the whole answer came with the first token.
    rest: Option<CompletionStream>,
}

/// Open `model`'s stream and wait for its first token, for at most `deadline`: a refusal, an
/// error or silence until then is an ordinary failed attempt.
pub async fn start(
    client: &dyn LlmProvider,
    model: &str,
    request: &CompletionRequest,
    deadline: Duration,
) -> Result<Started, ProviderError> {
    let opened = async {
        let mut events = client.stream(model, request).await?;
        loop {
            match events.next().await {
                Some(Ok(StreamEvent::Delta(text))) if text.is_empty() => {}
                Some(Ok(delta @ StreamEvent::Delta(_))) => {
                    return Ok(Started {
                        first: vec![delta],
                        rest: Some(events),
                    });
                }
                Some(Ok(done @ StreamEvent::Done(_))) => {
                    return Ok(Started {
                        first: vec![done],
                        rest: None,
                    });
                }
                Some(Err(error)) => return Err(error),
                None => {
                    return Err(ProviderError::Incomplete(
                        "the stream ended before its first token".into(),
                    ));
                }
            }
        }
    };
    tokio::time::timeout(deadline, opened)
        .await
        .unwrap_or(Err(ProviderError::Timeout(deadline)))
}

/// What a started stream's guard needs of its provider.
pub struct Guard {
    /// Longest silence between tokens.
    pub stall: Duration,
    /// The provider's health, told of a failure after the first token.
    pub health: Arc<Mutex<Health>>,
    /// The provider's key, never to appear in an error.
    pub secret: Option<String>,
}

/// The events of a started stream: its first token, then the rest, ending with `Done` or
/// exactly one error (a stall, a stream that stops without `Done`, or the provider's error).
pub fn guard(started: Started, guard: Guard) -> CompletionStream {
    let head = futures_util::stream::iter(started.first.into_iter().map(Ok));
    let since = Instant::now();
    // One timer for the whole stream rather than a timeout set and cancelled around every
    // token (see `Silence`).
    let watch = Silence::new(guard.stall);
    let tail = futures_util::stream::unfold(
        (started.rest, guard, watch),
        move |(rest, guard, mut watch)| async move {
            let mut rest = rest?;
            let item = tokio::select! {
                biased;
                item = rest.next() => item.unwrap_or_else(|| Err(ProviderError::Incomplete(
                    "the stream ended without a final answer".into(),
                ))),
                () = watch.elapsed() => Err(ProviderError::Stalled(guard.stall)),
            };
            watch.heard();
            match item {
                Ok(StreamEvent::Delta(text)) => {
                    Some((Ok(StreamEvent::Delta(text)), (Some(rest), guard, watch)))
                }
                Ok(done @ StreamEvent::Done(_)) => Some((Ok(done), (None, guard, watch))),
                Err(error) => {
                    let error = match &guard.secret {
                        Some(secret) => error.redact(secret),
                        None => error,
                    };
                    if let Ok(mut health) = guard.health.lock() {
                        health.failure(since.elapsed(), error.to_string(), Instant::now());
                    }
                    Some((Err(error), (None, guard, watch)))
                }
            }
        },
    );
    Box::pin(head.chain(tail))
}

/// A stream on its way to the caller, and how it was obtained.
pub struct RoutedStream {
    /// The provider streaming it.
    pub provider: String,
    /// The model asked for.
    pub model: String,
    /// Every attempt, the one that started last.
    pub attempts: Vec<Attempt>,
    /// The events: deltas, then `Done` or one error.
    pub events: CompletionStream,
}
