//! `[knowledge]`: private documents in collections, and how they are cut and searched.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[knowledge]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeConfig {
    /// The largest document accepted, in MiB.
    pub max_document_mb: u64,
    /// A chunk's budget, in tokens (estimated at four characters each).
    pub chunk_tokens: usize,
    /// How much of the end of a chunk the next one repeats, in tokens, so that a passage cut
    /// in two is still found whole.
    pub overlap_tokens: usize,
    /// How often each replica looks for documents added through another (PostgreSQL store),
    /// in milliseconds.
    pub sync_interval_ms: u64,
}

impl Default for KnowledgeConfig {
    fn default() -> Self {
        Self {
            max_document_mb: 20,
            chunk_tokens: 256,
            overlap_tokens: 32,
            sync_interval_ms: 500,
        }
    }
}

impl KnowledgeConfig {
    /// The largest document accepted, in bytes.
    pub fn max_document_bytes(&self) -> usize {
        usize::try_from(self.max_document_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)
    }

    /// Check the sizes.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !(1..=1024).contains(&self.max_document_mb) {
            return Err(FieldError::new(
                "knowledge.max_document_mb",
                "must be between 1 and 1024 (MiB)",
            ));
        }
        if !(32..=8192).contains(&self.chunk_tokens) {
            return Err(FieldError::new(
                "knowledge.chunk_tokens",
                "must be between 32 and 8192",
            ));
        }
        if self.overlap_tokens * 2 > self.chunk_tokens {
            return Err(FieldError::new(
                "knowledge.overlap_tokens",
                format!(
                    "must be at most half of chunk_tokens ({}), or chunks would mostly repeat each other",
                    self.chunk_tokens
                ),
            ));
        }
        if !(50..=60_000).contains(&self.sync_interval_ms) {
            return Err(FieldError::new(
                "knowledge.sync_interval_ms",
                "must be between 50 and 60000 (milliseconds)",
            ));
        }
        Ok(())
    }
}
