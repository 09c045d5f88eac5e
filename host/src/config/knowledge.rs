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
    /// How long the change log keeps a deleted document's entry, in seconds: a replica that
    /// cannot follow the log for longer rebuilds its indexes when it can again.
    pub forget_deleted_after_s: u64,
    /// Where passages' vectors are indexed and searched: `embedded` (on this replica, under
    /// the data directory) or `chroma` (a Chroma server, `chroma_url`).
    pub store: VectorStoreKind,
    /// The Chroma server's base URL, e.g. `http://127.0.0.1:8000` (with `store = "chroma"`).
    /// Its token, if it wants one, is read from `PRAX_CHROMA_TOKEN`.
    pub chroma_url: Option<String>,
    /// The Chroma tenant.
    pub chroma_tenant: String,
    /// The Chroma database (made when missing).
    pub chroma_database: String,
}

/// Where vectors are indexed (`[knowledge] store`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VectorStoreKind {
    /// A usearch graph per collection under the data directory.
    #[default]
    Embedded,
    /// A Chroma server (its v2 API).
    Chroma,
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
            forget_deleted_after_s: 24 * 60 * 60,
            store: VectorStoreKind::Embedded,
            chroma_url: None,
            chroma_tenant: "default_tenant".into(),
            chroma_database: "default_database".into(),
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
            (
                "knowledge.forget_deleted_after_s",
                usize::try_from(self.forget_deleted_after_s).unwrap_or(usize::MAX),
                1,
                366 * 24 * 60 * 60,
            ),
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
        self.validate_chroma()?;
        if self.lexical_weight + self.vector_weight <= 0.0 {
            return Err(FieldError::new(
                "knowledge.vector_weight",
                "and lexical_weight are both 0: give at least one a weight",
            ));
        }
        Ok(())
    }

    fn validate_chroma(&self) -> Result<(), FieldError> {
        match (&self.store, &self.chroma_url) {
            (VectorStoreKind::Chroma, None) => {
                return Err(FieldError::new(
                    "knowledge.chroma_url",
                    "is missing: `store = \"chroma\"` needs the Chroma server's URL, e.g. \"http://127.0.0.1:8000\"",
                ));
            }
            (_, Some(url)) => {
                let parsed = reqwest::Url::parse(url).map_err(|e| {
                    FieldError::new(
                        "knowledge.chroma_url",
                        format!("is `{url}`, not a URL ({e}): write it as http://host:port"),
                    )
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(FieldError::new(
                        "knowledge.chroma_url",
                        format!("is `{url}`: it must start with http:// or https://"),
                    ));
                }
            }
            (VectorStoreKind::Embedded, None) => {}
        }
        for (key, value) in [
            ("knowledge.chroma_tenant", &self.chroma_tenant),
            ("knowledge.chroma_database", &self.chroma_database),
        ] {
            let fits = !value.is_empty()
                && value.len() <= 128
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !fits {
                return Err(FieldError::new(
                    key,
                    format!("is `{value}`: use 1 to 128 letters, digits, `_`, `-` or `.`"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(config: KnowledgeConfig) -> String {
        config
            .validate()
            .err()
            .map(|e| format!("{}: {}", e.key, e.problem))
            .unwrap_or_default()
    }

    #[test]
    fn chroma_needs_a_url_and_names_it_can_use() {
        let chroma = KnowledgeConfig {
            store: VectorStoreKind::Chroma,
            ..KnowledgeConfig::default()
        };
        assert!(refused(chroma.clone()).contains("knowledge.chroma_url"));
        let ftp = KnowledgeConfig {
            chroma_url: Some("ftp://chroma.internal".into()),
            ..chroma.clone()
        };
        assert!(refused(ftp).contains("http://"));
        let bad_tenant = KnowledgeConfig {
            chroma_url: Some("http://127.0.0.1:8000".into()),
            chroma_tenant: "a tenant".into(),
            ..chroma.clone()
        };
        assert!(refused(bad_tenant).contains("knowledge.chroma_tenant"));
        let fine = KnowledgeConfig {
            chroma_url: Some("http://127.0.0.1:8000".into()),
            ..chroma
        };
        assert_eq!(fine.validate().ok(), Some(()));
    }
}
