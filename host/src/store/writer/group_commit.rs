//! Group commit: requests hand their audit records to one writer thread, which commits
//! everything waiting in one transaction and then lets each request answer. Under load many
//! requests share one commit (one fsync); alone, a request waits for its own. PostgreSQL's
//! audit log, and SQLite's at `durability = "power_loss"`, are written this way.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use tokio::sync::oneshot;

use super::super::record::AuditRecord;
use super::super::{AuditWrites, StoreError};

/// Most records in one transaction.
const MAX_BATCH: usize = 1024;

/// Work for the writer thread.
pub(super) enum Job {
    Record(Box<AuditRecord>, oneshot::Sender<Result<(), StoreError>>),
    Purge {
        records_before: String,
        rollups_before: String,
        batch: usize,
        done: oneshot::Sender<Result<usize, StoreError>>,
    },
}

/// Start the writer thread over `store`; jobs go to the returned sender.
pub(super) fn start(
    store: Box<dyn AuditWrites>,
    pending: Arc<AtomicI64>,
) -> Result<Sender<Job>, StoreError> {
    let (jobs, rx) = channel();
    std::thread::Builder::new()
        .name("prax-audit".into())
        .spawn(move || run(store, rx, pending))
        .map_err(|e| StoreError::Database(format!("cannot start the audit writer: {e}")))?;
    Ok(jobs)
}

/// Store `record` through the writer; returns once it is committed.
pub(super) async fn record(jobs: &Sender<Job>, record: AuditRecord) -> Result<(), StoreError> {
    let (done, wait) = oneshot::channel();
    jobs.send(Job::Record(Box::new(record), done))
        .map_err(|_| StoreError::WriterStopped)?;
    wait.await.map_err(|_| StoreError::WriterStopped)?
}

/// Delete one batch of old records (and old roll-ups) through the writer.
pub(super) async fn purge(
    jobs: &Sender<Job>,
    records_before: String,
    rollups_before: String,
    batch: usize,
) -> Result<usize, StoreError> {
    let (done, wait) = oneshot::channel();
    jobs.send(Job::Purge {
        records_before,
        rollups_before,
        batch,
        done,
    })
    .map_err(|_| StoreError::WriterStopped)?;
    wait.await.map_err(|_| StoreError::WriterStopped)?
}

fn run(mut store: Box<dyn AuditWrites>, jobs: Receiver<Job>, pending: Arc<AtomicI64>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = jobs.recv() {
        let mut next = Some(first);
        loop {
            match next.take() {
                Some(Job::Record(record, done)) => {
                    batch.push(*record);
                    waiting.push(done);
                }
                Some(Job::Purge {
                    records_before,
                    rollups_before,
                    batch: size,
                    done,
                }) => {
                    let result = store
                        .purge_records_before(&records_before, size)
                        .and_then(|n| store.purge_rollups_before(&rollups_before).map(|_| n));
                    let _ = done.send(result);
                }
                None => {}
            }
            if batch.len() >= MAX_BATCH {
                break;
            }
            match jobs.try_recv() {
                Ok(job) => next = Some(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        let result = store.write_batch(&batch);
        if let Err(e) = &result {
            tracing::error!(error = %e, records = batch.len(), "audit batch not committed");
        }
        pending.fetch_sub(batch.len() as i64, Ordering::Relaxed);
        for done in waiting.drain(..) {
            let _ = done.send(result.clone());
        }
        batch.clear();
    }
}
