//! What searching by meaning needs of an index, whichever holds the vectors: the embedded
//! usearch graph on this replica ([`super::vectors`]) or a Chroma server ([`super::chroma`]).
//! Either is derived from the store's rows and records the last change-log entry it reflects.

use std::sync::Arc;

use super::search::Filters;
use super::vectors::{DocumentVectors, VectorError, VectorHit, VectorIndex};

/// One collection's meaning index, for one embedding model.
pub trait MeaningIndex: Send + Sync {
    /// The model whose vectors it holds.
    fn model(&self) -> &str;
    /// The vectors' dimension.
    fn dimension(&self) -> usize;
    /// The last change-log entry it reflects.
    fn applied(&self) -> Result<i64, VectorError>;
    /// How many passages it holds.
    fn len(&self) -> usize;
    /// Whether it holds none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Replace each changed document's passages (`None`: deleted) and record `seq` as applied.
    /// Applying a change again is harmless.
    fn apply(
        &self,
        seq: i64,
        changed: &[(String, Option<DocumentVectors>)],
    ) -> Result<(), VectorError>;
    /// The `top_k` passages nearest `query` in meaning, within `filters`.
    fn search(
        &self,
        query: &[f32],
        filters: &Filters,
        top_k: usize,
    ) -> Result<Vec<VectorHit>, VectorError>;
    /// Whether it has changes to write out, and the time has come.
    fn due_for_saving(&self) -> bool {
        false
    }
    /// Write out its changes (an index kept elsewhere has nothing to write).
    fn save(&self) -> Result<(), VectorError> {
        Ok(())
    }
}

/// How an index was found when opened.
pub enum OpenedMeaning {
    /// A sound index of the expected model.
    Current(Arc<dyn MeaningIndex>),
    /// Nothing usable: `why`, for the log (`NONE` when there simply is none yet).
    Unusable(String),
}

/// Why an index could not be used when there simply is none yet.
pub const NONE: &str = VectorIndex::NONE;

impl MeaningIndex for VectorIndex {
    fn model(&self) -> &str {
        VectorIndex::model(self)
    }

    fn dimension(&self) -> usize {
        VectorIndex::dimension(self)
    }

    fn applied(&self) -> Result<i64, VectorError> {
        Ok(VectorIndex::applied(self))
    }

    fn len(&self) -> usize {
        VectorIndex::len(self)
    }

    fn apply(
        &self,
        seq: i64,
        changed: &[(String, Option<DocumentVectors>)],
    ) -> Result<(), VectorError> {
        VectorIndex::apply(self, seq, changed)
    }

    fn search(
        &self,
        query: &[f32],
        filters: &Filters,
        top_k: usize,
    ) -> Result<Vec<VectorHit>, VectorError> {
        VectorIndex::search(self, query, filters, top_k)
    }

    fn due_for_saving(&self) -> bool {
        VectorIndex::due_for_saving(self)
    }

    fn save(&self) -> Result<(), VectorError> {
        VectorIndex::save(self)
    }
}
