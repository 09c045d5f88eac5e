//! The skill runtime: one wasmtime engine, compiled components cached on disk, and a fresh
//! sandboxed instance per request. One file per host interface (`host_*.rs`).

pub mod bindings;
pub mod cache;
pub mod engine;
mod host_config;
mod host_context;
mod host_http;
mod host_llm;
mod host_log;
mod host_mail;
mod host_output;
pub mod invoke;
pub mod limits;
pub mod state;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use praximous_registry::{Limits, Sha256Digest, WitVersion};
use tokio::sync::Semaphore;
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

pub use cache::CacheOutcome;
pub use invoke::{Call, FailureKind, InvokeError, SkillOutput};

use bindings::{Skill, SkillPre};
use cache::ArtifactCache;
use engine::EpochTicker;
use state::SkillState;

/// The WIT package versions this host runs.
pub const SUPPORTED_WIT: &[&str] = &["praximous:skill@0.1.0"];

/// [`SUPPORTED_WIT`], parsed.
pub fn supported_wit() -> Vec<WitVersion> {
    SUPPORTED_WIT
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect()
}

/// Why the runtime could not start or prepare a skill.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The engine could not be configured (e.g. not enough virtual memory for the pool).
    #[error("cannot start the WebAssembly engine: {0}")]
    Engine(String),
    /// The component is not valid WebAssembly, or does not compile.
    #[error("the component does not compile: {0}")]
    Compile(String),
    /// The component needs imports this host lacks, or lacks the `run` export.
    #[error("the component does not fit this host's `praximous:skill` world: {0}")]
    Link(String),
}

/// Operator settings the runtime enforces on every skill.
#[derive(Debug, Clone)]
pub struct RuntimeSettings {
    /// Instances that may run at once.
    pub max_concurrent: u32,
    /// Ceiling on any skill's memory, in MiB.
    pub max_memory_mb: u32,
    /// Ceiling on any skill's deadline, in ms.
    pub max_timeout_ms: u64,
    /// Largest result, in bytes.
    pub max_output_bytes: usize,
    /// Partial output per request, in bytes.
    pub max_emit_bytes: usize,
    /// Log lines per request.
    pub max_log_lines: u32,
    /// Directory of the compiled-component cache.
    pub cache_dir: PathBuf,
}

/// What one skill may use besides its own code: the operator's settings for it and the hosts
/// it may reach (see `skills::settings` for how they are worked out).
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// Settings served by the `config` import.
    pub settings: Arc<BTreeMap<String, String>>,
    /// Hosts for `wasi:http` (`name` or `name:port`).
    pub network: Vec<String>,
}

/// A skill compiled and pre-linked, ready to instantiate per request.
pub struct PreparedSkill {
    name: Arc<str>,
    limits: Limits,
    /// Hosts it may reach over `wasi:http`: its manifest's, narrowed by the operator.
    network: Arc<[String]>,
    /// The operator's settings for it, served by the `config` import.
    settings: Arc<BTreeMap<String, String>>,
    pre: SkillPre<SkillState>,
    /// Whether the compiled form came from the cache.
    pub cache: CacheOutcome,
}

/// The engine, linker, compiled-component cache and instance slots.
pub struct Runtime {
    engine: Engine,
    linker: Linker<SkillState>,
    cache: ArtifactCache,
    slots: Arc<Semaphore>,
    settings: RuntimeSettings,
    _ticker: EpochTicker,
}

impl Runtime {
    /// Start the engine and its epoch ticker.
    pub fn new(settings: RuntimeSettings) -> Result<Self, RuntimeError> {
        let engine = engine::build_engine(settings.max_concurrent, settings.max_memory_mb)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        Skill::add_to_linker::<SkillState, HasSelf<SkillState>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let ticker =
            EpochTicker::start(&engine).map_err(|e| RuntimeError::Engine(e.to_string()))?;
        Ok(Self {
            cache: ArtifactCache::new(settings.cache_dir.clone(), &engine),
            slots: Arc::new(Semaphore::new(settings.max_concurrent as usize)),
            engine,
            linker,
            settings,
            _ticker: ticker,
        })
    }

    /// Compile `wasm` (or load it from the cache) and pre-link it against the host; each
    /// instance gets `grants` (its settings and the hosts it may reach).
    pub fn prepare(
        &self,
        name: &str,
        limits: Limits,
        grants: Grants,
        digest: &Sha256Digest,
        wasm: &[u8],
    ) -> Result<PreparedSkill, RuntimeError> {
        let (component, cache) = self
            .cache
            .load_or_compile(&self.engine, digest, wasm)
            .map_err(|e| RuntimeError::Compile(format!("{e:#}")))?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| RuntimeError::Link(format!("{e:#}")))?;
        let pre = SkillPre::new(instance_pre).map_err(|e| RuntimeError::Link(format!("{e:#}")))?;
        Ok(PreparedSkill {
            name: Arc::from(name),
            limits,
            network: grants.network.into(),
            settings: grants.settings,
            pre,
            cache,
        })
    }

    /// The settings the runtime enforces.
    pub fn settings(&self) -> &RuntimeSettings {
        &self.settings
    }
}
