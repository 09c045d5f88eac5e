//! `llm`: completions through the router, for skills whose manifest grants `llm`.
//! The route is the skill's own name when the operator configured one, else the default.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use crate::llm::{RouteError, Router};
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

impl Host for LlmState {
    async fn complete(
        &mut self,
        request: CompletionRequest,
    ) -> wasmtime::Result<Result<Completion, LlmError>> {
        let router = match &self.grant {
            LlmGrant::Granted(router) => router.clone(),
            LlmGrant::Denied => {
                return Ok(Err(LlmError::Denied(format!(
                    "skill '{}' may not call the LLM: its manifest does not grant it (add `permissions: {{ llm: true }}`)",
                    self.skill
                ))));
            }
            LlmGrant::NoRouter => {
                return Ok(Err(LlmError::Unavailable(
                    "this host has no LLM providers configured".into(),
                )));
            }
        };
        if request.prompt.trim().is_empty() {
            return Ok(Err(LlmError::Invalid("the prompt is empty".into())));
        }
        let routed = router
            .complete(
                &self.skill,
                request.prompt,
                request.system.as_deref(),
                request.max_tokens,
                request.temperature,
            )
            .await;
        tracing::debug!(target: "skill", skill = &*self.skill, request_id = &*self.request_id, ok = routed.is_ok(), "llm call");
        Ok(match routed {
            Ok(routed) => Ok(Completion {
                text: routed.completion.text,
                provider: routed.provider,
                model: routed.completion.model,
                finish_reason: routed.completion.finish_reason.as_str().to_owned(),
                input_tokens: routed.completion.usage.input_tokens,
                output_tokens: routed.completion.usage.output_tokens,
            }),
            Err(error @ RouteError::Refused { .. }) => Err(LlmError::Refused(error.to_string())),
            Err(error) => Err(LlmError::Unavailable(error.to_string())),
        })
    }
}
