//! Keeping each collection's indexes current with the store: after every local change, and
//! every `[knowledge] sync_interval_ms` for changes made through other replicas; dropping the
//! indexes of collections deleted elsewhere; forgetting deleted documents' log entries.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::indexes::{Slot, index_failed, meaning_failed};
use super::meaning::MeaningIndex;
use super::store::{Collection, CollectionStats};
use super::vectors::VectorError;
use super::{Knowledge, KnowledgeError, locked};

impl Knowledge {
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
        let order = locked(&slot.catching_up);
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
        // A replica that could not follow the log for longer than `[knowledge]
        // forget_deleted_after_s` cannot learn from it what was deleted meanwhile: its indexes
        // are dropped, and rebuilt from the rows.
        let floor = self.store.log_floor(name)?;
        if from < floor {
            if lexical_at < floor {
                *locked(&slot.lexical) = None;
            }
            if vectors_at < floor {
                slot.set_vectors(None);
            }
            drop(order);
            return self.sync(collection);
        }
        let changed = self.changed_since(name, from)?;
        if lexical_at < last {
            lexical
                .apply(last, &changed)
                .map_err(|e| failed(e.to_string()))?;
        }
        if let Some(vectors) = vectors
            && vectors_at < last
        {
            let with_vectors = self.with_vectors(name, vectors.model(), &changed)?;
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

    /// How often deleted documents' entries are looked for in the change log.
    fn forget_every(&self) -> Duration {
        Duration::from_secs(self.config.forget_deleted_after_s.clamp(1, 600))
    }

    /// Drop the change-log entries of documents deleted longer ago than
    /// `[knowledge] forget_deleted_after_s`.
    fn forget_deleted(&self) -> Result<(), KnowledgeError> {
        let age = time::Duration::seconds(
            i64::try_from(self.config.forget_deleted_after_s).unwrap_or(i64::MAX),
        );
        let before = crate::timestamp::rfc3339(time::OffsetDateTime::now_utc() - age);
        let dropped = self.store.forget_deleted(&before)?;
        if dropped > 0 {
            tracing::info!(
                entries = dropped,
                "deleted documents dropped from the change log"
            );
        }
        Ok(())
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
            let mut forgotten_at = tokio::time::Instant::now();
            loop {
                if forgotten_at.elapsed() >= self.forget_every() {
                    forgotten_at = tokio::time::Instant::now();
                    let knowledge = self.clone();
                    if let Ok(Err(error)) =
                        tokio::task::spawn_blocking(move || knowledge.forget_deleted()).await
                    {
                        tracing::warn!(%error, "cannot drop deleted documents from the change log");
                    }
                }
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
