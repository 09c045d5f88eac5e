//! The `context` import: the system identity.

use super::bindings::context::{Host, Identity};
use super::state::SkillState;

impl Host for SkillState {
    async fn current(&mut self) -> wasmtime::Result<Identity> {
        let id = &self.call.identity;
        Ok(Identity {
            display_name: id.display_name(),
            system_name: id.system_name.clone(),
            business_name: id.business_name.clone(),
            industry: id.industry.clone(),
            persona_style: id.persona_style.clone(),
            sensitivity_level: id.sensitivity_level.clone(),
            location: id.location.clone(),
        })
    }
}

impl super::bindings::types::Host for SkillState {}
