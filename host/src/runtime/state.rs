//! What one skill instance's [`Store`](wasmtime::Store) holds: a WASI context that grants
//! nothing, the resource limiter, and the context of the request it serves.

use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::host_http::NetworkPolicy;

use super::limits::SkillLimiter;
use crate::identity::Identity;
use crate::llm::Router;
use crate::mail::MailAccess;

/// Bytes of guest stdout/stderr kept per request, for panic messages and debugging.
pub const CAPTURED_OUTPUT_BYTES: usize = 16 * 1024;

/// The request an instance serves, as its host imports see it.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The skill's name, for log lines.
    pub skill: Arc<str>,
    /// The request id, for log lines.
    pub request_id: Arc<str>,
    /// The system identity served by the `context` import.
    pub identity: Arc<Identity>,
    /// Log lines the skill may still write.
    pub log_lines_left: u32,
    /// Bytes of partial output the skill may still emit.
    pub emit_bytes_left: usize,
    /// The LLM router, if the skill's manifest grants `llm`.
    pub llm: Option<Arc<Router>>,
    /// The operator's settings for this skill (its `[skills.<name>]` table), resolved.
    pub settings: Arc<BTreeMap<String, String>>,
    /// What the skill may do with e-mail.
    pub mail: MailAccess,
}

/// The data of one instance's store.
pub struct SkillState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    network: NetworkPolicy,
    table: ResourceTable,
    /// Memory and table limits.
    pub limiter: SkillLimiter,
    /// The request being served.
    pub call: CallContext,
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
    /// outgoing HTTP reaches only what `network` allows.
    pub fn new(
        call: CallContext,
        network: NetworkPolicy,
        limiter: SkillLimiter,
        ticks_budget: u64,
    ) -> Self {
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
            http: WasiHttpCtx::new(),
            network,
            table: ResourceTable::new(),
            limiter,
            call,
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
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.network,
        }
    }
}
