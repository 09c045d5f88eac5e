//! Each collection's search indexes on this replica — words (tantivy) and meaning (usearch) —
//! opened on first use (rebuilt from the rows when missing, unreadable, of another model, or
//! ahead of the store), caught up on the store's change log after every local change and
//! every `[knowledge] sync_interval_ms`, and dropped when their collection is gone.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::lexical::{DocumentVersion, LexicalIndex, Opened};
use super::search::day_number;
use super::store::{Collection, CollectionStats, Document};
use super::vectors::{DocumentVectors, OpenedVectors, VectorIndex, VectorSettings};
use super::{Knowledge, KnowledgeError, locked};

/// A changed document's current version (`None`: deleted).
type Changed = Vec<(String, Option<DocumentVersion>)>;

/// One collection's indexes. Each has its own lock, so that building one collection's index
/// holds up neither searches of another nor searches by words while the meaning is built.
#[derive(Default)]
pub(super) struct Slot {
    /// Held while catching up, so changes are applied in order and once.
    catching_up: Mutex<()>,
    lexical: Mutex<Option<Arc<LexicalIndex>>>,
    vectors: RwLock<Option<Arc<VectorIndex>>>,
    /// Held while the meaning index is opened or built.
    building: Mutex<()>,
}

fn index_failed(collection: &Collection) -> impl Fn(String) -> KnowledgeError + '_ {
    move |reason| KnowledgeError::Index {
        collection: collection.name.clone(),
        reason,
    }
}

impl Knowledge {
    fn slot(&self, collection: &Collection) -> Arc<Slot> {
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
        let index = match LexicalIndex::open(&dir) {
            Opened::Current(index) if index.applied() <= last => *index,
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
        let mut changed: Changed = Vec::new();
        for document in self.store.documents(name)? {
            let current = self.store.document_with_chunks(name, &document.id)?;
            changed.push((document.id, current));
        }
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
    pub(super) fn open_vectors(&self, collection: &Collection) -> Option<Arc<VectorIndex>> {
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
    fn vectors(&self, collection: &Collection) -> Result<Option<Arc<VectorIndex>>, KnowledgeError> {
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
        let dir = self.root.join(&collection.uid).join("vectors");
        let settings = self.vector_settings();
        let last = self.store.last_change(&collection.name)?;
        let index = match VectorIndex::open(&dir, model, dimension as usize, settings) {
            OpenedVectors::Current(index) if index.applied() <= last => *index,
            OpenedVectors::Current(index) => {
                tracing::warn!(collection = %collection.name, index = index.applied(), store = last,
                    "the meaning index reflects changes the store does not have (a store restored from a backup?): rebuilding it from the store");
                self.build_vectors(collection, model, Some(dimension))?
            }
            // A missing index is built with a log line of its own (`build_vectors`).
            OpenedVectors::Unusable(why) => {
                if why != VectorIndex::NONE {
                    tracing::warn!(collection = %collection.name, dir = %dir.display(), why = %why,
                        "the meaning index cannot be used: rebuilding it from the store");
                }
                self.build_vectors(collection, model, Some(dimension))?
            }
        };
        let index = Arc::new(index);
        *slot
            .vectors
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(index.clone());
        Ok(Some(index))
    }

    /// A meaning index of `model` built from every passage's stored vector, and saved; its
    /// dimension is the vectors' when not given.
    pub(super) fn build_vectors(
        &self,
        collection: &Collection,
        model: &str,
        dimension: Option<u32>,
    ) -> Result<VectorIndex, KnowledgeError> {
        let failed = index_failed(collection);
        let started = Instant::now();
        let dir = self.root.join(&collection.uid).join("vectors");
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
                return Err(failed(format!("no passage has a vector of `{model}` yet")));
            }
        };
        let mut grouped: HashMap<String, Vec<(u64, Vec<f32>)>> = HashMap::new();
        for stored in stored {
            grouped
                .entry(stored.document)
                .or_default()
                .push((stored.position, stored.vector));
        }
        let changed: Vec<(String, Option<DocumentVectors>)> = grouped
            .into_iter()
            .filter_map(|(id, vectors)| {
                let document = documents.get(&id)?;
                Some((id, Some(document_vectors(document, vectors))))
            })
            .collect();
        let index = VectorIndex::empty(&dir, model, dimension, self.vector_settings())
            .map_err(|e| failed(e.to_string()))?;
        index
            .apply(last, &changed)
            .map_err(|e| failed(e.to_string()))?;
        index.save().map_err(|e| failed(e.to_string()))?;
        tracing::info!(collection = %collection.name, model, passages = index.len(),
            ms = started.elapsed().as_millis() as u64, "meaning index built from the store");
        Ok(index)
    }

    /// Make `index` the collection's meaning index (a change of model, built beforehand).
    pub(super) fn install_vectors(
        &self,
        collection: &Collection,
        index: VectorIndex,
    ) -> Arc<VectorIndex> {
        let slot = self.slot(collection);
        let index = Arc::new(index);
        *slot
            .vectors
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(index.clone());
        index
    }

    /// Bring both indexes of `collection` up to date with the store's change log.
    pub(super) fn sync(&self, collection: &Collection) -> Result<(), KnowledgeError> {
        let lexical = self.lexical(collection)?;
        let vectors = self.vectors(collection)?;
        let slot = self.slot(collection);
        let _order = locked(&slot.catching_up);
        let failed = index_failed(collection);
        let name = &collection.name;
        let last = self.store.last_change(name)?;
        let lexical_at = lexical.applied();
        let vectors_at = vectors.as_ref().map_or(last, |v| v.applied());
        let from = lexical_at.min(vectors_at);
        if from >= last {
            return Ok(());
        }
        // A fresh index is built from every document, not from a log that may have been
        // trimmed or copied.
        let ids: Vec<String> = if from == 0 {
            self.store
                .documents(name)?
                .into_iter()
                .map(|d| d.id)
                .collect()
        } else {
            let mut seen = HashSet::new();
            self.store
                .changes_since(name, from)?
                .into_iter()
                .map(|c| c.document)
                .filter(|id| seen.insert(id.clone()))
                .collect()
        };
        let mut changed: Changed = Vec::with_capacity(ids.len());
        for id in ids {
            let current = self.store.document_with_chunks(name, &id)?;
            changed.push((id, current));
        }
        if lexical_at < last {
            lexical
                .apply(last, &changed)
                .map_err(|e| failed(e.to_string()))?;
        }
        if let Some(vectors) = vectors
            && vectors_at < last
        {
            let mut with_vectors = Vec::with_capacity(changed.len());
            for (id, current) in &changed {
                let current = match current {
                    Some((document, chunks)) => {
                        let hashes: Vec<String> = chunks.iter().map(|c| c.hash.clone()).collect();
                        let by_hash: HashMap<String, Vec<f32>> = self
                            .store
                            .vectors(name, vectors.model(), &hashes)?
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
            vectors
                .apply(last, &with_vectors)
                .map_err(|e| failed(e.to_string()))?;
        }
        Ok(())
    }

    /// Bring every collection's indexes up to date, save meaning indexes that have settled,
    /// and drop the indexes of collections that are gone (deleted through another replica);
    /// the collections, as read.
    pub fn sync_all(&self) -> Result<Vec<CollectionStats>, KnowledgeError> {
        let collections = self.store.collections()?;
        for stats in &collections {
            let collection = &stats.collection;
            if let Err(error) = self.sync(collection) {
                tracing::error!(collection = %collection.name, %error, "cannot bring the search indexes up to date");
            }
            if let Some(index) = self.open_vectors(collection)
                && index.due_for_saving()
                && let Err(error) = index.save()
            {
                tracing::error!(collection = %collection.name, %error, "cannot save the meaning index");
            }
        }
        let live: HashSet<&str> = collections
            .iter()
            .map(|c| c.collection.uid.as_str())
            .collect();
        let mut slots = locked(&self.slots);
        slots.retain(|uid, _| live.contains(uid.as_str()));
        // Folders are only removed while the slots are locked: an index being opened for a
        // collection made since the list was read has its slot already.
        if let Ok(entries) = std::fs::read_dir(&self.root) {
            for entry in entries.flatten() {
                let uid = entry.file_name().to_string_lossy().into_owned();
                if !live.contains(uid.as_str()) && !slots.contains_key(&uid) {
                    self.remove_index_dir(&uid);
                }
            }
        }
        Ok(collections)
    }

    /// Keep every index current with the store (documents added through other replicas) and
    /// every collection's vectors with its route's model, checking every
    /// `[knowledge] sync_interval_ms`; the first check opens (or rebuilds) every index at start.
    pub fn spawn_sync(self: Arc<Self>) {
        let interval = Duration::from_millis(self.config.sync_interval_ms);
        tokio::spawn(async move {
            loop {
                let knowledge = self.clone();
                match tokio::task::spawn_blocking(move || knowledge.sync_all()).await {
                    Ok(Ok(collections)) => self.start_reembedding(collections),
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "cannot check the knowledge base for changes")
                    }
                    Err(error) => tracing::error!(%error, "the knowledge sync task failed"),
                }
                tokio::time::sleep(interval).await;
            }
        });
    }
}

/// What the meaning index keeps of a document, with its passages' vectors.
fn document_vectors(document: &Document, vectors: Vec<(u64, Vec<f32>)>) -> DocumentVectors {
    DocumentVectors {
        id: document.id.clone(),
        title: document.title.clone(),
        tags: document.tags.clone(),
        day: day_number(&document.date),
        vectors,
    }
}
