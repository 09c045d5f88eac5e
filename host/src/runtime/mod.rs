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
pub mod share;
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
pub use invoke::{Call, DeltaSink, FailureKind, InvokeError, SkillOutput};
pub use services::HostServices;

use bindings::SkillPre;
use cache::ArtifactCache;
use capability::GrantInput;
use engine::EpochTicker;
use share::Share;
use state::SkillState;

use crate::config::SkillSettings;

/// Bytes in a WebAssembly page.
const WASM_PAGE_BYTES: u64 = 64 << 10;

/// The WIT package versions this host runs.
/// Each later version only adds imports, so an earlier component links against the newest unchanged.
pub const SUPPORTED_WIT: &[&str] = &[
    "praximous:skill@0.1.0",
    "praximous:skill@0.1.1",
    "praximous:skill@0.1.2",
];

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
    /// The component needs more than any instance may have; refused at load, so that it
    /// never fails someone's request instead.
    #[error("the component needs {0}")]
    TooLarge(String),
}

/// Operator settings the runtime enforces on every skill.
#[derive(Debug, Clone)]
pub struct RuntimeSettings {
    /// Instances that may run at once.
    pub max_concurrent: u32,
    /// Instances one API key's requests may hold at once.
    pub max_concurrent_per_key: u32,
    /// Instances one skill may hold at once.
    pub max_concurrent_per_skill: u32,
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
    grants: Arc<Grants>,
    /// Its share of the instance slots.
    slots: Share,
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
    /// Each key's share of the slots, made when the key first calls a skill.
    key_slots: std::sync::Mutex<std::collections::HashMap<Arc<str>, Arc<Share>>>,
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
            key_slots: std::sync::Mutex::default(),
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
        self.fits(&component, &manifest.limits)?;
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
            grants: Arc::new(grants),
            slots: Share::new(self.settings.max_concurrent_per_skill),
            pre,
            cache,
        })
    }

    /// Refuse a component that could never be instantiated here: more memories or tables than
    /// the instance pool gives one component, or a memory whose initial size is already over
    /// the skill's limit.
    fn fits(
        &self,
        component: &wasmtime::component::Component,
        limits: &praximous_registry::Limits,
    ) -> Result<(), RuntimeError> {
        let Some(needs) = component.resources_required() else {
            return Ok(());
        };
        if needs.num_memories > engine::MAX_MEMORIES_PER_COMPONENT {
            return Err(RuntimeError::TooLarge(format!(
                "{} linear memories; an instance may have {}",
                needs.num_memories,
                engine::MAX_MEMORIES_PER_COMPONENT
            )));
        }
        if needs.num_tables > engine::MAX_TABLES_PER_COMPONENT {
            return Err(RuntimeError::TooLarge(format!(
                "{} tables; an instance may have {}",
                needs.num_tables,
                engine::MAX_TABLES_PER_COMPONENT
            )));
        }
        let limit = limits::EffectiveLimits::new(
            limits,
            self.settings.max_memory_mb,
            self.settings.max_timeout_ms,
        );
        let initial = needs
            .max_initial_memory_size
            .unwrap_or(0)
            .saturating_mul(WASM_PAGE_BYTES);
        if initial > limit.memory_bytes as u64 {
            return Err(RuntimeError::TooLarge(format!(
                "{} MiB of memory to start, more than its limit of {} MiB (raise limits.memory_mb, within [skills] max_memory_mb)",
                initial >> 20,
                limit.memory_mb()
            )));
        }
        Ok(())
    }

    /// The share of instance slots of the key `key_id`.
    fn key_slots(&self, key_id: &Arc<str>) -> Arc<Share> {
        let mut shares = self
            .key_slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(share) = shares.get(key_id) {
            return share.clone();
        }
        let share = Arc::new(Share::new(self.settings.max_concurrent_per_key));
        shares.insert(key_id.clone(), share.clone());
        share
    }

    /// The settings the runtime enforces.
    pub fn settings(&self) -> &RuntimeSettings {
        &self.settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime(max_memory_mb: u32) -> Runtime {
        let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        Runtime::new(
            RuntimeSettings {
                max_concurrent: 2,
                max_concurrent_per_key: 1,
                max_concurrent_per_skill: 1,
                max_memory_mb,
                max_timeout_ms: 1000,
                max_output_bytes: 1024,
                max_emit_bytes: 1024,
                max_log_lines: 1,
                cache_dir: cache.path().to_owned(),
                cache_key: crate::secret_file::Secret::random().unwrap_or_else(|e| panic!("{e}")),
            },
            HostServices::offline(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A component instantiating `modules` core modules, each with one memory of `pages`.
    fn component(
        runtime: &Runtime,
        modules: usize,
        pages: u32,
    ) -> wasmtime::Result<wasmtime::component::Component> {
        let mut text = String::from("(component\n");
        for i in 0..modules {
            text.push_str(&format!(
                "  (core module $m{i} (memory {pages}))\n  (core instance (instantiate $m{i}))\n"
            ));
        }
        text.push(')');
        let bytes = wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}"));
        wasmtime::component::Component::new(&runtime.engine, bytes)
    }

    fn limits(memory_mb: u32) -> praximous_registry::Limits {
        praximous_registry::Limits {
            memory_mb,
            timeout_ms: 1000,
            cpu_ms: None,
        }
    }

    #[test]
    fn components_that_could_never_run_here_are_refused_at_load() {
        let runtime = runtime(64);
        let fine = component(&runtime, 2, 1).unwrap_or_else(|e| panic!("{e}"));
        assert!(runtime.fits(&fine, &limits(16)).is_ok());
        // More memories than the pool gives a component: wasmtime refuses it as it compiles,
        // so prepare (and the catalogue) never load it.
        let many = component(&runtime, 9, 1)
            .map(drop)
            .map_err(|e| e.to_string());
        assert!(
            many.as_ref()
                .is_err_and(|m| m.contains("exceeds the configured maximum")),
            "{many:?}"
        );
        // 512 pages are 32 MiB to start with, over a 16 MiB limit.
        let big = component(&runtime, 1, 512).unwrap_or_else(|e| panic!("{e}"));
        let big = runtime.fits(&big, &limits(16));
        assert!(
            matches!(&big, Err(RuntimeError::TooLarge(m)) if m.contains("32 MiB of memory to start")),
            "{big:?}"
        );
    }
}
