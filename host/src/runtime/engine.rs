//! The one wasmtime [`Engine`] of the process, and the epoch ticker that drives time limits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances; the granularity of CPU time limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Linear memories one component may have (the pooling allocator's per-component limit).
pub const MAX_MEMORIES_PER_COMPONENT: u32 = 8;
/// Tables one component may have.
pub const MAX_TABLES_PER_COMPONENT: u32 = 16;

/// Memory per slot kept resident between instances (reset by memset, not returned to the OS).
const KEEP_RESIDENT_BYTES: usize = 2 << 20;

/// Build the engine: component model, async, pooling allocator sized for `max_concurrent`
/// instances of at most `max_memory_mb` MiB each, and epoch interruption.
pub fn build_engine(max_concurrent: u32, max_memory_mb: u32) -> wasmtime::Result<Engine> {
    let n = max_concurrent;
    let mut pool = PoolingAllocationConfig::default();
    // Sized for Rust, Python (componentize-py) and JS (componentize-js) components alike;
    // see docs/architecture.md, "Runtime facts".
    pool.total_component_instances(n)
        .total_core_instances(8 * n)
        .total_memories(2 * n)
        .total_tables(4 * n)
        .total_stacks(n)
        .max_memory_size(max_memory_mb as usize * (1 << 20))
        .max_core_instances_per_component(64)
        .max_memories_per_component(MAX_MEMORIES_PER_COMPONENT)
        .max_tables_per_component(MAX_TABLES_PER_COMPONENT)
        .max_component_instance_size(1 << 20)
        .max_unused_warm_slots(64.min(n))
        // Reset a slot's memory and tables with memset of the pages the last instance
        // dirtied, found with PAGEMAP_SCAN (Linux 6.7+), instead of madvise. madvise and the
        // copy-on-write faults it causes next time each cost a TLB shootdown across cores;
        // measured, they were over half of the CPU time of a fresh instance per request.
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES / 16)
        .pagemap_scan(Enabled::Auto);

    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config)
}

/// A thread that advances the engine's epoch every [`EPOCH_TICK`] until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    /// Start ticking `engine`.
    pub fn start(engine: &Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let engine = engine.clone();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("prax-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
