//! Each collection's search indexes on this replica — words (tantivy) and meaning (usearch) —
//! opened on first use (rebuilt from the rows when missing, unreadable, of another model, or
//! ahead of the store), caught up on the store's change log after every local change and
//! every `[knowledge] sync_interval_ms`, and dropped when their collection is gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use super::changes::{ChangedVectors, document_vectors};
use super::chroma::ChromaIndex;
use super::lexical::{LexicalIndex, Opened};
use super::meaning::{self, MeaningIndex, OpenedMeaning};
use super::store::{Collection, Document};
use super::vectors::{OpenedVectors, VectorError, VectorIndex, VectorSettings};
use super::{Knowledge, KnowledgeError, locked};

/// One collection's indexes. Each has its own lock, so that building one collection's index
/// holds up neither searches of another nor searches by words while the meaning is built.
#[derive(Default)]
pub(super) struct Slot {
    /// Held while catching up, so changes are applied in order and once.
    pub(super) catching_up: Mutex<()>,
    pub(super) lexical: Mutex<Option<Arc<LexicalIndex>>>,
    pub(super) vectors: RwLock<Option<Arc<dyn MeaningIndex>>>,
    /// Held while the meaning index is opened or built.
    building: Mutex<()>,
    /// The last failure of the server that keeps the vectors, logged once until it changes.
    pub(super) remote_failure: Mutex<Option<String>>,
}

impl Slot {
    pub(super) fn set_vectors(&self, index: Option<Arc<dyn MeaningIndex>>) {
        *self
            .vectors
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = index;
    }
}

/// A meaning index's failure as the caller sees it: the vector server's failures say that
/// it is unavailable (503), the rest that the index failed.
pub(super) fn meaning_failed(
    collection: &Collection,
) -> impl Fn(VectorError) -> KnowledgeError + '_ {
    move |error| match error {
        VectorError::Remote(reason) | VectorError::Gone(reason) => KnowledgeError::VectorStore {
            collection: collection.name.clone(),
            reason,
        },
        other => KnowledgeError::Index {
            collection: collection.name.clone(),
            reason: other.to_string(),
        },
    }
}

pub(super) fn index_failed(collection: &Collection) -> impl Fn(String) -> KnowledgeError + '_ {
    move |reason| KnowledgeError::Index {
        collection: collection.name.clone(),
        reason,
    }
}

impl Knowledge {
    pub(super) fn slot(&self, collection: &Collection) -> Arc<Slot> {
        locked(&self.slots)
            .entry(collection.uid.clone())
            .or_default()
            .clone()
    }

    pub(super) fn vector_settings(&self) -> VectorSettings {
        VectorSettings {
            precision: self.config.vector_precision,
            connectivity: self.config.hnsw_connectivity,
            expansion_add: self.config.hnsw_expansion_add,
            expansion_search: self.config.hnsw_expansion_search,
        }
    }

    /// The words index of `collection`: opened (checked, and rebuilt from the rows when
    /// missing, unreadable or ahead of the store) on first use.
    pub(super) fn lexical(
        &self,
        collection: &Collection,
    ) -> Result<Arc<LexicalIndex>, KnowledgeError> {
        let slot = self.slot(collection);
        let mut opened = locked(&slot.lexical);
        if let Some(index) = opened.as_ref() {
            return Ok(index.clone());
        }
        let dir = self.root.join(&collection.uid).join("lexical");
        let last = self.store.last_change(&collection.name)?;
        let floor = self.store.log_floor(&collection.name)?;
        let index = match LexicalIndex::open(&dir) {
            // Caught up before any search sees it: a stale index would miss recent documents.
            Opened::Current(index) if (floor..=last).contains(&index.applied()) => {
                if index.applied() < last {
                    let changed = self.changed_since(&collection.name, index.applied())?;
                    index
                        .apply(last, &changed)
                        .map_err(|e| index_failed(collection)(e.to_string()))?;
                }
                *index
            }
            Opened::Current(index) if index.applied() < floor => {
                tracing::warn!(collection = %collection.name, index = index.applied(), floor,
                    "the words index is older than the change log remembers (deleted documents were forgotten since): rebuilding it from the store");
                drop(index);
                self.build_lexical(collection, &dir)?
            }
            Opened::Current(index) => {
                tracing::warn!(collection = %collection.name, index = index.applied(), store = last,
                    "the words index reflects changes the store does not have (a store restored from a backup?): rebuilding it from the store");
                drop(index);
                self.build_lexical(collection, &dir)?
            }
            // A missing index is built with a log line of its own (`build_lexical`).
            Opened::Unusable(why) => {
                if why != LexicalIndex::NONE {
                    tracing::warn!(collection = %collection.name, dir = %dir.display(), why = %why,
                        "the words index cannot be used: rebuilding it from the store");
                }
                self.build_lexical(collection, &dir)?
            }
        };
        let index = Arc::new(index);
        *opened = Some(index.clone());
        Ok(index)
    }

    /// A words index built in `dir` from every stored document of `collection`. Built whole
    /// before any search sees it: a half-built index would answer with passages missing.
    fn build_lexical(
        &self,
        collection: &Collection,
        dir: &std::path::Path,
    ) -> Result<LexicalIndex, KnowledgeError> {
        let failed = index_failed(collection);
        let started = Instant::now();
        let name = &collection.name;
        let index = LexicalIndex::create(dir).map_err(|e| failed(e.to_string()))?;
        // The log's position first: rows read after it may be newer, and applying those
        // again when catching up is harmless.
        let last = self.store.last_change(name)?;
        if last == 0 {
            return Ok(index);
        }
        let changed = self.changed_since(name, 0)?;
        index
            .apply(last, &changed)
            .map_err(|e| failed(e.to_string()))?;
        tracing::info!(collection = %name, documents = changed.len(),
            ms = started.elapsed().as_millis() as u64, "words index built from the store");
        Ok(index)
    }

    /// Whether `collection`'s words index has been opened (and so is kept current).
    pub(super) fn is_open(&self, collection: &Collection) -> bool {
        let slot = locked(&self.slots).get(&collection.uid).cloned();
        slot.is_some_and(|slot| locked(&slot.lexical).is_some())
    }

    /// The meaning index of `collection` if it is open, of the collection's model, and not
    /// being built: searches never wait for a build.
    pub(super) fn open_vectors(&self, collection: &Collection) -> Option<Arc<dyn MeaningIndex>> {
        let model = collection.embedding_model.as_deref()?;
        let slot = locked(&self.slots).get(&collection.uid)?.clone();
        let index = slot
            .vectors
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()?;
        (index.model() == model).then_some(index)
    }

    /// The meaning index of `collection` (none while it has no vectors): opened, or built from
    /// the rows, when there is none of the collection's model yet.
    pub(super) fn vectors(
        &self,
        collection: &Collection,
    ) -> Result<Option<Arc<dyn MeaningIndex>>, KnowledgeError> {
        let (Some(model), Some(dimension)) = (&collection.embedding_model, collection.dimension)
        else {
            return Ok(None);
        };
        if let Some(index) = self.open_vectors(collection) {
            return Ok(Some(index));
        }
        let slot = self.slot(collection);
        let _building = locked(&slot.building);
        if let Some(index) = self.open_vectors(collection) {
            return Ok(Some(index));
        }
        let last = self.store.last_change(&collection.name)?;
        let floor = self.store.log_floor(&collection.name)?;
        let failed = meaning_failed(collection);
        let index = match self.open_meaning(collection, model, dimension as usize)? {
            OpenedMeaning::Current(index) => {
                let applied = index.applied().map_err(&failed)?;
                if (floor..=last).contains(&applied) {
                    // Caught up before any search sees it, as the words index is.
                    if applied < last {
                        let changed = self.changed_since(&collection.name, applied)?;
                        let changed = self.with_vectors(&collection.name, model, &changed)?;
                        index.apply(last, &changed).map_err(&failed)?;
                    }
                    index
                } else if applied < floor {
                    tracing::warn!(collection = %collection.name, index = applied, floor,
                        "the meaning index is older than the change log remembers (deleted documents were forgotten since): rebuilding it from the store");
                    self.build_vectors(collection, model, Some(dimension))?
                } else {
                    tracing::warn!(collection = %collection.name, index = applied, store = last,
                        "the meaning index reflects changes the store does not have (a store restored from a backup?): rebuilding it from the store");
                    self.build_vectors(collection, model, Some(dimension))?
                }
            }
            // A missing index is built with a log line of its own (`build_vectors`).
            OpenedMeaning::Unusable(why) => {
                if why != meaning::NONE {
                    tracing::warn!(collection = %collection.name, why = %why,
                        "the meaning index cannot be used: rebuilding it from the store");
                }
                self.build_vectors(collection, model, Some(dimension))?
            }
        };
        slot.set_vectors(Some(index.clone()));
        Ok(Some(index))
    }

    /// The meaning index of `collection` and `model` where `[knowledge] store` keeps them.
    fn open_meaning(
        &self,
        collection: &Collection,
        model: &str,
        dimension: usize,
    ) -> Result<OpenedMeaning, KnowledgeError> {
        if let Some(chroma) = &self.chroma {
            return ChromaIndex::open(chroma, &collection.uid, &collection.name, model, dimension)
                .map_err(meaning_failed(collection));
        }
        let dir = self.root.join(&collection.uid).join("vectors");
        Ok(
            match VectorIndex::open(&dir, model, dimension, self.vector_settings()) {
                OpenedVectors::Current(index) => OpenedMeaning::Current(Arc::new(*index)),
                OpenedVectors::Unusable(why) if why == VectorIndex::NONE => {
                    OpenedMeaning::Unusable(why)
                }
                OpenedVectors::Unusable(why) => {
                    OpenedMeaning::Unusable(format!("{} ({why})", dir.display()))
                }
            },
        )
    }

    /// A new, empty meaning index of `collection` and `model`, replacing any kept before.
    fn empty_meaning(
        &self,
        collection: &Collection,
        model: &str,
        dimension: usize,
    ) -> Result<Arc<dyn MeaningIndex>, KnowledgeError> {
        let failed = meaning_failed(collection);
        let settings = self.vector_settings();
        if let Some(chroma) = &self.chroma {
            let index = ChromaIndex::create(
                chroma,
                &collection.uid,
                &collection.name,
                model,
                dimension,
                settings,
            )
            .map_err(failed)?;
            return Ok(Arc::new(index));
        }
        let dir = self.root.join(&collection.uid).join("vectors");
        let index = VectorIndex::empty(&dir, model, dimension, settings).map_err(failed)?;
        Ok(Arc::new(index))
    }

    /// Remove what was kept of `collection`'s vectors of `model`, now that another model's
    /// index serves it, or the collection is gone. (An embedded index's folder is replaced
    /// by its next generation, or removed with the collection's.)
    pub(super) fn retire_meaning(&self, collection: &Collection, model: &str) {
        if let Some(chroma) = &self.chroma {
            let name = super::chroma::remote_name(&collection.uid, model);
            if let Err(error) = chroma.delete_collection(&name) {
                tracing::warn!(collection = %collection.name, chroma = %name, %error,
                    "cannot delete the Chroma collection of vectors no longer used; delete it by hand");
            }
        }
    }

    /// A meaning index of `model` built from every passage's stored vector, and saved; its
    /// dimension is the vectors' when not given.
    pub(super) fn build_vectors(
        &self,
        collection: &Collection,
        model: &str,
        dimension: Option<u32>,
    ) -> Result<Arc<dyn MeaningIndex>, KnowledgeError> {
        let failed = meaning_failed(collection);
        let started = Instant::now();
        // The log's position first: rows read after it may be newer, and applying those
        // again when catching up is harmless.
        let last = self.store.last_change(&collection.name)?;
        let documents: HashMap<String, Document> = self
            .store
            .documents(&collection.name)?
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        let stored = self.store.all_vectors(&collection.name, model)?;
        let dimension = match (dimension, stored.first()) {
            (Some(dimension), _) => dimension as usize,
            (None, Some(first)) => first.vector.len(),
            (None, None) => {
                return Err(KnowledgeError::Index {
                    collection: collection.name.clone(),
                    reason: format!("no passage has a vector of `{model}` yet"),
                });
            }
        };
        let mut grouped: HashMap<String, Vec<(u64, Vec<f32>)>> = HashMap::new();
        for stored in stored {
            grouped
                .entry(stored.document)
                .or_default()
                .push((stored.position, stored.vector));
        }
        let changed: ChangedVectors = grouped
            .into_iter()
            .filter_map(|(id, vectors)| {
                let document = documents.get(&id)?;
                Some((id, Some(document_vectors(document, vectors))))
            })
            .collect();
        let index = self.empty_meaning(collection, model, dimension)?;
        index.apply(last, &changed).map_err(&failed)?;
        index.save().map_err(&failed)?;
        tracing::info!(collection = %collection.name, model, passages = index.len(),
            ms = started.elapsed().as_millis() as u64, "meaning index built from the store");
        Ok(index)
    }

    /// Make `index` the collection's meaning index (a change of model, built beforehand).
    pub(super) fn install_vectors(&self, collection: &Collection, index: Arc<dyn MeaningIndex>) {
        self.slot(collection).set_vectors(Some(index));
    }
}
