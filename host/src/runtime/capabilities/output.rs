//! `output`: partial results, within a per-request byte budget. A caller that streams (SSE,
//! WebSocket) gets each accepted chunk as a `delta` as soon as it is emitted; for other callers
//! the chunk is only counted against the budget.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use crate::runtime::bindings::output::{self as wit, Host};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `output` capability: every skill may emit, within the operator's byte budget.
pub struct Output;

/// One instance's partial output.
pub struct OutputState {
    skill: Arc<str>,
    request_id: Arc<str>,
    bytes_left: usize,
    deltas: Option<crate::runtime::DeltaSink>,
}

impl Capability for Output {
    type Grant = ();
    type State = OutputState;

    fn grant(_: &GrantInput<'_>) {}

    fn instantiate(_: &(), input: &InstanceInput<'_>) -> OutputState {
        OutputState {
            skill: input.skill.clone(),
            request_id: input.request_id.clone(),
            bytes_left: input.budgets.emit_bytes,
            deltas: input.deltas.cloned(),
        }
    }
}

impl<T: Send + 'static> LinkCapability<T> for Output {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut OutputState,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<OutputState>>(linker, state)
    }
}

impl Host for OutputState {
    async fn emit(&mut self, chunk: String) -> wasmtime::Result<bool> {
        if chunk.len() > self.bytes_left {
            self.bytes_left = 0;
            return Ok(false);
        }
        self.bytes_left -= chunk.len();
        tracing::trace!(target: "skill", skill = &*self.skill, request_id = &*self.request_id, bytes = chunk.len(), "partial output");
        if let Some(deltas) = &self.deltas {
            // A closed receiver is a caller gone away; the call itself is being dropped.
            let _ = deltas.send(chunk);
        }
        Ok(true)
    }
}
