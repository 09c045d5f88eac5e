//! Every request gets a fresh id, shared by the answer body, the `X-Request-Id` header, the
//! logs and the skill. The server always makes its own: ids are unique keys in the audit log,
//! so a client-chosen one is never trusted.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::Response;
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::instrument::Instrumented;

/// Name of the response header that carries the id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request (a UUID v7: unique and time-ordered).
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

/// Gives every request its [`RequestId`] (see the module), and echoes it on the answer
/// whatever its status.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = AssignRequestId<S>;

    fn layer(&self, inner: S) -> AssignRequestId<S> {
        AssignRequestId { inner }
    }
}

/// A service whose requests get their [`RequestId`] before it sees them.
#[derive(Debug, Clone)]
pub struct AssignRequestId<S> {
    inner: S,
}

impl<S, B> Service<Request> for AssignRequestId<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = WithRequestId<Instrumented<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let id: Arc<str> = Arc::from(uuid::Uuid::now_v7().to_string());
        request.extensions_mut().insert(RequestId(id.clone()));
        // Everything logged while serving the request carries its id, including what the
        // layers below log as they take the request (the key check).
        let span = tracing::info_span!("request", request_id = %id);
        let answer = span.in_scope(|| self.inner.call(request));
        WithRequestId {
            answer: answer.instrument(span),
            id,
        }
    }
}

pin_project! {
    /// The answer of an [`AssignRequestId`] service.
    pub struct WithRequestId<F> {
        #[pin]
        answer: F,
        id: Arc<str>,
    }
}

impl<F, B, E> Future for WithRequestId<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.answer.poll(cx))?;
        if let Ok(value) = HeaderValue::from_str(this.id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use tower::{ServiceExt as _, service_fn};

    use super::*;

    #[tokio::test]
    async fn the_route_and_the_answer_carry_the_same_fresh_id() {
        let route = service_fn(|request: Request| async move {
            let seen = request
                .extensions()
                .get::<RequestId>()
                .map(|id| id.0.to_string())
                .unwrap_or_default();
            Ok::<_, Infallible>(Response::new(Body::from(seen)))
        });
        let service = RequestIdLayer.layer(route);
        let mut ids = Vec::new();
        for _ in 0..2 {
            let Ok(response) = service.clone().oneshot(Request::new(Body::empty())).await;
            let header = response.headers()[REQUEST_ID_HEADER].clone();
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap_or_default();
            assert_eq!(
                header.as_bytes(),
                &body[..],
                "the route saw the id the answer names"
            );
            assert!(uuid::Uuid::parse_str(&String::from_utf8_lossy(&body)).is_ok());
            ids.push(body);
        }
        assert_ne!(ids[0], ids[1], "each request gets its own id");
    }
}
