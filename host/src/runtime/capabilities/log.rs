//! `log`: guest log lines, tagged with skill and request id, bounded per request.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use crate::runtime::bindings::log::{self as wit, Host, Level};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// Longest log line kept, in bytes; the rest is cut.
const MAX_LINE_BYTES: usize = 4096;

/// The `log` capability: every skill has it, within the operator's line budget.
pub struct Log;

/// One instance's log: who writes, and how many lines it may still write.
pub struct LogState {
    skill: Arc<str>,
    request_id: Arc<str>,
    lines_left: u32,
}

impl Capability for Log {
    type Grant = ();
    type State = LogState;

    fn grant(_: &GrantInput<'_>) {}

    fn instantiate(_: &(), input: &InstanceInput<'_>) -> LogState {
        LogState {
            skill: input.skill.clone(),
            request_id: input.request_id.clone(),
            lines_left: input.budgets.log_lines,
        }
    }
}

impl<T: Send + 'static> LinkCapability<T> for Log {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut LogState,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<LogState>>(linker, state)
    }
}

impl Host for LogState {
    async fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        if self.lines_left == 0 {
            return Ok(());
        }
        self.lines_left -= 1;
        let message = &message[..message.floor_char_boundary(MAX_LINE_BYTES)];
        let (skill, request_id) = (&*self.skill, &*self.request_id);
        match level {
            Level::Trace => tracing::trace!(target: "skill", skill, request_id, "{message}"),
            Level::Debug => tracing::debug!(target: "skill", skill, request_id, "{message}"),
            Level::Info => tracing::info!(target: "skill", skill, request_id, "{message}"),
            Level::Warn => tracing::warn!(target: "skill", skill, request_id, "{message}"),
            Level::Error => tracing::error!(target: "skill", skill, request_id, "{message}"),
        }
        if self.lines_left == 0 {
            tracing::warn!(target: "skill", skill, request_id, "log line budget spent; further lines from this request are dropped");
        }
        Ok(())
    }
}
