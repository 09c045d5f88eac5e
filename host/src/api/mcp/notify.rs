//! Notification streams: `GET /mcp` for a 2025 session and `subscriptions/listen` for
//! 2026-07-28 clients both carry `notifications/tools/list_changed` as Server-Sent Events each
//! time the skill catalogue is reloaded (an install, an update, a removal). A stream ends when
//! its session ends or the server shuts down; a subscription then gets its final result.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::response::sse::{Event, Sse};
use futures_util::Stream;
use serde_json::Value;
use tokio::sync::watch;

use crate::api::sse_keep_alive;

/// What a stream sends, and when it stops.
pub struct Feed {
    /// The catalogue's generation: each change is one notification.
    pub changes: watch::Receiver<u64>,
    /// True when the server shuts down.
    pub closing: watch::Receiver<bool>,
    /// True when the stream's session ends (2025 sessions only).
    pub ended: Option<watch::Receiver<bool>>,
    /// Sent first (a subscription's acknowledgement).
    pub first: Option<Value>,
    /// Sent at each change (none: changes are not this stream's business).
    pub each: Option<Value>,
    /// Sent last, when the stream ends from this side (a subscription's final result).
    pub last: Option<Value>,
}

async fn until_true(receiver: &mut watch::Receiver<bool>) {
    // A sender that went away counts as true: nothing can end the stream any more.
    let _ = receiver.wait_for(|value| *value).await;
}

async fn ended(receiver: &mut Option<watch::Receiver<bool>>) {
    match receiver {
        Some(receiver) => until_true(receiver).await,
        None => std::future::pending().await,
    }
}

struct Running {
    feed: Feed,
    pending: VecDeque<Value>,
    done: bool,
}

fn event(message: &Value) -> Result<Event, Infallible> {
    Ok(Event::default()
        .event("message")
        .data(serde_json::to_string(message).unwrap_or_default()))
}

/// The stream of `feed`'s messages, as an SSE answer with keep-alive comments.
pub fn stream(feed: Feed) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut running = Running {
        pending: feed.first.clone().into_iter().collect(),
        feed,
        done: false,
    };
    running.feed.changes.mark_unchanged();
    let messages = futures_util::stream::unfold(running, |mut running| async move {
        if let Some(message) = running.pending.pop_front() {
            return Some((event(&message), running));
        }
        if running.done {
            return None;
        }
        loop {
            let feed = &mut running.feed;
            let changed = tokio::select! {
                changed = feed.changes.changed() => changed.is_ok(),
                () = until_true(&mut feed.closing) => false,
                () = ended(&mut feed.ended) => false,
            };
            if !changed {
                break;
            }
            if let Some(each) = &feed.each {
                let message = event(each);
                return Some((message, running));
            }
        }
        running.done = true;
        let last = running.feed.last.take()?;
        Some((event(&last), running))
    });
    sse_keep_alive::sse(messages)
}
