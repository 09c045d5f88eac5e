//! The `llm` import: completions through the router, for skills whose manifest grants `llm`.
//! The route is the skill's own name when the operator configured one, else the default.

use super::bindings::llm::{Completion, CompletionRequest, Host, LlmError};
use super::state::SkillState;
use crate::llm::RouteError;

impl Host for SkillState {
    async fn complete(
        &mut self,
        request: CompletionRequest,
    ) -> wasmtime::Result<Result<Completion, LlmError>> {
        let Some(router) = self.call.llm.clone() else {
            return Ok(Err(LlmError::Denied(format!(
                "skill '{}' may not call the LLM: its manifest does not grant it (add `permissions: {{ llm: true }}`)",
                self.call.skill
            ))));
        };
        if request.prompt.trim().is_empty() {
            return Ok(Err(LlmError::Invalid("the prompt is empty".into())));
        }
        let routed = router
            .complete(
                &self.call.skill,
                request.prompt,
                request.system.as_deref(),
                request.max_tokens,
                request.temperature,
            )
            .await;
        tracing::debug!(target: "skill", skill = &*self.call.skill, request_id = &*self.call.request_id, ok = routed.is_ok(), "llm call");
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
