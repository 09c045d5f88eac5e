//! What one skill instance's [`Store`](wasmtime::Store) holds: a WASI context that grants
//! nothing, the resource limiter, and each capability's state for the request it serves.

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
    wasi: WasiCtx,
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
        let captured = MemoryOutputPipe::new(CAPTURED_OUTPUT_BYTES);
        let wasi = WasiCtxBuilder::new()
            .stdout(captured.clone())
            .stderr(captured.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }))
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            capabilities,
            limiter,
            ticks_used: 0,
            ticks_budget,
            cpu_exceeded: false,
            captured,
        }
    }

    /// What the guest wrote to stdout and stderr, lossily decoded.
    pub fn captured_output(&self) -> String {
        String::from_utf8_lossy(&self.captured.contents()).into_owned()
    }
}

impl WasiView for SkillState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for SkillState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        self.capabilities.http.view(&mut self.table)
    }
}

impl HasCapabilities for SkillState {
    fn capabilities(&mut self) -> &mut CapabilityStates {
        &mut self.capabilities
    }
}

/// `types` has no functions; it is linked so that its types resolve.
impl bindings::types::Host for SkillState {}
