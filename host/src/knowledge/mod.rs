//! Knowledge: private documents in collections, cut into passages and searched by their
//! words. The store's rows are the truth; each replica derives its own search indexes from them
//! (under `<data_dir>/knowledge/`) and follows the store's change log, so a document added
//! through one replica is found through all of them.

pub mod chunking;
pub mod formats;
pub mod html;
pub mod lexical;
pub mod names;
pub mod pdf;
pub mod search;
pub mod store;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::config::KnowledgeConfig;
use crate::store::StoreError;
use chunking::Budget;
use formats::{Format, FormatError};
use lexical::{LexicalIndex, Opened};
use search::{Passage, SearchAnswer, SearchMode, SearchRequest};
use store::{Chunk, Collection, CollectionStats, Document, KnowledgeStore, PutOutcome};

/// Why a knowledge operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// No collection has that name.
    #[error("no collection is named `{0}`; GET /api/v1/knowledge/collections lists them")]
    NoCollection(String),
    /// The name is taken.
    #[error("a collection named `{0}` exists already; choose another name, or delete it first")]
    CollectionExists(String),
    /// No document has that id in the collection.
    #[error("collection `{collection}` has no document `{id}`")]
    NoDocument {
        /// The collection.
        collection: String,
        /// The document asked for.
        id: String,
    },
    /// A name, id, tag or date is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// A file cannot be read as a document.
    #[error("`{file}`: {reason}")]
    BadFile {
        /// The file's name.
        file: String,
        /// Why.
        reason: FormatError,
    },
    /// A file is over the size limit.
    #[error("`{file}` is {bytes} bytes, over the {limit}-byte limit ([knowledge] max_document_mb)")]
    TooLarge {
        /// The file's name.
        file: String,
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// Vector search was asked of a collection without vectors.
    #[error(
        "collection `{0}` has no vectors to search by meaning (this server makes no embeddings yet): search with mode `lexical` or `hybrid`"
    )]
    NoVectors(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A search index failed and could not be rebuilt.
    #[error("the search index of `{collection}` failed: {reason}")]
    Index {
        /// The collection.
        collection: String,
        /// What failed.
        reason: String,
    },
}

/// A file read, cut and checked, ready to store: nothing is stored until every file of an
/// upload has got this far.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The document as it will be recorded.
    pub document: Document,
    /// Its passages.
    pub chunks: Vec<Chunk>,
}

/// What an upload says about a file besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// The file's name.
    pub file_name: String,
    /// The type it was sent as.
    pub content_type: Option<String>,
    /// The id to give it (default: the file name).
    pub id: Option<String>,
    /// Its title (default: its first heading, else its id).
    pub title: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its date, `YYYY-MM-DD` (default: today).
    pub date: Option<String>,
}

/// One index's place: opened on first use, under its own lock so that building one
/// collection's index does not hold up searches of another.
#[derive(Default)]
struct Slot(Mutex<Option<Arc<LexicalIndex>>>);

/// The knowledge base of this server.
pub struct Knowledge {
    store: Arc<dyn KnowledgeStore>,
    config: KnowledgeConfig,
    root: PathBuf,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl Knowledge {
    /// The knowledge base kept in `store`, its indexes under `data_dir/knowledge`.
    pub fn new(
        store: Arc<dyn KnowledgeStore>,
        config: KnowledgeConfig,
        data_dir: &std::path::Path,
    ) -> Self {
        Self {
            store,
            config,
            root: data_dir.join("knowledge"),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The largest document accepted, in bytes.
    pub fn max_document_bytes(&self) -> usize {
        self.config.max_document_bytes()
    }

    /// Make a collection.
    pub fn create_collection(
        &self,
        name: &str,
        description: &str,
    ) -> Result<CollectionStats, KnowledgeError> {
        names::check_collection(name).map_err(KnowledgeError::Invalid)?;
        if description.chars().count() > names::MAX_DESCRIPTION_CHARS {
            return Err(KnowledgeError::Invalid(format!(
                "`description` is longer than {} characters",
                names::MAX_DESCRIPTION_CHARS
            )));
        }
        let collection = Collection {
            name: name.to_owned(),
            description: description.to_owned(),
            created_at: crate::timestamp::rfc3339(time::OffsetDateTime::now_utc()),
            uid: uuid::Uuid::now_v7().simple().to_string(),
        };
        if !self.store.create_collection(&collection)? {
            return Err(KnowledgeError::CollectionExists(name.to_owned()));
        }
        Ok(CollectionStats {
            collection,
            documents: 0,
            chunks: 0,
            bytes: 0,
        })
    }

    /// Every collection.
    pub fn collections(&self) -> Result<Vec<CollectionStats>, KnowledgeError> {
        Ok(self.store.collections()?)
    }

    /// One collection.
    pub fn collection(&self, name: &str) -> Result<CollectionStats, KnowledgeError> {
        self.store
            .collection(name)?
            .ok_or_else(|| KnowledgeError::NoCollection(name.to_owned()))
    }

    /// Delete a collection, its documents and its indexes.
    pub fn delete_collection(&self, name: &str) -> Result<(), KnowledgeError> {
        let collection = self.collection(name)?.collection;
        if !self.store.delete_collection(name)? {
            return Err(KnowledgeError::NoCollection(name.to_owned()));
        }
        locked(&self.slots).remove(&collection.uid);
        self.remove_index_dir(&collection.uid);
        Ok(())
    }

    fn remove_index_dir(&self, uid: &str) {
        let dir = self.root.join(uid);
        if dir.exists()
            && let Err(error) = std::fs::remove_dir_all(&dir)
        {
            tracing::warn!(dir = %dir.display(), %error, "cannot remove a deleted collection's index");
        }
    }

    /// Read, cut and check one file of an upload.
    pub fn prepare(&self, facts: &FileFacts, bytes: &[u8]) -> Result<Prepared, KnowledgeError> {
        let file = facts.file_name.clone();
        let limit = self.max_document_bytes();
        if bytes.len() > limit {
            return Err(KnowledgeError::TooLarge {
                file,
                bytes: bytes.len(),
                limit,
            });
        }
        let bad = |reason| KnowledgeError::BadFile {
            file: file.clone(),
            reason,
        };
        let format =
            Format::detect(&facts.file_name, facts.content_type.as_deref()).map_err(bad)?;
        let blocks = format.read(bytes).map_err(bad)?;
        let id = facts
            .id
            .clone()
            .unwrap_or_else(|| names::file_stem_id(&facts.file_name));
        names::check_document(&id).map_err(KnowledgeError::Invalid)?;
        names::check_tags(&facts.tags).map_err(KnowledgeError::Invalid)?;
        let date = match &facts.date {
            Some(date) => {
                search::day_number(date).ok_or_else(|| {
                    KnowledgeError::Invalid(format!(
                        "`date` is `{date}`, not a date: write it as YYYY-MM-DD"
                    ))
                })?;
                date.clone()
            }
            None => crate::timestamp::rfc3339(time::OffsetDateTime::now_utc())
                .chars()
                .take(10)
                .collect(),
        };
        let first_heading = blocks.iter().find_map(|block| match block {
            formats::Block::Heading { text, .. } => Some(text.clone()),
            formats::Block::Paragraph(_) | formats::Block::Page(_) => None,
        });
        let title = facts
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or(first_heading)
            .unwrap_or_else(|| id.clone());
        let passages = chunking::chunk(
            &blocks,
            Budget {
                tokens: self.config.chunk_tokens,
                overlap: self.config.overlap_tokens,
            },
        );
        let chunks: Vec<Chunk> = passages
            .into_iter()
            .enumerate()
            .map(|(position, passage)| Chunk {
                document: id.clone(),
                position: position as u64,
                hash: hex::encode(Sha256::digest(passage.text.as_bytes())),
                text: passage.text,
                heading_path: passage.heading_path,
                page: passage.page,
            })
            .collect();
        Ok(Prepared {
            document: Document {
                id,
                title,
                media_type: format.media_type().to_owned(),
                sha256: hex::encode(Sha256::digest(bytes)),
                bytes: bytes.len() as u64,
                chunks: chunks.len() as u64,
                tags: facts.tags.clone(),
                date,
                added_at: crate::timestamp::rfc3339(time::OffsetDateTime::now_utc()),
            },
            chunks,
        })
    }

    /// Store a prepared document in `collection` (replacing an earlier version whole) and
    /// bring the index up to date before answering, so the caller's next search finds it.
    pub fn add(&self, collection: &str, prepared: &Prepared) -> Result<PutOutcome, KnowledgeError> {
        let found = self.collection(collection)?.collection;
        let outcome = self
            .store
            .put_document(collection, &prepared.document, &prepared.chunks)?;
        self.sync(&found)?;
        Ok(outcome)
    }

    /// The documents of a collection.
    pub fn documents(&self, collection: &str) -> Result<Vec<Document>, KnowledgeError> {
        self.collection(collection)?;
        Ok(self.store.documents(collection)?)
    }

    /// Delete a document: its row, its chunks, and (before answering) its index entries.
    pub fn delete_document(&self, collection: &str, id: &str) -> Result<(), KnowledgeError> {
        let found = self.collection(collection)?.collection;
        if !self.store.delete_document(collection, id)? {
            return Err(KnowledgeError::NoDocument {
                collection: collection.to_owned(),
                id: id.to_owned(),
            });
        }
        self.sync(&found)
    }

    /// Search a collection.
    pub fn search(
        &self,
        collection: &str,
        request: &SearchRequest,
    ) -> Result<SearchAnswer, KnowledgeError> {
        let filters = request.check().map_err(KnowledgeError::Invalid)?;
        let found = self.collection(collection)?.collection;
        if request.mode == SearchMode::Vector {
            return Err(KnowledgeError::NoVectors(collection.to_owned()));
        }
        let index = self.index(&found)?;
        let hits = index
            .search(&request.query, &filters, request.top_k)
            .map_err(|e| KnowledgeError::Index {
                collection: collection.to_owned(),
                reason: e.to_string(),
            })?;
        let keys: Vec<(String, u64)> = hits
            .iter()
            .map(|hit| (hit.document.clone(), hit.position))
            .collect();
        let mut texts: HashMap<(String, u64), Chunk> = self
            .store
            .chunks(collection, &keys)?
            .into_iter()
            .map(|chunk| ((chunk.document.clone(), chunk.position), chunk))
            .collect();
        // A passage deleted since the index was read is left out, never shown stale.
        let passages = hits
            .into_iter()
            .filter_map(|hit| {
                let chunk = texts.remove(&(hit.document.clone(), hit.position))?;
                Some((hit, chunk))
            })
            .enumerate()
            .map(|(rank, (hit, chunk))| Passage {
                rank: rank + 1,
                document: hit.document,
                title: hit.title,
                position: hit.position,
                heading_path: chunk.heading_path,
                page: chunk.page,
                text: chunk.text,
                score: hit.score,
            })
            .collect();
        Ok(SearchAnswer {
            mode: SearchMode::Lexical,
            passages,
        })
    }

    /// The index of `collection`: opened (checked, and rebuilt from the rows when missing,
    /// unreadable or ahead of the store) on first use, and caught up with the change log.
    fn index(&self, collection: &Collection) -> Result<Arc<LexicalIndex>, KnowledgeError> {
        let slot = locked(&self.slots)
            .entry(collection.uid.clone())
            .or_default()
            .clone();
        let mut opened = locked(&slot.0);
        if let Some(index) = opened.as_ref() {
            return Ok(index.clone());
        }
        let failed = |reason: String| KnowledgeError::Index {
            collection: collection.name.clone(),
            reason,
        };
        let dir = self.root.join(&collection.uid).join("lexical");
        let last = self.store.last_change(&collection.name)?;
        let index = match LexicalIndex::open(&dir) {
            Opened::Current(index) if index.applied() <= last => *index,
            Opened::Current(index) => {
                tracing::warn!(collection = %collection.name, index = index.applied(), store = last,
                    "the words index reflects changes the store does not have (a store restored from a backup?): rebuilding it from the store");
                drop(index);
                LexicalIndex::create(&dir).map_err(|e| failed(e.to_string()))?
            }
            Opened::Unusable(why) => {
                tracing::warn!(collection = %collection.name, dir = %dir.display(), why = %why,
                    "the words index cannot be used: rebuilding it from the store");
                LexicalIndex::create(&dir).map_err(|e| failed(e.to_string()))?
            }
        };
        let index = Arc::new(index);
        self.catch_up(collection, &index)?;
        *opened = Some(index.clone());
        Ok(index)
    }

    /// Apply the change log to `index`.
    fn catch_up(
        &self,
        collection: &Collection,
        index: &LexicalIndex,
    ) -> Result<(), KnowledgeError> {
        let last = self.store.last_change(&collection.name)?;
        let started = std::time::Instant::now();
        let applied = index.applied();
        let store = &self.store;
        let name = &collection.name;
        let caught_up = index
            .catch_up(last, |applied| {
                let mut changed = Vec::new();
                let mut seen = HashSet::new();
                // A fresh index is built from every document, not from a log that may have
                // been trimmed or copied.
                let ids: Vec<String> = if applied == 0 {
                    store
                        .documents(name)
                        .map_err(|e| e.to_string())?
                        .into_iter()
                        .map(|d| d.id)
                        .collect()
                } else {
                    store
                        .changes_since(name, applied)
                        .map_err(|e| e.to_string())?
                        .into_iter()
                        .map(|c| c.document)
                        .collect()
                };
                for id in ids {
                    if seen.insert(id.clone()) {
                        let current = store
                            .document_with_chunks(name, &id)
                            .map_err(|e| e.to_string())?;
                        changed.push((id, current));
                    }
                }
                Ok(changed)
            })
            .map_err(|reason| KnowledgeError::Index {
                collection: name.clone(),
                reason,
            })?;
        if caught_up && applied == 0 {
            tracing::info!(collection = %name, changes = last, ms = started.elapsed().as_millis() as u64,
                "words index built from the store");
        }
        Ok(())
    }

    fn sync(&self, collection: &Collection) -> Result<(), KnowledgeError> {
        let index = self.index(collection)?;
        self.catch_up(collection, &index)
    }

    /// Bring every collection's index up to date, and drop the indexes of collections that
    /// are gone (deleted through another replica).
    pub fn sync_all(&self) -> Result<(), KnowledgeError> {
        let collections = self.store.collections()?;
        for stats in &collections {
            if let Err(error) = self.sync(&stats.collection) {
                tracing::error!(collection = %stats.collection.name, %error, "cannot bring the words index up to date");
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
        Ok(())
    }

    /// Keep every index current with the store (documents added through other replicas),
    /// checking every `[knowledge] sync_interval_ms`; the first check opens (or rebuilds)
    /// every index at start.
    pub fn spawn_sync(self: Arc<Self>) {
        let interval = Duration::from_millis(self.config.sync_interval_ms);
        tokio::spawn(async move {
            loop {
                let knowledge = self.clone();
                match tokio::task::spawn_blocking(move || knowledge.sync_all()).await {
                    Ok(Ok(())) => {}
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
