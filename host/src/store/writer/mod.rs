//! How audit records reach the store. No request is answered before its record is safe:
//! - journaled (SQLite's default, `durability = "process_crash"`): the record is appended
//!   to the audit journal, in the operating system's hands, so a crash of `prax` loses none;
//!   a thread moves records into the database in large batches;
//! - group commit (PostgreSQL, and SQLite at `durability = "power_loss"`): the record is
//!   committed to the database, many requests sharing one transaction.

mod group_commit;
mod indexer;
pub mod journal;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{Sender, channel};

use tokio::sync::oneshot;

use super::record::AuditRecord;
use super::{AuditWrites, StoreError};
use journal::Journal;

/// Journaled records not yet in the database past which requests are refused rather than
/// memory grows without bound while the database cannot take them.
const MAX_UNSTORED: i64 = 100_000;

/// A handle on the audit writer.
#[derive(Clone)]
pub struct AuditWriter {
    via: Via,
    pending: Arc<AtomicI64>,
}

#[derive(Clone)]
enum Via {
    GroupCommit(Sender<group_commit::Job>),
    Journal {
        journal: Arc<Journal>,
        jobs: Sender<indexer::Job>,
        indexer: std::thread::Thread,
    },
}

impl AuditWriter {
    /// Write to `store` with group commit: a request waits for its record's commit.
    pub fn start(store: Box<dyn AuditWrites>) -> Result<Self, StoreError> {
        let pending = Arc::new(AtomicI64::new(0));
        let jobs = group_commit::start(store, pending.clone())?;
        Ok(Self {
            via: Via::GroupCommit(jobs),
            pending,
        })
    }

    /// Write through the journal in `dir` to `store`; first stores what a previous run left
    /// in the journal.
    pub fn start_journaled(
        mut store: Box<dyn AuditWrites>,
        dir: &Path,
    ) -> Result<Self, StoreError> {
        let journal = Arc::new(Journal::open(dir, &mut |records| {
            store.write_batch(records)
        })?);
        let pending = Arc::new(AtomicI64::new(0));
        let (jobs, rx) = channel();
        let (indexed, count) = (journal.clone(), pending.clone());
        let indexer = std::thread::Builder::new()
            .name("prax-audit".into())
            .spawn(move || indexer::run(store, indexed, rx, count))
            .map_err(|e| StoreError::Database(format!("cannot start the audit writer: {e}")))?
            .thread()
            .clone();
        Ok(Self {
            via: Via::Journal {
                journal,
                jobs,
                indexer,
            },
            pending,
        })
    }

    /// Records handed over and not yet in the database.
    pub fn pending(&self) -> i64 {
        self.pending.load(Ordering::Relaxed)
    }

    /// Make `record` safe; returns once it is (journaled, or committed).
    pub async fn record(&self, record: AuditRecord) -> Result<(), StoreError> {
        match &self.via {
            Via::GroupCommit(jobs) => {
                self.pending.fetch_add(1, Ordering::Relaxed);
                group_commit::record(jobs, record).await
            }
            Via::Journal { journal, jobs, .. } => {
                let unstored = self.pending.load(Ordering::Relaxed);
                if unstored >= MAX_UNSTORED {
                    return Err(StoreError::Database(format!(
                        "{unstored} audit records are waiting for the database, which is not taking them; see the log"
                    )));
                }
                let mut line = serde_json::to_vec(&record)
                    .map_err(|e| StoreError::Database(format!("audit record: {e}")))?;
                line.push(b'\n');
                journal.append(&line, |seq| {
                    self.pending.fetch_add(1, Ordering::Relaxed);
                    jobs.send(indexer::Job::Record(seq, Box::new(record)))
                        .map_err(|_| StoreError::WriterStopped)
                })?;
                Ok(())
            }
        }
    }

    /// Returns once every record handed over so far is in the database, so that what is
    /// read next includes them.
    pub async fn settle(&self) -> Result<(), StoreError> {
        match &self.via {
            Via::GroupCommit(_) => Ok(()),
            Via::Journal { jobs, indexer, .. } => {
                let (done, wait) = oneshot::channel();
                jobs.send(indexer::Job::Settle(done))
                    .map_err(|_| StoreError::WriterStopped)?;
                indexer.unpark();
                wait.await.map_err(|_| StoreError::WriterStopped)?
            }
        }
    }

    /// Delete one batch of records older than `records_before` (and roll-ups older than
    /// `rollups_before`); returns how many records went.
    pub async fn purge(
        &self,
        records_before: String,
        rollups_before: String,
        batch: usize,
    ) -> Result<usize, StoreError> {
        match &self.via {
            Via::GroupCommit(jobs) => {
                group_commit::purge(jobs, records_before, rollups_before, batch).await
            }
            Via::Journal { jobs, indexer, .. } => {
                let (done, wait) = oneshot::channel();
                jobs.send(indexer::Job::Purge {
                    records_before,
                    rollups_before,
                    batch,
                    done,
                })
                .map_err(|_| StoreError::WriterStopped)?;
                indexer.unpark();
                wait.await.map_err(|_| StoreError::WriterStopped)?
            }
        }
    }
}
