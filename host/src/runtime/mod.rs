//! The skill runtime: one wasmtime engine, compiled components cached on disk, and a fresh
//! sandboxed instance per request. Each host capability is one module in `capabilities/`
//! (see [`capability::Capability`]).

pub mod bindings;
pub mod cache;
pub mod capabilities;
pub mod capability;
pub mod engine;
pub mod invoke;
pub mod limits;
pub mod services;
pub mod state;

use std::path::PathBuf;
use std::sync::Arc;

use praximous_registry::{Manifest, WitVersion};
use tokio::sync::Semaphore;
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

pub use cache::CacheOutcome;
pub use capabilities::Grants;
pub use capability::Budgets;
pub use invoke::{Call, FailureKind, InvokeError, SkillOutput};
pub use services::HostServices;

use bindings::SkillPre;
use cache::ArtifactCache;
use capability::GrantInput;
use engine::EpochTicker;
use state::SkillState;

use crate::config::SkillSettings;

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
    /// The key that binds cache entries to their components; kept outside `cache_dir`.
    pub cache_key: crate::secret_file::Secret,
}

/// A skill compiled and pre-linked, ready to instantiate per request.
pub struct PreparedSkill {
    name: Arc<str>,
    limits: praximous_registry::Limits,
    /// What each capability lets it do.
    grants: Grants,
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
    budgets: Budgets,
    services: HostServices,
    _ticker: EpochTicker,
}

impl Runtime {
    /// Start the engine and its epoch ticker; capabilities hand out `services`.
    pub fn new(settings: RuntimeSettings, services: HostServices) -> Result<Self, RuntimeError> {
        let engine = engine::build_engine(settings.max_concurrent, settings.max_memory_mb)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        bindings::types::add_to_linker::<SkillState, HasSelf<SkillState>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        capabilities::add_to_linker(&mut linker)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let ticker =
            EpochTicker::start(&engine).map_err(|e| RuntimeError::Engine(e.to_string()))?;
        Ok(Self {
            cache: ArtifactCache::new(
                settings.cache_dir.clone(),
                &engine,
                settings.cache_key.as_bytes(),
            ),
            slots: Arc::new(Semaphore::new(settings.max_concurrent as usize)),
            engine,
            linker,
            budgets: Budgets {
                log_lines: settings.max_log_lines,
                emit_bytes: settings.max_emit_bytes,
            },
            settings,
            services,
            _ticker: ticker,
        })
    }

    /// Compile `wasm` (or load it from the cache), pre-link it against the host, and decide
    /// what each capability grants the skill `manifest` describes, given the operator's
    /// `[skills.<name>]` table.
    pub fn prepare(
        &self,
        manifest: &Manifest,
        operator: Option<&SkillSettings>,
        wasm: &[u8],
    ) -> Result<PreparedSkill, RuntimeError> {
        let (component, cache) = self
            .cache
            .load_or_compile(&self.engine, &manifest.sha256, wasm)
            .map_err(|e| RuntimeError::Compile(format!("{e:#}")))?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| RuntimeError::Link(format!("{e:#}")))?;
        let pre = SkillPre::new(instance_pre).map_err(|e| RuntimeError::Link(format!("{e:#}")))?;
        let name: Arc<str> = Arc::from(manifest.name.as_str());
        let grants = Grants::decide(&GrantInput {
            skill: &name,
            permissions: &manifest.permissions,
            operator,
            services: &self.services,
        });
        Ok(PreparedSkill {
            name,
            limits: manifest.limits,
            grants,
            pre,
            cache,
        })
    }

    /// The settings the runtime enforces.
    pub fn settings(&self) -> &RuntimeSettings {
        &self.settings
    }
}
