//! What one skill instance's [`Store`](wasmtime::Store) holds: a WASI context that grants
//! nothing, the resource limiter, and each capability's state for the request it serves.
//!
//! The WASI context is built when the guest first calls a WASI function, not with the store:
//! building it seeds two random number generators and allocates its streams, and a skill
//! that never prints, reads the clock or asks for randomness during a request (most Rust
//! skills: their WASI imports serve std's panic path) never needs it.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use wasmtime_wasi_http::{WasiHttpCtxView, WasiHttpView};

use super::bindings;
use super::capabilities::{CapabilityStates, HasCapabilities};
use super::limits::SkillLimiter;

/// Bytes of guest stdout/stderr kept per request, for panic messages and debugging.
pub const CAPTURED_OUTPUT_BYTES: usize = 16 * 1024;

/// The data of one instance's store.
pub struct SkillState {
    /// Built on first use (see the module).
    wasi: Option<WasiCtx>,
    table: ResourceTable,
    /// Each capability's state for this request.
    pub capabilities: CapabilityStates,
    /// Memory and table limits.
    pub limiter: SkillLimiter,
    /// Epoch ticks the guest has run through.
    pub ticks_used: u64,
    /// Epoch ticks the guest may run through.
    pub ticks_budget: u64,
    /// Set when the CPU budget ran out.
    pub cpu_exceeded: bool,
    /// The guest's stdout and stderr, bounded.
    pub captured: MemoryOutputPipe,
}

impl SkillState {
    /// A state whose WASI context grants no files, environment, arguments, sockets or stdin;
    /// everything else the instance may do is in `capabilities`.
    pub fn new(capabilities: CapabilityStates, limiter: SkillLimiter, ticks_budget: u64) -> Self {
        Self {
            wasi: None,
            table: ResourceTable::new(),
            capabilities,
            limiter,
            ticks_used: 0,
            ticks_budget,
            cpu_exceeded: false,
            captured: MemoryOutputPipe::new(CAPTURED_OUTPUT_BYTES),
        }
    }

    /// Whether the guest has called a WASI function during this request.
    #[cfg(test)]
    fn used_wasi(&self) -> bool {
        self.wasi.is_some()
    }

    /// What the guest wrote to stdout and stderr, lossily decoded.
    pub fn captured_output(&self) -> String {
        String::from_utf8_lossy(&self.captured.contents()).into_owned()
    }
}

impl WasiView for SkillState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let captured = &self.captured;
        let ctx = self.wasi.get_or_insert_with(|| {
            WasiCtxBuilder::new()
                .stdout(captured.clone())
                .stderr(captured.clone())
                .allow_tcp(false)
                .allow_udp(false)
                .allow_ip_name_lookup(false)
                .socket_addr_check(|_, _| Box::pin(async { false }))
                .build()
        });
        WasiCtxView {
            ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for SkillState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        self.capabilities.http().view(&mut self.table)
    }
}

impl HasCapabilities for SkillState {
    fn capabilities(&mut self) -> &mut CapabilityStates {
        &mut self.capabilities
    }
}

/// `types` has no functions; it is linked so that its types resolve.
impl bindings::types::Host for SkillState {}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SkillState {
        let capabilities = crate::runtime::capabilities::probe_states();
        SkillState::new(capabilities, SkillLimiter::new(1 << 20), 1)
    }

    #[test]
    fn the_wasi_context_is_built_on_first_use_and_then_kept() {
        let mut state = state();
        assert!(!state.used_wasi(), "a new store has no WASI context yet");
        let first: *const WasiCtx = state.ctx().ctx;
        assert!(state.used_wasi());
        let second: *const WasiCtx = state.ctx().ctx;
        assert_eq!(first, second, "the context is built once, not per call");
    }
}
