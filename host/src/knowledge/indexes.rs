//! Each collection's search indexes on this replica — words (tantivy) and meaning (usearch) —
//! opened on first use (rebuilt from the rows when missing, unreadable, of another model, or
//! ahead of the store), caught up on the store's change log after every local change and
//! every `[knowledge] sync_interval_ms`, and dropped when their collection is gone.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::chroma::ChromaIndex;
use super::lexical::{DocumentVersion, LexicalIndex, Opened};
use super::meaning::{self, MeaningIndex, OpenedMeaning};
use super::search::day_number;
use super::store::{Collection, CollectionStats, Document};
use super::vectors::{DocumentVectors, OpenedVectors, VectorError, VectorIndex, VectorSettings};
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
    vectors: RwLock<Option<Arc<dyn MeaningIndex>>>,
    /// Held while the meaning index is opened or built.
    building: Mutex<()>,
    /// The last failure of the server that keeps the vectors, logged once until it changes.
    remote_failure: Mutex<Option<String>>,
}

impl Slot {
    fn set_vectors(&self, index: Option<Arc<dyn MeaningIndex>>) {
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
    fn vectors(
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
        let failed = meaning_failed(collection);
        let index = match self.open_meaning(collection, model, dimension as usize)? {
            OpenedMeaning::Current(index) => {
                let applied = index.applied().map_err(&failed)?;
                if applied <= last {
                    index
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
        let changed: Vec<(String, Option<DocumentVectors>)> = grouped
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

    /// `index`'s position in the change log, if it can be had; when the server that keeps
    /// the vectors fails, the failure is logged (once until it changes) and the index is left
    /// as it is until the next check, or dropped to be rebuilt when its vectors are gone.
    fn meaning_position(
        &self,
        collection: &Collection,
        slot: &Slot,
        index: &Arc<dyn MeaningIndex>,
    ) -> Option<i64> {
        match index.applied() {
            Ok(applied) => {
                if locked(&slot.remote_failure).take().is_some() {
                    tracing::info!(collection = %collection.name, "the vector store answers again");
                }
                Some(applied)
            }
            Err(error) => {
                if matches!(error, VectorError::Gone(_)) {
                    slot.set_vectors(None);
                }
                self.note_remote_failure(collection, slot, &error);
                None
            }
        }
    }

    fn note_remote_failure(&self, collection: &Collection, slot: &Slot, error: &VectorError) {
        let text = error.to_string();
        let mut last = locked(&slot.remote_failure);
        if last.as_deref() != Some(text.as_str()) {
            tracing::warn!(collection = %collection.name, error = %text,
                "the meaning index cannot be brought up to date; searches use words alone until it can");
            *last = Some(text);
        }
    }

    /// Bring both indexes of `collection` up to date with the store's change log.
    pub(super) fn sync(&self, collection: &Collection) -> Result<(), KnowledgeError> {
        let lexical = self.lexical(collection)?;
        let slot = self.slot(collection);
        // The rows are stored whatever happens to the vector server: words keep up meanwhile.
        let vectors = match self.vectors(collection) {
            Ok(vectors) => vectors,
            Err(KnowledgeError::VectorStore { reason, .. }) => {
                self.note_remote_failure(collection, &slot, &VectorError::Remote(reason));
                None
            }
            Err(other) => return Err(other),
        };
        let _order = locked(&slot.catching_up);
        let failed = index_failed(collection);
        let name = &collection.name;
        let last = self.store.last_change(name)?;
        let lexical_at = lexical.applied();
        let (vectors, vectors_at) = match vectors {
            Some(index) => match self.meaning_position(collection, &slot, &index) {
                Some(at) => (Some(index), at),
                None => (None, last),
            },
            None => (None, last),
        };
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
            if let Err(error) = vectors.apply(last, &with_vectors) {
                match error {
                    VectorError::Remote(_) | VectorError::Gone(_) => {
                        self.note_remote_failure(collection, &slot, &error)
                    }
                    other => return Err(meaning_failed(collection)(other)),
                }
            }
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
            if let Some(chroma) = self.chroma.clone() {
                let url = chroma.url().to_owned();
                match tokio::task::spawn_blocking(move || chroma.ensure_database()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => tracing::error!(chroma = %url, %error,
                        "cannot use the Chroma database ([knowledge] chroma_url, chroma_tenant, chroma_database); searches use words alone until it answers"),
                    Err(error) => tracing::error!(%error, "the Chroma check failed"),
                }
            }
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
