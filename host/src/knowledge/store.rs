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
    /// SHA-256 of its text (hex): an unchanged chunk of a replaced document keeps its embedding.
    pub hash: String,
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
pub trait KnowledgeStore: Send + Sync + 'static {
    /// Record a new collection; `false` if one of that name exists.
    fn create_collection(&self, collection: &Collection) -> Result<bool, StoreError>;
    /// Every collection, by name.
    fn collections(&self) -> Result<Vec<CollectionStats>, StoreError>;
    /// One collection.
    fn collection(&self, name: &str) -> Result<Option<CollectionStats>, StoreError>;
    /// Delete a collection and everything in it; `false` if there was none.
    fn delete_collection(&self, name: &str) -> Result<bool, StoreError>;
    /// Store `document` with its `chunks` in `collection`, replacing any earlier version of it
    /// whole, and log the change; nothing is written when the bytes are the same.
    fn put_document(
        &self,
        collection: &str,
        document: &Document,
        chunks: &[Chunk],
    ) -> Result<PutOutcome, StoreError>;
    /// The documents of a collection, by id.
    fn documents(&self, collection: &str) -> Result<Vec<Document>, StoreError>;
    /// Delete a document and its chunks, and log the change; `false` if there was none.
    fn delete_document(&self, collection: &str, id: &str) -> Result<bool, StoreError>;
    /// The changes to `collection` after `seq`, oldest first.
    fn changes_since(&self, collection: &str, seq: i64) -> Result<Vec<Change>, StoreError>;
    /// The newest change to `collection` (0: none).
    fn last_change(&self, collection: &str) -> Result<i64, StoreError>;
    /// A document and its chunks, in order; `None` if it is not (or no longer) there.
    fn document_with_chunks(
        &self,
        collection: &str,
        id: &str,
    ) -> Result<Option<(Document, Vec<Chunk>)>, StoreError>;
    /// The chunks at `keys` (document, position); those missing are left out.
    fn chunks(&self, collection: &str, keys: &[(String, u64)]) -> Result<Vec<Chunk>, StoreError>;
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
