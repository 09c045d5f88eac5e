//! Keep-alive comments for Server-Sent Events: after [`INTERVAL`] without an event, a comment
//! line, so that proxies keep the connection and a server notices a caller that has gone.
//!
//! axum's own keep-alive resets its timer at every event; this one is a [`Silence`], which does
//! not.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, Sse};
use futures_util::{Stream, StreamExt as _};

use crate::silence::Silence;

/// The longest silence before a keep-alive comment.
pub const INTERVAL: Duration = Duration::from_secs(15);

/// `events` as an SSE answer, with keep-alive comments.
pub fn sse<S>(events: S) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    Sse::new(with_keep_alive(events, INTERVAL))
}

/// `events`, with a comment after every `interval` of silence.
pub fn with_keep_alive<S>(
    events: S,
    interval: Duration,
) -> impl Stream<Item = Result<Event, Infallible>>
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    let state = (Box::pin(events), Silence::new(interval));
    futures_util::stream::unfold(state, |(mut events, mut silence)| async move {
        tokio::select! {
            biased;
            event = events.next() => {
                silence.heard();
                event.map(|event| (event, (events, silence)))
            }
            () = silence.elapsed() => Some((Ok(Event::default().comment("")), (events, silence))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream silent for longer than the interval gets comments; one that speaks more often
    /// gets none.
    #[tokio::test]
    async fn comments_come_only_after_an_interval_of_silence() {
        let interval = Duration::from_millis(60);
        let chatty = futures_util::stream::unfold(0, |n| async move {
            (n < 10).then_some(())?;
            tokio::time::sleep(Duration::from_millis(20)).await;
            Some((Ok(Event::default().data(n.to_string())), n + 1))
        });
        let seen: Vec<_> = with_keep_alive(chatty, interval).collect().await;
        assert_eq!(seen.len(), 10, "a comment came between events 20 ms apart");

        let silent = futures_util::stream::unfold(0, |n| async move {
            (n < 2).then_some(())?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            Some((Ok(Event::default().data(n.to_string())), n + 1))
        });
        let seen: Vec<_> = with_keep_alive(silent, interval).collect().await;
        // Two 200 ms silences of a 60 ms interval: three comments each (at 60, 120, 180 ms).
        assert!(
            (6..=8).contains(&seen.len()),
            "{} items: expected the two events and about six comments",
            seen.len()
        );
    }
}
