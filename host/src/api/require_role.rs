//! The key check in front of every protected route, as a tower layer: admit the request (see
//! [`access::admit`](super::access::admit)), then call the route, or answer in its place.
//!
//! Admitting a key nearly always finishes without waiting (the keyring is in memory), so the
//! route is called as soon as the check is done, inside `call`, with no copy of it. Only an
//! admission that has to wait (a browser session read from the store, a rate limiter on the
//! shared store, the delay after a bad key) takes the route along in its future, which needs
//! a clone of it. `axum::middleware::from_fn` clones and boxes the route for every request,
//! which showed in profiles of small requests.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::auth::Role;

/// A request admitted (with its principal attached), or the answer it gets instead.
pub type Admission = Pin<Box<dyn Future<Output = Result<Request, Response>> + Send>>;

/// How a request is admitted to a route that needs a role. Cloned with the route, so a clone
/// should cost no more than a reference count.
pub trait Admit: Clone + Send + Sync + 'static {
    /// Admit `request` to a route that needs `required` or higher.
    fn admit(&self, required: Role, request: Request) -> Admission;
}

/// An admission decided by a plain function (the tests' own).
#[cfg(test)]
impl Admit for fn(Role, Request) -> Admission {
    fn admit(&self, required: Role, request: Request) -> Admission {
        self(required, request)
    }
}

/// Puts [`RequireRole`] in front of routes that need a key with `required` or higher.
#[derive(Debug, Clone)]
pub struct RequireRoleLayer<A> {
    required: Role,
    admit: A,
}

impl<A: Admit> RequireRoleLayer<A> {
    /// Routes behind it need `required` or higher, as `admit` decides.
    pub fn new(required: Role, admit: A) -> Self {
        Self { required, admit }
    }
}

impl<S, A: Admit> Layer<S> for RequireRoleLayer<A> {
    type Service = RequireRole<S, A>;

    fn layer(&self, inner: S) -> RequireRole<S, A> {
        RequireRole {
            inner,
            required: self.required,
            admit: self.admit.clone(),
        }
    }
}

/// A route that answers only requests whose key has the role it needs.
#[derive(Debug, Clone)]
pub struct RequireRole<S, A> {
    inner: S,
    required: Role,
    admit: A,
}

impl<S, A> Service<Request> for RequireRole<S, A>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    A: Admit,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Admitted<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Admitted<S> {
        let mut admission = self.admit.admit(self.required, request);
        // A first poll without a waker: if the admission has to wait, the future below polls
        // it again with the task's own waker before anything could have been missed.
        match admission
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(Ok(request)) => Admitted::new(State::Running {
                route: self.inner.call(request),
            }),
            Poll::Ready(Err(answer)) => Admitted::new(State::Answered {
                answer: Some(answer),
            }),
            Poll::Pending => {
                // The route that was made ready goes with the request; a clone stays here.
                let clone = self.inner.clone();
                Admitted::new(State::Admitting {
                    admission,
                    route: Some(std::mem::replace(&mut self.inner, clone)),
                })
            }
        }
    }
}

pin_project! {
    /// The answer of a [`RequireRole`] route.
    pub struct Admitted<S: Service<Request>> {
        #[pin]
        state: State<S>,
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<S: Service<Request>> {
        // Waiting for the admission, with the route to call once admitted.
        Admitting { admission: Admission, route: Option<S> },
        // Admitted: the route is answering.
        Running { #[pin] route: S::Future },
        // Not admitted: this is the answer, taken when it is given.
        Answered { answer: Option<Response> },
    }
}

impl<S: Service<Request>> Admitted<S> {
    fn new(state: State<S>) -> Self {
        Self { state }
    }
}

impl<S> Future for Admitted<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProjection::Admitting { admission, route } => {
                    let admitted = ready!(admission.as_mut().poll(cx));
                    let Some(mut route) = route.take() else {
                        return Poll::Ready(Ok(gone()));
                    };
                    match admitted {
                        Ok(request) => {
                            let route = route.call(request);
                            state.set(State::Running { route });
                        }
                        Err(answer) => state.set(State::Answered {
                            answer: Some(answer),
                        }),
                    }
                }
                StateProjection::Running { route } => return route.poll(cx),
                StateProjection::Answered { answer } => {
                    return Poll::Ready(Ok(answer.take().unwrap_or_else(gone)));
                }
            }
        }
    }
}

/// The answer of a future polled again after it answered (a bug in its caller, never in
/// hyper's or axum's): a 500 rather than a panic.
fn gone() -> Response {
    super::error::ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "The answer to this request was already given.",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::{ServiceExt as _, service_fn};

    use super::*;

    /// A route that counts its calls and answers 200 with the role header the admission set.
    fn route(
        calls: &Arc<AtomicUsize>,
    ) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send>
    + Clone
    + Send
    + 'static {
        let calls = calls.clone();
        service_fn(move |request: Request| {
            calls.fetch_add(1, Ordering::SeqCst);
            let admitted = request.headers().get("x-admitted").cloned();
            async move {
                let mut answer = Response::new(Body::empty());
                if let Some(value) = admitted {
                    answer.headers_mut().insert("x-admitted", value);
                }
                Ok(answer)
            }
        })
    }

    fn admitted(mut request: Request, role: Role) -> Request {
        let value = axum::http::HeaderValue::from_static(role.as_str());
        request.headers_mut().insert("x-admitted", value);
        request
    }

    /// How the tests admit: a plain function.
    type AdmitFn = fn(Role, Request) -> Admission;

    async fn answer(admit: AdmitFn, calls: &Arc<AtomicUsize>) -> Response {
        let service = RequireRoleLayer::new(Role::Operator, admit).layer(route(calls));
        let request = Request::new(Body::empty());
        match service.oneshot(request).await {
            Ok(answer) => answer,
            Err(never) => match never {},
        }
    }

    /// The route answers once, with what `admit` attached to the request.
    async fn assert_admitted(admit: AdmitFn) {
        let calls = Arc::new(AtomicUsize::new(0));
        let answer = answer(admit, &calls).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()["x-admitted"], "operator");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_admission_that_ends_at_once_calls_the_route_with_what_it_attached() {
        assert_admitted(|role, request| Box::pin(async move { Ok(admitted(request, role)) })).await;
    }

    #[tokio::test]
    async fn an_admission_that_waits_calls_the_route_when_it_ends() {
        assert_admitted(|role, request| {
            Box::pin(async move {
                // Pending at the first poll, and woken through the task's waker.
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                Ok(admitted(request, role))
            })
        })
        .await;
    }

    #[tokio::test]
    async fn a_refused_request_gets_the_refusal_and_never_reaches_the_route() {
        let calls = Arc::new(AtomicUsize::new(0));
        let refuse = |_, _| -> Admission {
            Box::pin(async {
                let mut answer = Response::new(Body::empty());
                *answer.status_mut() = StatusCode::FORBIDDEN;
                Err(answer)
            })
        };
        assert_eq!(answer(refuse, &calls).await.status(), StatusCode::FORBIDDEN);
        let refuse_later = |_, _| -> Admission {
            Box::pin(async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let mut answer = Response::new(Body::empty());
                *answer.status_mut() = StatusCode::UNAUTHORIZED;
                Err(answer)
            })
        };
        assert_eq!(
            answer(refuse_later, &calls).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }
}
