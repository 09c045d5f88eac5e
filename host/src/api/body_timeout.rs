//! The body-read timeout (`[server] body_read_timeout_ms`): a request body that stops
//! arriving for that long ends in an error (the handler answers 400), so a client cannot
//! hold a request open by sending its body slowly.
//!
//! The clock runs only while the server is waiting for the next chunk: a body that is
//! already in the server's buffer, as almost every API call's is, is read without a timer.
//! (tower-http's `RequestBodyTimeout` registers a timer for every chunk read and for the
//! end of the body, two a request, which showed in profiles of small requests.)

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower::{Layer, Service};

/// Errors a request body can end with.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Wraps every request body in [`TimedBody`].
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeoutLayer {
    timeout: Duration,
}

impl BodyTimeoutLayer {
    /// Bodies that stall for `timeout` between chunks end in [`BodyStalled`].
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for BodyTimeoutLayer {
    type Service = BodyTimeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BodyTimeout {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service of [`BodyTimeoutLayer`].
#[derive(Debug, Clone)]
pub struct BodyTimeout<S> {
    inner: S,
    timeout: Duration,
}

impl<S> Service<Request<Body>> for BodyTimeout<S>
where
    S: Service<Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let timeout = self.timeout;
        self.inner
            .call(request.map(|body| Body::new(TimedBody::new(body, timeout))))
    }
}

/// The body stopped arriving for longer than the body-read timeout.
#[derive(Debug, thiserror::Error)]
#[error(
    "the request body stopped arriving for {} ms ([server] body_read_timeout_ms); send it without pauses",
    .0.as_millis()
)]
pub struct BodyStalled(Duration);

pin_project! {
    /// A body that fails with [`BodyStalled`] when the next chunk takes longer than its
    /// timeout to arrive.
    pub struct TimedBody<B> {
        timeout: Duration,
        #[pin]
        body: B,
        #[pin]
        waiting: Option<Sleep>,
    }
}

impl<B> TimedBody<B> {
    /// `body`, with `timeout` between chunks.
    pub fn new(body: B, timeout: Duration) -> Self {
        Self {
            timeout,
            body,
            waiting: None,
        }
    }
}

impl<B> http_body::Body for TimedBody<B>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    type Data = B::Data;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        if let Poll::Ready(frame) = this.body.poll_frame(cx) {
            // The next chunk gets the whole timeout again.
            this.waiting.set(None);
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if this.waiting.is_none() {
            this.waiting.set(Some(tokio::time::sleep(*this.timeout)));
        }
        match this.waiting.as_pin_mut().map(|waiting| waiting.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Some(Err(Box::new(BodyStalled(*this.timeout))))),
            _ => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use http_body_util::BodyExt;
    use http_body_util::channel::Channel;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_between_chunks_ends_in_an_error_after_the_timeout() {
        let (mut sender, body) = Channel::<Bytes, BoxError>::new(4);
        let timeout = Duration::from_millis(400);
        let mut timed = std::pin::pin!(TimedBody::new(body, timeout));
        let sent = sender.send_data(Bytes::from_static(b"{\"task")).await;
        assert!(sent.is_ok(), "the body's receiver is there");
        let first = timed.frame().await;
        assert!(matches!(first, Some(Ok(_))), "the first chunk is read");
        let started = tokio::time::Instant::now();
        let stalled = timed.frame().await;
        let error = match stalled {
            Some(Err(error)) => error,
            _ => panic!("a stalled body did not end in an error"),
        };
        assert!(
            error.to_string().contains("body_read_timeout_ms"),
            "{error}"
        );
        assert_eq!(tokio::time::Instant::now() - started, timeout);
        drop(sender);
    }

    #[tokio::test(start_paused = true)]
    async fn each_chunk_that_arrives_in_time_restarts_the_clock() {
        let (mut sender, body) = Channel::<Bytes, BoxError>::new(4);
        let timeout = Duration::from_millis(400);
        let feeder = tokio::spawn(async move {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_millis(300)).await;
                if sender.send_data(Bytes::from_static(b"x")).await.is_err() {
                    return;
                }
            }
        });
        let collected = TimedBody::new(body, timeout).collect().await;
        let bytes = match collected {
            Ok(collected) => collected.to_bytes(),
            Err(error) => panic!("a body whose chunks each came in time failed: {error}"),
        };
        assert_eq!(&bytes[..], b"xxx", "900 ms in all, no gap of 400 ms");
        let _ = feeder.await;
    }

    #[tokio::test]
    async fn a_body_already_received_is_read_whole() {
        let timed = TimedBody::new(
            http_body_util::Full::new(Bytes::from_static(b"{}")),
            Duration::from_millis(1),
        );
        assert_eq!(http_body::Body::size_hint(&timed).exact(), Some(2));
        let bytes = match timed.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) => panic!("{error}"),
        };
        assert_eq!(&bytes[..], b"{}");
    }
}
