//! The thread that moves journaled audit records into the database: it gathers what
//! requests append for a short window (or until a batch is full) and stores it in one
//! transaction, then lets the journal drop what is stored. Queries ask it to settle first,
//! so an answer's record is always in what the analytics read.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::super::record::AuditRecord;
use super::super::{AuditWrites, StoreError};
use super::journal::Journal;

/// Most records in one transaction.
const MAX_BATCH: usize = 4096;
/// How long records gather before they are stored, at most.
const WINDOW: Duration = Duration::from_millis(20);
/// After a failed write, how long before the next try.
const RETRY: Duration = Duration::from_secs(1);

/// Work for the indexer.
pub(super) enum Job {
    /// A record the journal holds, with its sequence number there.
    Record(u64, Box<AuditRecord>),
    /// Store everything received so far, then answer.
    Settle(oneshot::Sender<Result<(), StoreError>>),
    /// Store everything received so far, then delete one batch of old records.
    Purge {
        records_before: String,
        rollups_before: String,
        batch: usize,
        done: oneshot::Sender<Result<usize, StoreError>>,
    },
}

/// Records received and not yet stored.
struct Pending {
    records: Vec<AuditRecord>,
    last_seq: u64,
    since: Option<Instant>,
    failing: bool,
}

/// Run the indexer until every sender is gone (then store what is left and return).
pub(super) fn run(
    mut store: Box<dyn AuditWrites>,
    journal: Arc<Journal>,
    jobs: Receiver<Job>,
    count: Arc<AtomicI64>,
) {
    let mut pending = Pending {
        records: Vec::with_capacity(MAX_BATCH),
        last_seq: 0,
        since: None,
        failing: false,
    };
    loop {
        let job = match pending.since {
            None => jobs.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(since) => {
                let wait = if pending.failing { RETRY } else { WINDOW };
                next_before(&jobs, since + wait)
            }
        };
        match job {
            Ok(Job::Record(seq, record)) => {
                pending.records.push(*record);
                pending.last_seq = seq;
                // The window is checked when the channel runs dry (`next_before`), not per
                // record: reading the clock per record is a measurable part of the cost.
                pending.since.get_or_insert_with(Instant::now);
                if pending.records.len() >= MAX_BATCH && !pending.failing {
                    let _ = flush(store.as_mut(), &journal, &count, &mut pending);
                }
            }
            Ok(Job::Settle(done)) => {
                let _ = done.send(flush(store.as_mut(), &journal, &count, &mut pending));
            }
            Ok(Job::Purge {
                records_before,
                rollups_before,
                batch,
                done,
            }) => {
                let result = flush(store.as_mut(), &journal, &count, &mut pending)
                    .and_then(|()| store.purge_records_before(&records_before, batch))
                    .and_then(|n| store.purge_rollups_before(&rollups_before).map(|_| n));
                let _ = done.send(result);
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = flush(store.as_mut(), &journal, &count, &mut pending);
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = flush(store.as_mut(), &journal, &count, &mut pending);
                return;
            }
        }
    }
}

/// The next job, or a timeout at `deadline`. Sleeps rather than waits on the channel, so
/// that a request handing over a record never has to wake this thread (a system call
/// each); [`super::AuditWriter`] wakes it for settles and purges.
fn next_before(jobs: &Receiver<Job>, deadline: Instant) -> Result<Job, RecvTimeoutError> {
    loop {
        match jobs.try_recv() {
            Ok(job) => return Ok(job),
            Err(TryRecvError::Disconnected) => return Err(RecvTimeoutError::Disconnected),
            Err(TryRecvError::Empty) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(RecvTimeoutError::Timeout);
                }
                std::thread::park_timeout(deadline - now);
            }
        }
    }
}

/// Store the pending records; on failure keep them (the journal has them too) for the
/// next try, and say so once, not at every try.
fn flush(
    store: &mut dyn AuditWrites,
    journal: &Journal,
    count: &AtomicI64,
    pending: &mut Pending,
) -> Result<(), StoreError> {
    if pending.records.is_empty() {
        return Ok(());
    }
    match store.write_batch(&pending.records) {
        Ok(()) => {
            if pending.failing {
                tracing::info!("audit records are being stored in the database again");
            }
            journal.stored_through(pending.last_seq);
            count.fetch_sub(pending.records.len() as i64, Ordering::Relaxed);
            pending.records.clear();
            pending.since = None;
            pending.failing = false;
            Ok(())
        }
        Err(e) => {
            if !pending.failing {
                tracing::error!(error = %e, records = pending.records.len(), "audit records not stored in the database yet; the journal keeps them, retrying");
            }
            pending.failing = true;
            pending.since = Some(Instant::now());
            Err(e)
        }
    }
}
