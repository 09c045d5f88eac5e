//! The `config` import: the operator's settings for the running skill, and nothing else.

use super::bindings::config::Host;
use super::state::SkillState;

impl Host for SkillState {
    async fn get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.call.settings.get(&key).cloned())
    }
}
