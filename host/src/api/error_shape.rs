//! Every error answer in the shape its caller expects: the API's own `{detail, code}`, and for
//! the ingresses that speak another protocol (OpenAI's under `/v1/`, JSON-RPC's at `/mcp`) an
//! error answer made in the API's shape, whoever made it (the key check, an extractor, a
//! handler), read and answered again in that protocol's shape, keeping the headers that
//! matter. One layer for all three: each layer wraps every route.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::Response;
use pin_project_lite::pin_project;
use serde_json::Value;
use tower::{Layer, Service};

use super::request_id::REQUEST_ID_HEADER;

/// An error answer, read.
#[derive(Debug)]
pub struct ErrorAnswer {
    /// Its status.
    pub status: StatusCode,
    /// Its `detail` (or its body, if it had none).
    pub detail: String,
    /// Its `code`, if it had one.
    pub code: Option<String>,
    /// Its headers.
    pub headers: HeaderMap,
}

impl ErrorAnswer {
    /// Whether the caller presented no key, or one that is not valid.
    pub fn is_bad_key(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("invalid_key" | "not_authenticated")
        )
    }

    /// Copy `names` (and always the request id) from the original answer onto `reshaped`.
    pub fn keep_headers(&self, reshaped: &mut Response, names: &[HeaderName]) {
        let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
        for name in names.iter().chain([&request_id]) {
            if let Some(value) = self.headers.get(name) {
                reshaped.headers_mut().insert(name.clone(), value.clone());
            }
        }
    }
}

/// `response` read as an error answer, or given back as it is: when it is no error, or when
/// `shaped` says its body is in the target shape already (a handler's own answer).
pub async fn read(response: Response, shaped: fn(&Value) -> bool) -> Result<ErrorAnswer, Response> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 10)
        .await
        .unwrap_or_default();
    let parsed: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if shaped(&parsed) {
        return Err(Response::from_parts(parts, axum::body::Body::from(bytes)));
    }
    let detail = match &parsed["detail"] {
        Value::String(text) => text.clone(),
        Value::Null => String::from_utf8_lossy(&bytes).trim().to_owned(),
        other => other.to_string(),
    };
    Ok(ErrorAnswer {
        status,
        detail,
        code: parsed["code"].as_str().map(str::to_owned),
        headers: parts.headers,
    })
}

/// The headers a reshaped answer keeps besides the request id.
pub const KEPT: [HeaderName; 3] = [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::ALLOW];

/// Which protocol's shape a request's error answers take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// The API's own `{detail, code}`.
    Api,
    /// OpenAI's, under `/v1/`.
    OpenAi,
    /// JSON-RPC's, at `/mcp`.
    Mcp,
}

impl Protocol {
    fn of(path: &str) -> Self {
        if path.starts_with("/v1/") {
            Self::OpenAi
        } else if path == "/mcp" {
            Self::Mcp
        } else {
            Self::Api
        }
    }
}

/// An error answer in the API's JSON shape, then in `protocol`'s.
async fn reshape(response: Response, protocol: Protocol) -> Response {
    let response = super::error::as_json(response).await;
    match protocol {
        Protocol::Api => response,
        Protocol::OpenAi => super::openai::errors::reshape(response).await,
        Protocol::Mcp => super::mcp::errors::reshape(response).await,
    }
}

/// Puts [`ShapeErrors`] in front of routes: error answers in their caller's shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorShapeLayer;

impl<S> Layer<S> for ErrorShapeLayer {
    type Service = ShapeErrors<S>;

    fn layer(&self, inner: S) -> ShapeErrors<S> {
        ShapeErrors { inner }
    }
}

/// A route whose error answers are in their caller's shape (see the module). A successful
/// answer passes through untouched, without the boxing and cloning that
/// `axum::middleware::from_fn` costs every request.
#[derive(Debug, Clone)]
pub struct ShapeErrors<S> {
    inner: S,
}

impl<S> Service<Request> for ShapeErrors<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Shaped<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Shaped<S::Future> {
        let protocol = Protocol::of(request.uri().path());
        Shaped {
            state: ShapedState::Answering {
                answer: self.inner.call(request),
                protocol,
            },
        }
    }
}

pin_project! {
    /// The answer of a [`ShapeErrors`] route.
    pub struct Shaped<F> {
        #[pin]
        state: ShapedState<F>,
    }
}

pin_project! {
    #[project = ShapedProjection]
    enum ShapedState<F> {
        // The route is answering.
        Answering { #[pin] answer: F, protocol: Protocol },
        // It answered with an error, being read and answered again in the caller's shape.
        Reshaping { reshaped: Pin<Box<dyn Future<Output = Response> + Send>> },
    }
}

impl<F> Future for Shaped<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                ShapedProjection::Answering { answer, protocol } => {
                    let Ok(response) = ready!(answer.poll(cx));
                    let status = response.status();
                    if !(status.is_client_error() || status.is_server_error()) {
                        return Poll::Ready(Ok(response));
                    }
                    let reshaped = Box::pin(reshape(response, *protocol));
                    state.set(ShapedState::Reshaping { reshaped });
                }
                ShapedProjection::Reshaping { reshaped } => {
                    return reshaped.as_mut().poll(cx).map(Ok);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::{ServiceExt as _, service_fn};

    use super::*;

    /// What a route answering `status` with a plain-text body answers behind the layer, at `path`.
    async fn answer(path: &str, status: StatusCode) -> (StatusCode, Value) {
        let route = service_fn(move |_: Request| async move {
            let mut answer = Response::new(Body::from("plain words"));
            *answer.status_mut() = status;
            Ok::<_, Infallible>(answer)
        });
        let request = Request::builder()
            .uri(path)
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        let Ok(response) = ErrorShapeLayer.layer(route).oneshot(request).await;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    #[tokio::test]
    async fn a_success_passes_through_untouched() {
        let (status, body) = answer("/api/v1/process", StatusCode::OK).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "plain words");
    }

    #[tokio::test]
    async fn an_error_takes_the_shape_of_its_callers_protocol() {
        let (status, body) = answer("/api/v1/process", StatusCode::NOT_FOUND).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["detail"], "plain words", "{body}");

        let (status, body) = answer("/v1/chat/completions", StatusCode::NOT_FOUND).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["message"], "plain words", "{body}");

        let (_, body) = answer("/mcp", StatusCode::BAD_REQUEST).await;
        assert_eq!(body["jsonrpc"], "2.0", "{body}");
    }
}
