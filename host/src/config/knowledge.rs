//! `[knowledge]`: private documents in collections, and how they are cut and searched.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[knowledge]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The route (or `provider/model`) whose providers embed passages and questions for new
    /// collections; none: collections are searched by their words alone.
    pub embedding_route: Option<String>,
    /// Passages per embedding request.
    pub embed_batch: usize,
    /// Embedding requests in flight at once, per upload.
    pub embed_concurrency: usize,
    /// Neighbours per node of the vector graph (HNSW `M`).
    pub hnsw_connectivity: usize,
    /// Breadth of the neighbour search while adding a vector (`efConstruction`).
    pub hnsw_expansion_add: usize,
    /// Breadth of a vector search (`ef`): higher finds more of the true nearest, slower.
    pub hnsw_expansion_search: usize,
    /// How the vector index keeps each vector: `f16` (half the memory) or `f32`.
    pub vector_precision: crate::knowledge::vectors::Precision,
    /// The words' weight in hybrid search (reciprocal rank fusion).
    pub lexical_weight: f32,
    /// The meaning's weight in hybrid search.
    pub vector_weight: f32,
}

impl Default for KnowledgeConfig {
    fn default() -> Self {
        Self {
            max_document_mb: 20,
            chunk_tokens: 256,
            overlap_tokens: 32,
            sync_interval_ms: 500,
            embedding_route: None,
            embed_batch: 64,
            embed_concurrency: 2,
            hnsw_connectivity: 16,
            hnsw_expansion_add: 128,
            hnsw_expansion_search: 64,
            vector_precision: crate::knowledge::vectors::Precision::F16,
            lexical_weight: 1.0,
            vector_weight: 1.0,
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
        if let Some(route) = &self.embedding_route
            && route.trim().is_empty()
        {
            return Err(FieldError::new(
                "knowledge.embedding_route",
                "is empty: name a route whose providers have an `embedding_model`, or leave it out",
            ));
        }
        let ranges = [
            ("knowledge.embed_batch", self.embed_batch, 1, 2048),
            ("knowledge.embed_concurrency", self.embed_concurrency, 1, 64),
            (
                "knowledge.hnsw_connectivity",
                self.hnsw_connectivity,
                4,
                128,
            ),
            (
                "knowledge.hnsw_expansion_add",
                self.hnsw_expansion_add,
                8,
                2048,
            ),
            (
                "knowledge.hnsw_expansion_search",
                self.hnsw_expansion_search,
                8,
                4096,
            ),
        ];
        for (key, value, low, high) in ranges {
            if !(low..=high).contains(&value) {
                return Err(FieldError::new(
                    key,
                    format!("must be between {low} and {high}"),
                ));
            }
        }
        for (key, weight) in [
            ("knowledge.lexical_weight", self.lexical_weight),
            ("knowledge.vector_weight", self.vector_weight),
        ] {
            if !(0.0..=100.0).contains(&weight) {
                return Err(FieldError::new(key, "must be between 0 and 100"));
            }
        }
        if self.lexical_weight + self.vector_weight <= 0.0 {
            return Err(FieldError::new(
                "knowledge.vector_weight",
                "and lexical_weight are both 0: give at least one a weight",
            ));
        }
        Ok(())
    }
}
