//! `[audit]`: what the audit log keeps, and for how long.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[audit]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Record every task request (on by default; off only to measure its cost).
    pub enabled: bool,
    /// Keep the prompt in each record.
    pub store_prompts: bool,
    /// Keep the answer (result or error detail) in each record.
    pub store_responses: bool,
    /// Longest prompt or answer kept, in bytes; the rest is cut.
    pub max_text_bytes: usize,
    /// Records older than this many days are purged.
    pub retention_days: u32,
    /// Daily roll-ups (what dashboards read) are kept this long.
    pub rollup_retention_days: u32,
    /// How often the purge runs, in seconds.
    pub purge_interval_secs: u64,
    /// An export whose client takes no data for this long is stopped, in milliseconds, so a
    /// stalled download never holds a reader thread.
    pub export_stall_timeout_ms: u64,
    /// What an answered request's record survives (SQLite; PostgreSQL commits every record
    /// before its answer, as its own `synchronous_commit` says).
    pub durability: AuditDurability,
}

/// What an answered request's audit record survives, on SQLite.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditDurability {
    /// A crash of `prax`, `kill -9` included: the record is appended to the audit journal
    /// before the answer and reaches the database within milliseconds. Power lost in those
    /// milliseconds can lose it.
    #[default]
    ProcessCrash,
    /// Power loss too: the record is committed and flushed to disk before the answer (with
    /// group commit), at a cost in throughput.
    PowerLoss,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            store_prompts: true,
            store_responses: true,
            max_text_bytes: 4096,
            retention_days: 30,
            rollup_retention_days: 400,
            purge_interval_secs: 3600,
            export_stall_timeout_ms: 60_000,
            durability: AuditDurability::default(),
        }
    }
}

impl AuditConfig {
    /// Check the periods.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.purge_interval_secs == 0 {
            return Err(FieldError::new(
                "audit.purge_interval_secs",
                "must be at least 1 (seconds)",
            ));
        }
        if self.retention_days == 0 || self.rollup_retention_days == 0 {
            return Err(FieldError::new(
                "audit.retention_days",
                "and `audit.rollup_retention_days` must be at least 1 (days)",
            ));
        }
        if !(100..=3_600_000).contains(&self.export_stall_timeout_ms) {
            return Err(FieldError::new(
                "audit.export_stall_timeout_ms",
                "must be between 100 and 3600000 (ms)",
            ));
        }
        Ok(())
    }
}
