//! Embedding a collection's passages with its route's model when the collection lacks them:
//! one made before its route embedded, or whose route's model has changed. The new vectors are
//! made beside the old ones, which keep serving; the new meaning index is built before the
//! collection switches to it, in one transaction that first checks that no passage was missed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::embedding::checked_dimension;
use super::store::{Collection, CollectionStats, PassageVectors, Reembedding};
use super::{Knowledge, KnowledgeError, blocking, locked};

/// How long a change of model that failed (the providers down, say) waits before it is tried
/// again.
const RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Default)]
struct JobsState {
    running: HashMap<String, Reembedding>,
    failed: HashMap<String, Instant>,
}

/// The changes of model under way on this replica, by collection uid.
#[derive(Default)]
pub(super) struct Jobs(Mutex<JobsState>);

impl Jobs {
    /// How far the change of `uid`'s model has come, if one is under way.
    pub(super) fn progress(&self, uid: &str) -> Option<Reembedding> {
        locked(&self.0).running.get(uid).cloned()
    }

    /// Take on the change of `uid` to `model`; `false` if one is under way already.
    fn claim(&self, uid: &str, model: &str) -> bool {
        let mut jobs = locked(&self.0);
        if jobs.running.contains_key(uid)
            || jobs
                .failed
                .get(uid)
                .is_some_and(|at| at.elapsed() < RETRY_AFTER)
        {
            return false;
        }
        jobs.running.insert(
            uid.to_owned(),
            Reembedding {
                model: model.to_owned(),
                done: 0,
                total: 0,
            },
        );
        true
    }

    fn update(&self, uid: &str, done: u64, total: u64) {
        if let Some(job) = locked(&self.0).running.get_mut(uid) {
            job.done = done;
            job.total = total;
        }
    }

    fn finish(&self, uid: &str, failed: bool) {
        let mut jobs = locked(&self.0);
        jobs.running.remove(uid);
        if failed {
            jobs.failed.insert(uid.to_owned(), Instant::now());
        } else {
            jobs.failed.remove(uid);
        }
    }
}

impl Knowledge {
    /// Start embedding every one of `collections` whose vectors are not of its route's model.
    pub(super) fn start_reembedding(self: &Arc<Self>, collections: Vec<CollectionStats>) {
        let Some(embedder) = self.embedder.clone() else {
            return;
        };
        for stats in collections {
            let collection = stats.collection;
            let Some(route) = self.route_of(&collection) else {
                continue;
            };
            let Some(target) = embedder.model(&route) else {
                continue;
            };
            let needed =
                stats.chunks > 0 && collection.embedding_model.as_deref() != Some(target.as_str());
            if needed && self.jobs.claim(&collection.uid, &target) {
                tokio::spawn(self.clone().reembed(collection, route, target));
            }
        }
    }

    async fn reembed(self: Arc<Self>, collection: Collection, route: String, target: String) {
        tracing::info!(collection = %collection.name, from = collection.embedding_model.as_deref().unwrap_or("(none)"),
            to = %target, "embedding the collection's passages with its route's model; searches go on meanwhile");
        let result = self
            .reembed_until_switched(&collection, &route, &target)
            .await;
        self.jobs.finish(&collection.uid, result.is_err());
        match result {
            Ok(()) => tracing::info!(collection = %collection.name, model = %target,
                "the collection is now searched with vectors of its route's model"),
            Err(error) => tracing::warn!(collection = %collection.name, model = %target, %error,
                "embedding the collection stopped; it is tried again in 30 s"),
        }
    }

    async fn reembed_until_switched(
        self: &Arc<Self>,
        collection: &Collection,
        route: &str,
        target: &str,
    ) -> Result<(), KnowledgeError> {
        let batch = self.config.embed_batch * self.config.embed_concurrency;
        let name = collection.name.clone();
        let mut dimension = None;
        loop {
            let (this, of, model) = (self.clone(), name.clone(), target.to_owned());
            let (waiting, (done, total)) = blocking(move || {
                Ok((
                    this.store.unembedded(&of, &model, batch)?,
                    this.store.vector_counts(&of, &model)?,
                ))
            })
            .await?;
            self.jobs.update(&collection.uid, done, total);
            if waiting.is_empty() {
                let this = self.clone();
                let (collection, target) = (collection.clone(), target.to_owned());
                let switched = blocking(move || {
                    let index = this.build_vectors(&collection, &target, dimension)?;
                    let dimension = index.dimension() as u32;
                    let previous = collection.embedding_model.clone();
                    if !this
                        .store
                        .switch_model(&collection.name, &target, dimension)?
                    {
                        return Ok(false);
                    }
                    let mut switched = collection.clone();
                    switched.embedding_model = Some(target.clone());
                    switched.dimension = Some(dimension);
                    // Saved again once current: until the switch the old index kept saving.
                    this.install_vectors(&switched, index.clone());
                    if let Err(error) = index.save() {
                        tracing::warn!(collection = %switched.name, %error,
                            "cannot save the new meaning index; it is built again at the next start");
                    }
                    if let Some(previous) = previous.filter(|p| p != &target) {
                        this.retire_meaning(&switched, &previous);
                    }
                    Ok(true)
                })
                .await?;
                if switched {
                    return Ok(());
                }
                // Passages came in while the index was built: embed those too.
                continue;
            }
            let inputs: Vec<String> = waiting.iter().map(|w| w.input.clone()).collect();
            let vectors = self.embed_all(collection, route, target, &inputs).await?;
            let mut probe = collection.clone();
            probe.embedding_model = Some(target.to_owned());
            probe.dimension = dimension;
            let made = checked_dimension(&probe, target, &vectors)?;
            dimension = Some(made);
            let vectors = PassageVectors {
                model: target.to_owned(),
                dimension: made,
                vectors: waiting.into_iter().map(|w| w.hash).zip(vectors).collect(),
            };
            let (this, of) = (self.clone(), name.clone());
            blocking(move || Ok(this.store.put_vectors(&of, &vectors)?)).await?;
        }
    }
}
