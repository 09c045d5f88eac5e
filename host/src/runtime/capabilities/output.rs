//! `output`: partial results, within a per-request byte budget.
//!
//! No transport streams them yet; until one does, an accepted chunk is counted against the
//! budget and logged at trace level.

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
        Ok(true)
    }
}
