//! The meaning index kept in a Chroma server (`[knowledge] store = "chroma"`), for operators
//! who run one already. One Chroma collection per collection and model holds a record per
//! passage: its vector, and as metadata its document, position, title, tags and date, which
//! filters read inside Chroma's search. The collection's own metadata records the model,
//! dimension and last change-log entry applied, so every replica sees the same index and
//! only catches it up when it is behind. The database's rows stay the truth: a Chroma
//! collection that is missing, of another model or emptied is rebuilt from them.

pub mod client;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::meaning::{MeaningIndex, NONE, OpenedMeaning};
use super::search::Filters;
use super::vectors::{
    DocumentVectors, VectorError, VectorHit, VectorSettings, check_dimension, check_dimensions,
};
pub use client::ChromaClient;

/// Records per upsert request (Chroma's own limit is larger).
const UPSERT_BATCH: usize = 512;
/// Documents per delete-by-filter request.
const DELETE_BATCH: usize = 256;

const MODEL_KEY: &str = "prax_model";
const DIMENSION_KEY: &str = "prax_dimension";
const APPLIED_KEY: &str = "prax_applied";
const COLLECTION_KEY: &str = "prax_collection";

/// The Chroma collection that holds `uid`'s vectors of `model`: model names may hold
/// characters Chroma refuses, so a digest of it stands in.
pub fn remote_name(uid: &str, model: &str) -> String {
    let digest = hex::encode(Sha256::digest(model.as_bytes()));
    format!("prax-{uid}-{}", digest.get(..12).unwrap_or("0"))
}

/// One collection's meaning index in Chroma, for one model.
pub struct ChromaIndex {
    client: Arc<ChromaClient>,
    name: String,
    id: String,
    label: String,
    model: String,
    dimension: usize,
    applied: AtomicI64,
    count: AtomicUsize,
}

impl ChromaIndex {
    /// The index of `uid` (called `label` by people) and `model` if Chroma has a sound one.
    pub fn open(
        client: &Arc<ChromaClient>,
        uid: &str,
        label: &str,
        model: &str,
        dimension: usize,
    ) -> Result<OpenedMeaning, VectorError> {
        let name = remote_name(uid, model);
        let Some(remote) = client.collection(&name)? else {
            return Ok(OpenedMeaning::Unusable(NONE.into()));
        };
        let metadata = remote.metadata.unwrap_or_default();
        let held_model = metadata.get(MODEL_KEY).and_then(Value::as_str);
        let held_dimension = metadata.get(DIMENSION_KEY).and_then(Value::as_u64);
        if held_model != Some(model) || held_dimension != Some(dimension as u64) {
            return Ok(OpenedMeaning::Unusable(format!(
                "the Chroma collection `{name}` holds vectors of {held_model:?} ({held_dimension:?} dimensions), not of `{model}` ({dimension})"
            )));
        }
        let applied = metadata
            .get(APPLIED_KEY)
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let count = client.count(&remote.id)?;
        // Emptied behind our back (records deleted, the metadata kept): not to be trusted.
        if applied > 0 && count == 0 {
            return Ok(OpenedMeaning::Unusable(format!(
                "the Chroma collection `{name}` says it reflects change {applied} but holds no records"
            )));
        }
        Ok(OpenedMeaning::Current(Arc::new(Self {
            client: client.clone(),
            name,
            id: remote.id,
            label: label.to_owned(),
            model: model.to_owned(),
            dimension,
            applied: AtomicI64::new(applied),
            count: AtomicUsize::new(count),
        })))
    }

    /// A new, empty index of `uid` and `model`, replacing any Chroma collection of its name.
    pub fn create(
        client: &Arc<ChromaClient>,
        uid: &str,
        label: &str,
        model: &str,
        dimension: usize,
        settings: VectorSettings,
    ) -> Result<Self, VectorError> {
        let name = remote_name(uid, model);
        client.delete_collection(&name)?;
        let hnsw = json!({
            "space": "cosine",
            "max_neighbors": settings.connectivity,
            "ef_construction": settings.expansion_add,
            "ef_search": settings.expansion_search,
        });
        let mut index = Self {
            client: client.clone(),
            name: name.clone(),
            id: String::new(),
            label: label.to_owned(),
            model: model.to_owned(),
            dimension,
            applied: AtomicI64::new(0),
            count: AtomicUsize::new(0),
        };
        let remote = client.create_collection(&name, hnsw, index.metadata(0))?;
        index.id = remote.id;
        Ok(index)
    }

    fn metadata(&self, applied: i64) -> Map<String, Value> {
        let mut metadata = Map::new();
        metadata.insert(MODEL_KEY.into(), self.model.clone().into());
        metadata.insert(DIMENSION_KEY.into(), (self.dimension as u64).into());
        metadata.insert(APPLIED_KEY.into(), applied.into());
        metadata.insert(COLLECTION_KEY.into(), self.label.clone().into());
        metadata
    }
}

/// A passage's record: what filters and hits read.
fn record_metadata(document: &DocumentVectors, position: u64) -> Map<String, Value> {
    let mut metadata = Map::new();
    metadata.insert("document".into(), document.id.clone().into());
    metadata.insert("position".into(), position.into());
    metadata.insert("title".into(), document.title.clone().into());
    // Chroma refuses an empty list; no key admits no tag filter, as no tags do.
    if !document.tags.is_empty() {
        metadata.insert("tags".into(), document.tags.clone().into());
    }
    if let Some(day) = document.day {
        metadata.insert("day".into(), day.into());
    }
    metadata
}

/// `filters` as a Chroma `where`, applied inside its search (none: no filter).
pub fn where_clause(filters: &Filters) -> Option<Value> {
    let mut clauses = Vec::new();
    if !filters.documents.is_empty() {
        clauses.push(json!({ "document": { "$in": filters.documents } }));
    }
    match filters.tags.as_slice() {
        [] => {}
        [tag] => clauses.push(json!({ "tags": { "$contains": tag } })),
        tags => clauses.push(json!({
            "$or": tags.iter().map(|t| json!({ "tags": { "$contains": t } })).collect::<Vec<_>>()
        })),
    }
    if let Some(from) = filters.from_day {
        clauses.push(json!({ "day": { "$gte": from } }));
    }
    if let Some(to) = filters.to_day {
        clauses.push(json!({ "day": { "$lte": to } }));
    }
    match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(json!({ "$and": clauses })),
    }
}

impl MeaningIndex for ChromaIndex {
    fn model(&self) -> &str {
        &self.model
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    /// As Chroma has it: another replica may have caught the index up already.
    fn applied(&self) -> Result<i64, VectorError> {
        let name = &self.name;
        let remote = self.client.collection(name)?.ok_or_else(|| {
            VectorError::Gone(format!(
                "the Chroma collection `{name}` is gone from {}",
                self.client.url()
            ))
        })?;
        if remote.id != self.id {
            return Err(VectorError::Gone(format!(
                "the Chroma collection `{name}` was made again behind this replica's back"
            )));
        }
        let applied = remote
            .metadata
            .as_ref()
            .and_then(|m| m.get(APPLIED_KEY))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        self.applied.store(applied, Ordering::Relaxed);
        Ok(applied)
    }

    fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    fn apply(
        &self,
        seq: i64,
        changed: &[(String, Option<DocumentVectors>)],
    ) -> Result<(), VectorError> {
        check_dimensions(changed, &self.model, self.dimension)?;
        // Each changed document's records are replaced whole, so applying again is harmless.
        let ids: Vec<&String> = changed.iter().map(|(id, _)| id).collect();
        for part in ids.chunks(DELETE_BATCH) {
            self.client
                .delete_where(&self.id, json!({ "document": { "$in": part } }))?;
        }
        let records: Vec<(String, &[f32], Map<String, Value>)> = changed
            .iter()
            .filter_map(|(_, current)| current.as_ref())
            .flat_map(|document| {
                document.vectors.iter().map(move |(position, vector)| {
                    (
                        format!("{}#{position}", document.id),
                        vector.as_slice(),
                        record_metadata(document, *position),
                    )
                })
            })
            .collect();
        for part in records.chunks(UPSERT_BATCH) {
            let ids: Vec<String> = part.iter().map(|(id, _, _)| id.clone()).collect();
            let vectors: Vec<&[f32]> = part.iter().map(|(_, v, _)| *v).collect();
            let metadatas: Vec<Map<String, Value>> =
                part.iter().map(|(_, _, m)| m.clone()).collect();
            self.client.upsert(&self.id, &ids, &vectors, &metadatas)?;
        }
        let applied = self.applied.load(Ordering::Relaxed).max(seq);
        self.client.set_metadata(&self.id, self.metadata(applied))?;
        self.applied.store(applied, Ordering::Relaxed);
        self.count
            .store(self.client.count(&self.id)?, Ordering::Relaxed);
        Ok(())
    }

    fn search(
        &self,
        query: &[f32],
        filters: &Filters,
        top_k: usize,
    ) -> Result<Vec<VectorHit>, VectorError> {
        check_dimension(query, &self.model, self.dimension)?;
        let found = self
            .client
            .query(&self.id, query, top_k, where_clause(filters))?;
        Ok(found
            .into_iter()
            .filter_map(|(metadata, distance)| {
                Some(VectorHit {
                    document: metadata.get("document")?.as_str()?.to_owned(),
                    title: metadata
                        .get("title")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    position: metadata.get("position")?.as_u64()?,
                    score: 1.0 - distance,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_one_where_clause() {
        assert_eq!(where_clause(&Filters::default()), None);
        let filters = Filters {
            documents: vec!["a.md".into()],
            tags: vec!["hr".into(), "it".into()],
            from_day: Some(20_000),
            to_day: None,
        };
        assert_eq!(
            where_clause(&filters),
            Some(json!({ "$and": [
                { "document": { "$in": ["a.md"] } },
                { "$or": [ { "tags": { "$contains": "hr" } }, { "tags": { "$contains": "it" } } ] },
                { "day": { "$gte": 20_000 } },
            ]}))
        );
        let one_tag = Filters {
            tags: vec!["hr".into()],
            ..Filters::default()
        };
        assert_eq!(
            where_clause(&one_tag),
            Some(json!({ "tags": { "$contains": "hr" } }))
        );
    }

    #[test]
    fn model_names_become_names_chroma_accepts() {
        let name = remote_name(
            "0190a1b2c3d4e5f6a7b8c9d0e1f2a3b4",
            "nomic-embed-text:latest",
        );
        assert!(name.len() <= 512);
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        );
        assert_ne!(
            name,
            remote_name("0190a1b2c3d4e5f6a7b8c9d0e1f2a3b4", "other")
        );
    }
}
