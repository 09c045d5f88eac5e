//! What changed in a collection since an index's position in the change log, read from the
//! rows as each changed document is now (an index applies current states, so applying one
//! again, or in another order, is harmless).

use std::collections::{HashMap, HashSet};

use super::lexical::DocumentVersion;
use super::search::day_number;
use super::store::Document;
use super::vectors::DocumentVectors;
use super::{Knowledge, KnowledgeError};

/// A changed document's current version (`None`: deleted).
pub(super) type Changed = Vec<(String, Option<DocumentVersion>)>;

/// A changed document's current passages' vectors (`None`: deleted).
pub(super) type ChangedVectors = Vec<(String, Option<DocumentVectors>)>;

impl Knowledge {
    /// Every document of `collection` changed after `from`, as it is now; from 0, every
    /// document (a fresh index is built from the rows, not from a log that may have been
    /// compacted or copied).
    pub(super) fn changed_since(
        &self,
        collection: &str,
        from: i64,
    ) -> Result<Changed, KnowledgeError> {
        let ids: Vec<String> = if from == 0 {
            self.store
                .documents(collection)?
                .into_iter()
                .map(|d| d.id)
                .collect()
        } else {
            let mut seen = HashSet::new();
            self.store
                .changes_since(collection, from)?
                .into_iter()
                .map(|c| c.document)
                .filter(|id| seen.insert(id.clone()))
                .collect()
        };
        let mut changed: Changed = Vec::with_capacity(ids.len());
        for id in ids {
            let current = self.store.document_with_chunks(collection, &id)?;
            changed.push((id, current));
        }
        Ok(changed)
    }

    /// `changed` with each passage's stored vector of `model` (passages without one are left
    /// out: they are being embedded).
    pub(super) fn with_vectors(
        &self,
        collection: &str,
        model: &str,
        changed: &Changed,
    ) -> Result<ChangedVectors, KnowledgeError> {
        let mut with_vectors = Vec::with_capacity(changed.len());
        for (id, current) in changed {
            let current = match current {
                Some((document, chunks)) => {
                    let hashes: Vec<String> = chunks.iter().map(|c| c.hash.clone()).collect();
                    let by_hash: HashMap<String, Vec<f32>> = self
                        .store
                        .vectors(collection, model, &hashes)?
                        .into_iter()
                        .collect();
                    let passages = chunks
                        .iter()
                        .filter_map(|c| Some((c.position, by_hash.get(&c.hash)?.clone())))
                        .collect();
                    Some(document_vectors(document, passages))
                }
                None => None,
            };
            with_vectors.push((id.clone(), current));
        }
        Ok(with_vectors)
    }
}

/// What the meaning index keeps of a document, with its passages' vectors.
pub(super) fn document_vectors(
    document: &Document,
    vectors: Vec<(u64, Vec<f32>)>,
) -> DocumentVectors {
    DocumentVectors {
        id: document.id.clone(),
        title: document.title.clone(),
        tags: document.tags.clone(),
        day: day_number(&document.date),
        vectors,
    }
}
