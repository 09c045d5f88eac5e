//! What the store keeps of a knowledge base: collections, documents, their chunks, and a log
//! of changed documents. The rows are the truth; the search indexes are derived from them and
//! follow the log, so an index can always be rebuilt, and every replica's index catches up.

use serde::Serialize;

use crate::store::StoreError;

/// A collection of documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Collection {
    /// Its name: lower-case letters, digits, `_` and `-`.
    pub name: String,
    /// What it holds, for people.
    pub description: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Names this incarnation of the collection: a collection deleted and made again under the
    /// same name gets a new one, so no index of the old one is ever served for it.
    #[serde(skip)]
    pub uid: String,
    /// The route whose providers embed its passages (none: the server's
    /// `[knowledge] embedding_route`).
    pub embedding_route: Option<String>,
    /// The embedding model its vectors were made with (none: it has no vectors yet).
    pub embedding_model: Option<String>,
    /// How many dimensions those vectors have.
    pub dimension: Option<u32>,
}

/// A collection and what is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CollectionStats {
    /// The collection.
    #[serde(flatten)]
    pub collection: Collection,
    /// How many documents it holds.
    pub documents: u64,
    /// How many chunks they were cut into.
    pub chunks: u64,
    /// The documents' size as uploaded, in bytes.
    pub bytes: u64,
    /// How its passages are searched by meaning, when they are (filled in by the knowledge
    /// base, not the store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedding: Option<EmbeddingStatus>,
}

/// How a collection's passages are searched by meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EmbeddingStatus {
    /// The route whose providers embed.
    pub route: String,
    /// The model the served vectors were made with (none: none made yet).
    pub model: Option<String>,
    /// Their dimension.
    pub dimension: Option<u32>,
    /// Passages searchable by meaning (while passages are being embedded: the distinct
    /// passage texts embedded so far).
    pub vectors: u64,
    /// A change of model under way: the new model's vectors are made while the old ones serve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reembedding: Option<Reembedding>,
}

/// Progress of a change of embedding model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reembedding {
    /// The model the route now names.
    pub model: String,
    /// Distinct passages embedded with it so far.
    pub done: u64,
    /// Distinct passages in the collection.
    pub total: u64,
}

/// Vectors for a document's passages, keyed by the passage hash ([`Chunk::hash`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PassageVectors {
    /// The model that made them.
    pub model: String,
    /// Their dimension.
    pub dimension: u32,
    /// `(hash, vector)`: only the passages that had none under this model.
    pub vectors: Vec<(String, Vec<f32>)>,
}

/// A document in a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Document {
    /// Its id in the collection (the file name unless one was given).
    pub id: String,
    /// Its title: the first heading, else the id.
    pub title: String,
    /// What it was read as: `text/plain` or `text/markdown`.
    pub media_type: String,
    /// SHA-256 of the bytes uploaded (hex): the same bytes again change nothing.
    pub sha256: String,
    /// Its size as uploaded, in bytes.
    pub bytes: u64,
    /// How many chunks it was cut into.
    pub chunks: u64,
    /// Labels to filter by.
    pub tags: Vec<String>,
    /// Its date (`YYYY-MM-DD`), to filter by: given at upload, else the day it was added.
    pub date: String,
    /// When it was added or last replaced (RFC 3339).
    pub added_at: String,
}

/// A passage of a document, as cut for search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The document it is from.
    pub document: String,
    /// Its place in the document, from 0.
    pub position: u64,
    /// Its text.
    pub text: String,
    /// The headings it sits under, outermost first.
    pub heading_path: Vec<String>,
    /// The page it starts on, for paged formats.
    pub page: Option<u64>,
    /// SHA-256 of what is embedded ([`Chunk::embedding_input`], hex): an unchanged chunk of a
    /// replaced document keeps its vector.
    pub hash: String,
}

impl Chunk {
    /// What is embedded for this passage: its headings, then its text, so a question naming a
    /// section finds it (the words index reads the same).
    pub fn embedding_input(heading_path: &[String], text: &str) -> String {
        let mut input = heading_path.join("\n");
        if !input.is_empty() {
            input.push('\n');
        }
        input.push_str(text);
        input
    }
}

impl PassageVectors {
    /// Refuse a vector of another length than the dimension said.
    pub fn check_lengths(&self, collection: &str) -> Result<(), StoreError> {
        match self
            .vectors
            .iter()
            .find(|(_, v)| v.len() != self.dimension as usize)
        {
            Some((_, v)) => Err(StoreError::Conflict(format!(
                "a vector for collection `{collection}` has {} dimensions, not the {} of `{}`",
                v.len(),
                self.dimension,
                self.model
            ))),
            None => Ok(()),
        }
    }
}

/// A passage with its vector, as an index is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVector {
    /// Its document.
    pub document: String,
    /// Its place in the document.
    pub position: u64,
    /// Its vector.
    pub vector: Vec<f32>,
}

/// A passage still without a vector of some model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unembedded {
    /// Its hash.
    pub hash: String,
    /// What to embed.
    pub input: String,
}

/// One entry of the change log: the document was added, replaced or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its place in the log; later changes have higher numbers.
    pub seq: i64,
    /// The document that changed.
    pub document: String,
}

/// What storing a document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PutOutcome {
    /// It was new.
    Added,
    /// It replaced a different version.
    Replaced,
    /// The same bytes were already there: nothing changed.
    Unchanged,
}

/// The knowledge tables of a store (SQLite or PostgreSQL). Each method is one transaction.
pub trait KnowledgeStore: KnowledgeVectors + Send + Sync + 'static {
    /// Record a new collection; `false` if one of that name exists.
    fn create_collection(&self, collection: &Collection) -> Result<bool, StoreError>;
    /// Every collection, by name.
    fn collections(&self) -> Result<Vec<CollectionStats>, StoreError>;
    /// One collection.
    fn collection(&self, name: &str) -> Result<Option<CollectionStats>, StoreError>;
    /// Delete a collection and everything in it; `false` if there was none.
    fn delete_collection(&self, name: &str) -> Result<bool, StoreError>;
    /// Store `document` with its `chunks` (and the `vectors` its new passages were given) in
    /// `collection`, replacing any earlier version of it whole, and log the change; nothing is
    /// written when the bytes are the same. Vectors of a model or dimension other than the
    /// collection's are refused ([`StoreError::Conflict`]); the first vectors set them.
    fn put_document(
        &self,
        collection: &str,
        document: &Document,
        chunks: &[Chunk],
        vectors: Option<&PassageVectors>,
    ) -> Result<PutOutcome, StoreError>;
    /// The documents of a collection, by id.
    fn documents(&self, collection: &str) -> Result<Vec<Document>, StoreError>;
    /// Delete a document and its chunks, and log the change; `false` if there was none.
    fn delete_document(&self, collection: &str, id: &str) -> Result<bool, StoreError>;
    /// The changes to `collection` after `seq`, oldest first.
    fn changes_since(&self, collection: &str, seq: i64) -> Result<Vec<Change>, StoreError>;
    /// The newest change to `collection` (0: none).
    fn last_change(&self, collection: &str) -> Result<i64, StoreError>;
    /// The last change dropped from `collection`'s log with a deleted document's entry (0:
    /// none): an index older than it cannot catch up on the log, and is rebuilt.
    fn log_floor(&self, collection: &str) -> Result<i64, StoreError>;
    /// Drop the log entries of documents deleted before `before` (RFC 3339), so that no trace
    /// of them stays; how many were dropped.
    fn forget_deleted(&self, before: &str) -> Result<u64, StoreError>;
    /// A document and its chunks, in order; `None` if it is not (or no longer) there.
    fn document_with_chunks(
        &self,
        collection: &str,
        id: &str,
    ) -> Result<Option<(Document, Vec<Chunk>)>, StoreError>;
    /// The chunks at `keys` (document, position); those missing are left out.
    fn chunks(&self, collection: &str, keys: &[(String, u64)]) -> Result<Vec<Chunk>, StoreError>;
}

/// The vectors a collection's passages are searched by: kept per passage hash and model, so a
/// new model's vectors are made beside the old ones while those serve.
pub trait KnowledgeVectors: Send + Sync + 'static {
    /// The vectors of `model` for these passage hashes (those without one are left out).
    fn vectors(
        &self,
        collection: &str,
        model: &str,
        hashes: &[String],
    ) -> Result<Vec<(String, Vec<f32>)>, StoreError>;
    /// Up to `limit` of the collection's passages without a vector of `model`.
    fn unembedded(
        &self,
        collection: &str,
        model: &str,
        limit: usize,
    ) -> Result<Vec<Unembedded>, StoreError>;
    /// Keep vectors of `model` (a model the collection is moving to) for passages by hash;
    /// those of another dimension than the model's first are refused.
    fn put_vectors(&self, collection: &str, vectors: &PassageVectors) -> Result<(), StoreError>;
    /// `(with a vector of model, distinct passages)` in the collection.
    fn vector_counts(&self, collection: &str, model: &str) -> Result<(u64, u64), StoreError>;
    /// Make `model` the collection's, if every passage has a vector of it (`false`
    /// otherwise), and drop the vectors of every other model.
    fn switch_model(
        &self,
        collection: &str,
        model: &str,
        dimension: u32,
    ) -> Result<bool, StoreError>;
    /// Every passage of the collection with its vector of `model`, as an index is built from.
    fn all_vectors(&self, collection: &str, model: &str) -> Result<Vec<StoredVector>, StoreError>;
}

/// A vector as stored: its numbers, little-endian `f32`s.
pub fn vector_to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector back; bytes that are not whole `f32`s are an error.
pub fn vector_from_bytes(bytes: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(StoreError::Database(format!(
            "a stored vector is {} bytes, not a whole number of f32s",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// `["a","b"]` as stored, for tags and heading paths.
pub(crate) fn list_to_text(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

/// A stored list back; text that is not one is an error, not an empty list.
pub(crate) fn list_from_text(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Database(format!("a stored list does not read: {e}")))
}
