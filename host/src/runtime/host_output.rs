//! The `output` import: partial results, within a per-request byte budget.
//!
//! No transport streams them yet (the WebSocket endpoint will); until then an accepted chunk
//! is counted against the budget and logged at trace level.

use super::bindings::output::Host;
use super::state::SkillState;

impl Host for SkillState {
    async fn emit(&mut self, chunk: String) -> wasmtime::Result<bool> {
        let call = &mut self.call;
        if chunk.len() > call.emit_bytes_left {
            call.emit_bytes_left = 0;
            return Ok(false);
        }
        call.emit_bytes_left -= chunk.len();
        tracing::trace!(target: "skill", skill = &*call.skill, request_id = &*call.request_id, bytes = chunk.len(), "partial output");
        Ok(true)
    }
}
