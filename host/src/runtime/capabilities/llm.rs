//! `llm`: completions through the router, for skills whose manifest grants `llm`.
//! The route is the skill's own name when the operator configured one, else the default.
//! `complete-streamed` (WIT 0.1.1) also passes the provider's text to a caller that streams.

use std::sync::Arc;

use futures_util::StreamExt as _;
use wasmtime::component::{HasSelf, Linker};

use crate::llm::{Ask, RouteError, Router, StreamEvent};
use crate::runtime::DeltaSink;
use crate::runtime::bindings::llm::{self as wit, Completion, CompletionRequest, Host, LlmError};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `llm` capability.
pub struct Llm;

/// What a skill may do with the LLM.
#[derive(Clone)]
pub enum LlmGrant {
    /// Its manifest does not grant `llm`.
    Denied,
    /// Granted, but this host has no router (an offline check).
    NoRouter,
    /// Granted, through this router.
    Granted(Arc<Router>),
}

/// One instance's access to the LLM.
pub struct LlmState {
    grant: LlmGrant,
    skill: Arc<str>,
    request_id: Arc<str>,
    /// Where `complete-streamed` sends text, when the caller streams.
    deltas: Option<DeltaSink>,
}

impl Capability for Llm {
    type Grant = LlmGrant;
    type State = LlmState;

    fn grant(input: &GrantInput<'_>) -> LlmGrant {
        match (input.permissions.llm, &input.services.llm) {
            (false, _) => LlmGrant::Denied,
            (true, None) => LlmGrant::NoRouter,
            (true, Some(router)) => LlmGrant::Granted(router.clone()),
        }
    }

    fn instantiate(grant: &LlmGrant, input: &InstanceInput<'_>) -> LlmState {
        LlmState {
            grant: grant.clone(),
            skill: input.skill.clone(),
            request_id: input.request_id.clone(),
            deltas: input.deltas.cloned(),
        }
    }
}

impl<T: Send + 'static> LinkCapability<T> for Llm {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut LlmState,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<LlmState>>(linker, state)
    }
}

impl LlmState {
    /// The router, or why this skill cannot use it.
    fn router(&self, request: &CompletionRequest) -> Result<Arc<Router>, LlmError> {
        let router = match &self.grant {
            LlmGrant::Granted(router) => router.clone(),
            LlmGrant::Denied => {
                return Err(LlmError::Denied(format!(
                    "skill '{}' may not call the LLM: its manifest does not grant it (add `permissions: {{ llm: true }}`)",
                    self.skill
                )));
            }
            LlmGrant::NoRouter => {
                return Err(LlmError::Unavailable(
                    "this host has no LLM providers configured".into(),
                ));
            }
        };
        if request.prompt.trim().is_empty() {
            return Err(LlmError::Invalid("the prompt is empty".into()));
        }
        Ok(router)
    }
}

/// What the skill gets for a completion by `provider`.
fn completion(provider: String, completion: crate::llm::Completion) -> Completion {
    Completion {
        text: completion.text,
        provider,
        model: completion.model,
        finish_reason: completion.finish_reason.as_str().to_owned(),
        input_tokens: completion.usage.input_tokens,
        output_tokens: completion.usage.output_tokens,
    }
}

/// What a skill's request asks of its route.
fn ask(request: CompletionRequest) -> Ask {
    Ask {
        prompt: request.prompt,
        system: request.system,
        max_tokens: request.max_tokens,
        temperature: request.temperature,
        ..Ask::default()
    }
}

fn route_error(error: RouteError) -> LlmError {
    match error {
        error @ RouteError::Refused { .. } => LlmError::Refused(error.to_string()),
        error @ RouteError::NotLicensed { .. } => LlmError::Denied(error.to_string()),
        error => LlmError::Unavailable(error.to_string()),
    }
}

impl Host for LlmState {
    async fn complete(
        &mut self,
        request: CompletionRequest,
    ) -> wasmtime::Result<Result<Completion, LlmError>> {
        let router = match self.router(&request) {
            Ok(router) => router,
            Err(error) => return Ok(Err(error)),
        };
        let routed = router.complete(&self.skill, ask(request)).await;
        tracing::debug!(target: "skill", skill = &*self.skill, request_id = &*self.request_id, ok = routed.is_ok(), "llm call");
        Ok(routed
            .map(|routed| completion(routed.provider, routed.completion))
            .map_err(route_error))
    }

    async fn complete_streamed(
        &mut self,
        request: CompletionRequest,
    ) -> wasmtime::Result<Result<Completion, LlmError>> {
        let Some(deltas) = self.deltas.clone() else {
            // Nobody streams: the whole answer is all there is to give.
            return self.complete(request).await;
        };
        let router = match self.router(&request) {
            Ok(router) => router,
            Err(error) => return Ok(Err(error)),
        };
        let opened = router.stream(&self.skill, ask(request)).await;
        let mut stream = match opened {
            Ok(stream) => stream,
            Err(error) => return Ok(Err(route_error(error))),
        };
        let mut delivered = 0usize;
        while let Some(event) = stream.events.next().await {
            match event {
                Ok(StreamEvent::Delta(text)) => {
                    delivered += text.len();
                    // A closed receiver is a caller gone away; the call itself is being dropped.
                    let _ = deltas.send(text);
                }
                Ok(StreamEvent::Done(done)) => {
                    tracing::debug!(target: "skill", skill = &*self.skill, request_id = &*self.request_id, "streamed llm call");
                    return Ok(Ok(completion(stream.provider, done)));
                }
                Err(error) => {
                    return Ok(Err(LlmError::Unavailable(format!(
                        "the answer is incomplete: provider '{}' failed after {delivered} bytes ({error})",
                        stream.provider
                    ))));
                }
            }
        }
        Ok(Err(LlmError::Unavailable(format!(
            "the answer is incomplete: provider '{}' stopped without finishing it",
            stream.provider
        ))))
    }
}
