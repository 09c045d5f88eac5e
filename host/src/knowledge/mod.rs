//! Knowledge: private documents in collections, cut into passages and searched by their
//! words and by their meaning. The store's rows are the truth; each replica derives its own
//! search indexes from them (under `<data_dir>/knowledge/`) and follows the store's change log,
//! so a document added through one replica is found through all of them.

mod changes;
pub mod chroma;
pub mod chunking;
pub mod embedder;
mod embedding;
pub mod formats;
pub mod html;
pub mod hybrid;
mod indexes;
mod ingest;
pub mod lexical;
pub mod meaning;
pub mod names;
pub mod pdf;
mod reembed;
mod retrieve;
pub mod search;
pub mod store;
mod sync;
pub mod vectors;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::KnowledgeConfig;
use crate::store::StoreError;
use embedder::Embedder;
use formats::FormatError;
use indexes::Slot;
use reembed::Jobs;
use store::{
    Chunk, Collection, CollectionStats, Document, EmbeddingStatus, KnowledgeStore, PutOutcome,
};

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
        "collection `{0}` has no vectors to search by meaning: no embedding route is set for it (`[knowledge] embedding_route`, or `embedding_route` when it is created), or none of its passages is embedded yet; search with mode `lexical` or `hybrid`"
    )]
    NoVectors(String),
    /// The meaning index is being built (at start, or after a change of model).
    #[error(
        "the meaning index of `{0}` is being built; search with mode `hybrid` or `lexical` meanwhile, or try again shortly"
    )]
    VectorsNotReady(String),
    /// The embedding providers failed.
    #[error(
        "collection `{collection}`: cannot embed through route `{route}`: {reason}; nothing was stored"
    )]
    Embedding {
        /// The collection.
        collection: String,
        /// The route.
        route: String,
        /// Why.
        reason: String,
    },
    /// Vectors of another model or dimension than the collection's.
    #[error("{0}")]
    ModelConflict(String),
    /// The store failed.
    #[error("{0}")]
    Store(StoreError),
    /// The server that keeps the vectors (Chroma) failed or could not be reached.
    #[error("the vectors of `{collection}` cannot be searched or updated: {reason}")]
    VectorStore {
        /// The collection.
        collection: String,
        /// What failed.
        reason: String,
    },
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

impl From<StoreError> for KnowledgeError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => Self::ModelConflict(message),
            other => Self::Store(other),
        }
    }
}

/// The knowledge base of this server.
pub struct Knowledge {
    store: Arc<dyn KnowledgeStore>,
    config: KnowledgeConfig,
    root: PathBuf,
    embedder: Option<Arc<dyn Embedder>>,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    jobs: Jobs,
    /// Where vectors are kept when not on this replica.
    chroma: Option<Arc<chroma::ChromaClient>>,
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
    /// The knowledge base kept in `store`, its indexes under `data_dir/knowledge`, its
    /// passages embedded by `embedder` (none: searched by their words alone).
    pub fn new(
        store: Arc<dyn KnowledgeStore>,
        config: KnowledgeConfig,
        data_dir: &std::path::Path,
        embedder: Option<Arc<dyn Embedder>>,
    ) -> Self {
        if let (Some(route), Some(embedder)) = (&config.embedding_route, &embedder)
            && embedder.model(route).is_none()
        {
            tracing::warn!(route = %route,
                "[knowledge] embedding_route names a route none of whose providers has an `embedding_model`: collections are searched by their words alone");
        }
        Self {
            store,
            config,
            root: data_dir.join("knowledge"),
            embedder,
            slots: Mutex::new(HashMap::new()),
            jobs: Jobs::default(),
            chroma: None,
        }
    }

    /// Keep the vectors in the Chroma server `client` talks to instead of on this replica
    /// (`[knowledge] store = "chroma"`).
    pub fn with_chroma(mut self, client: chroma::ChromaClient) -> Self {
        self.chroma = Some(Arc::new(client));
        self
    }

    /// The route that embeds `collection`'s passages, if any.
    fn route_of(&self, collection: &Collection) -> Option<String> {
        collection
            .embedding_route
            .clone()
            .or_else(|| self.config.embedding_route.clone())
    }

    /// How `stats`' collection is searched by meaning, if it is.
    fn with_embedding(&self, mut stats: CollectionStats) -> CollectionStats {
        let Some(route) = self.route_of(&stats.collection) else {
            return stats;
        };
        let vectors = match (
            self.open_vectors(&stats.collection),
            &stats.collection.embedding_model,
        ) {
            (Some(index), _) => index.len() as u64,
            // Counted as the index counts, passage by passage, once every distinct passage
            // text has its vector; while some are being embedded, the texts embedded so far.
            (None, Some(model)) => match self.store.vector_counts(&stats.collection.name, model) {
                Ok((have, total)) if have >= total => stats.chunks,
                Ok((have, _)) => have,
                Err(_) => 0,
            },
            (None, None) => 0,
        };
        stats.embedding = Some(EmbeddingStatus {
            route,
            model: stats.collection.embedding_model.clone(),
            dimension: stats.collection.dimension,
            vectors,
            reembedding: self.jobs.progress(&stats.collection.uid),
        });
        stats
    }

    /// The largest document accepted, in bytes.
    pub fn max_document_bytes(&self) -> usize {
        self.config.max_document_bytes()
    }

    /// Make a collection; `embedding_route` overrides `[knowledge] embedding_route` for it.
    pub fn create_collection(
        &self,
        name: &str,
        description: &str,
        embedding_route: Option<&str>,
    ) -> Result<CollectionStats, KnowledgeError> {
        if let Some(route) = embedding_route {
            let embeds = self.embedder.as_ref().and_then(|e| e.model(route));
            if embeds.is_none() {
                return Err(KnowledgeError::Invalid(format!(
                    "`embedding_route` is `{route}`, but no provider on that route has an `embedding_model`: name a route that embeds, or leave it out"
                )));
            }
        }
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
            embedding_route: embedding_route.map(str::to_owned),
            embedding_model: None,
            dimension: None,
        };
        if !self.store.create_collection(&collection)? {
            return Err(KnowledgeError::CollectionExists(name.to_owned()));
        }
        Ok(self.with_embedding(CollectionStats {
            collection,
            documents: 0,
            chunks: 0,
            bytes: 0,
            embedding: None,
        }))
    }

    /// Every collection.
    pub fn collections(&self) -> Result<Vec<CollectionStats>, KnowledgeError> {
        Ok(self
            .store
            .collections()?
            .into_iter()
            .map(|stats| self.with_embedding(stats))
            .collect())
    }

    /// One collection.
    pub fn collection(&self, name: &str) -> Result<CollectionStats, KnowledgeError> {
        self.store
            .collection(name)?
            .map(|stats| self.with_embedding(stats))
            .ok_or_else(|| KnowledgeError::NoCollection(name.to_owned()))
    }

    /// One collection as the store has it (no index opened).
    fn found(&self, name: &str) -> Result<CollectionStats, KnowledgeError> {
        self.store
            .collection(name)?
            .ok_or_else(|| KnowledgeError::NoCollection(name.to_owned()))
    }

    /// Delete a collection, its documents and its indexes.
    pub fn delete_collection(&self, name: &str) -> Result<(), KnowledgeError> {
        let collection = self.found(name)?.collection;
        if !self.store.delete_collection(name)? {
            return Err(KnowledgeError::NoCollection(name.to_owned()));
        }
        locked(&self.slots).remove(&collection.uid);
        self.remove_index_dir(&collection.uid);
        if let Some(model) = &collection.embedding_model {
            self.retire_meaning(&collection, model);
        }
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

    /// Store prepared documents in `collection` (each replacing an earlier version whole),
    /// with vectors for their new passages when the collection is searched by meaning, and
    /// bring the indexes up to date before answering, so the caller's next search finds them.
    /// Every document is embedded before any is stored: when embedding fails, nothing is.
    pub async fn add(
        self: &Arc<Self>,
        collection: &str,
        prepared: Vec<Prepared>,
    ) -> Result<Vec<PutOutcome>, KnowledgeError> {
        let name = collection.to_owned();
        let this = self.clone();
        let found = blocking(move || this.found(&name)).await?;
        let mut embedded = Vec::with_capacity(prepared.len());
        for document in prepared {
            let vectors = self.embed_passages(&found, &document.chunks).await?;
            embedded.push((document, vectors));
        }
        let this = self.clone();
        blocking(move || {
            let mut outcomes = Vec::with_capacity(embedded.len());
            for (document, vectors) in &embedded {
                outcomes.push(this.store.put_document(
                    &found.collection.name,
                    &document.document,
                    &document.chunks,
                    vectors.as_ref(),
                )?);
            }
            // Read again: the first vectors stored set the collection's model.
            let current = this.found(&found.collection.name)?.collection;
            this.sync(&current)?;
            Ok(outcomes)
        })
        .await
    }

    /// The documents of a collection.
    pub fn documents(&self, collection: &str) -> Result<Vec<Document>, KnowledgeError> {
        self.found(collection)?;
        Ok(self.store.documents(collection)?)
    }

    /// Delete a document: its row, its chunks, and (before answering) its index entries.
    pub fn delete_document(&self, collection: &str, id: &str) -> Result<(), KnowledgeError> {
        let found = self.found(collection)?.collection;
        if !self.store.delete_document(collection, id)? {
            return Err(KnowledgeError::NoDocument {
                collection: collection.to_owned(),
                id: id.to_owned(),
            });
        }
        self.sync(&found)
    }
}

/// Run store and index work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, KnowledgeError> + Send + 'static,
) -> Result<T, KnowledgeError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| KnowledgeError::Index {
            collection: String::new(),
            reason: format!("a background task failed: {e}"),
        })?
}
