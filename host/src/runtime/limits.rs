//! Per-invocation resource limits: memory through a [`ResourceLimiter`], time through epochs
//! (CPU spent in Wasm) and a wall-clock deadline (everything, host calls included).

use std::time::Duration;

use praximous_registry::Limits;
use wasmtime::ResourceLimiter;

use super::engine::EPOCH_TICK;

/// The limits one invocation runs under: the manifest's, capped by the operator's ceilings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveLimits {
    /// Linear memory ceiling, in bytes.
    pub memory_bytes: usize,
    /// CPU budget, in epoch ticks.
    pub cpu_ticks: u64,
    /// Wall-clock deadline for the whole call.
    pub wall: Duration,
}

impl EffectiveLimits {
    /// `limits` from a manifest, capped at `max_memory_mb` and `max_timeout_ms`.
    pub fn new(limits: &Limits, max_memory_mb: u32, max_timeout_ms: u64) -> Self {
        let memory_mb = limits.memory_mb.min(max_memory_mb) as usize;
        let wall_ms = limits.timeout_ms.min(max_timeout_ms);
        let cpu_ms = limits.cpu_budget_ms().min(wall_ms);
        let tick_ms = EPOCH_TICK.as_millis() as u64;
        Self {
            memory_bytes: memory_mb << 20,
            cpu_ticks: cpu_ms.div_ceil(tick_ms).max(1),
            wall: Duration::from_millis(wall_ms),
        }
    }

    /// The memory ceiling in MiB, for messages.
    pub fn memory_mb(&self) -> usize {
        self.memory_bytes >> 20
    }
}

/// Caps the instance's linear memory, all its memories together, and table growth; remembers
/// whether it had to refuse.
#[derive(Debug)]
pub struct SkillLimiter {
    memory_bytes: usize,
    /// Bytes of every linear memory of the instance together.
    in_use: usize,
    /// Set when the guest tried to grow memory past the ceiling.
    pub memory_exceeded: bool,
}

/// Table elements a skill may have; generous for any real component.
const MAX_TABLE_ELEMENTS: usize = 100_000;

impl SkillLimiter {
    /// A limiter allowing `memory_bytes` of linear memory.
    pub fn new(memory_bytes: usize) -> Self {
        Self {
            memory_bytes,
            in_use: 0,
            memory_exceeded: false,
        }
    }
}

impl ResourceLimiter for SkillLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Called for each memory as it is created (from 0) and grown: the sum of the changes
        // is what the whole instance holds, however many memories it spreads it over.
        let total = self.in_use.saturating_sub(current).saturating_add(desired);
        if total > self.memory_bytes {
            self.memory_exceeded = true;
            // An error traps the guest at once, rather than letting it handle the failed grow
            // and run on (or abort with a less clear message).
            return Err(wasmtime::format_err!(
                "memory limit of {} MiB exceeded",
                self.memory_bytes >> 20
            ));
        }
        self.in_use = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_limits_are_capped_by_the_operator() {
        let manifest = Limits {
            memory_mb: 512,
            timeout_ms: 90_000,
            cpu_ms: None,
        };
        let eff = EffectiveLimits::new(&manifest, 128, 30_000);
        assert_eq!(eff.memory_mb(), 128);
        assert_eq!(eff.wall, Duration::from_secs(30));
        assert_eq!(eff.cpu_ticks, 3_000);
    }

    #[test]
    fn cpu_budget_rounds_up_to_a_tick_and_never_exceeds_the_deadline() {
        let manifest = Limits {
            memory_mb: 16,
            timeout_ms: 1_000,
            cpu_ms: Some(15),
        };
        assert_eq!(EffectiveLimits::new(&manifest, 256, 60_000).cpu_ticks, 2);
        let manifest = Limits {
            memory_mb: 16,
            timeout_ms: 1_000,
            cpu_ms: Some(5_000),
        };
        assert_eq!(EffectiveLimits::new(&manifest, 256, 60_000).cpu_ticks, 100);
    }

    #[test]
    fn the_ceiling_holds_for_all_memories_together() {
        let mut limiter = SkillLimiter::new(4 << 20);
        assert!(matches!(limiter.memory_growing(0, 3 << 20, None), Ok(true)));
        // A second memory of 2 MiB would fit alone, not beside the first.
        assert!(limiter.memory_growing(0, 2 << 20, None).is_err());
        assert!(limiter.memory_exceeded);
    }

    #[test]
    fn limiter_refuses_growth_past_the_ceiling_and_remembers() {
        let mut limiter = SkillLimiter::new(2 << 20);
        assert!(matches!(limiter.memory_growing(0, 1 << 20, None), Ok(true)));
        assert!(!limiter.memory_exceeded);
        assert!(limiter.memory_growing(1 << 20, 3 << 20, None).is_err());
        assert!(limiter.memory_exceeded);
    }
}
