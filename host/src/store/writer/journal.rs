//! The audit journal: each record is appended to a file before its request is answered, so a
//! crash of `prax` (even `kill -9`) loses none, and the database receives the records
//! afterwards in large batches (`indexer`). A batch of thousands costs the database about
//! what one small group commit does, and no request waits for it.
//!
//! The journal is a directory beside the database holding segments `NNNNNNNNNN.jsonl`, one
//! JSON record a line, and a `lock` file that one process holds while it writes them. A
//! segment is deleted (or, the last one, emptied) once every record in it is in the
//! database; at start, whatever a crash left is moved into the database before anything
//! reads it. A record already there is not stored twice (request ids are unique), so moving
//! a segment again after a crash between commit and deletion is harmless.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::super::StoreError;
use super::super::record::AuditRecord;

/// A segment is closed and a new one begun past this size.
const SEGMENT_BYTES: u64 = 4 << 20;
/// Records handed to the database at a time when a journal is replayed.
const REPLAY_BATCH: usize = 4096;

/// The journal a database's audit records go through: `<database file>.audit-journal`.
pub fn dir_for(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push(".audit-journal");
    database.with_file_name(name)
}

/// An open journal, appended to by requests.
pub struct Journal {
    dir: PathBuf,
    tail: Mutex<Tail>,
    // Held for the journal's life: one process writes a journal at a time.
    _lock: File,
}

/// The segment being appended to, and the full ones not yet all in the database.
struct Tail {
    file: File,
    number: u64,
    len: u64,
    /// Sequence number of the last record appended (from 1).
    written: u64,
    /// Closed segments and the sequence number of their last record.
    closed: Vec<(PathBuf, u64)>,
}

impl Journal {
    /// Open the journal in `dir` for writing: take its lock, hand every record a previous
    /// process left there to `store` (a batch at a time, in the order written), delete those
    /// segments, and begin a new one.
    pub fn open(
        dir: &Path,
        store: &mut dyn FnMut(&[AuditRecord]) -> Result<(), StoreError>,
    ) -> Result<Self, StoreError> {
        let lock = lock(dir)?.ok_or_else(|| {
            StoreError::Database(format!(
                "{}: another prax is writing this audit journal; one server serves a SQLite database (use PostgreSQL for replicas)",
                dir.display()
            ))
        })?;
        let last = replay_locked(dir, store)?;
        let number = last + 1;
        let file = create_segment(dir, number)?;
        Ok(Self {
            dir: dir.to_owned(),
            tail: Mutex::new(Tail {
                file,
                number,
                len: 0,
                written: 0,
                closed: Vec::new(),
            }),
            _lock: lock,
        })
    }

    /// Append `line` (one serialized record, ending in a newline) and run `then` with its
    /// sequence number while no other record can be appended, so whatever `then` queues is
    /// in journal order. A failed write leaves the journal as it was.
    pub fn append(
        &self,
        line: &[u8],
        then: impl FnOnce(u64) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut tail = self
            .tail
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = tail.file.write_all(line) {
            // A partial line would be read as damage; cut it off (or, failing that, begin a
            // new segment so later records never follow it).
            let len = tail.len;
            if tail.file.set_len(len).is_err() {
                let _ = self.begin_segment(&mut tail);
            }
            return Err(StoreError::Database(format!(
                "cannot write the audit journal in {}: {e}",
                self.dir.display()
            )));
        }
        tail.len += line.len() as u64;
        tail.written += 1;
        let seq = tail.written;
        then(seq)?;
        if tail.len >= SEGMENT_BYTES
            && let Err(e) = self.begin_segment(&mut tail)
        {
            // The record is written; a new segment is tried again after the next one.
            tracing::warn!(error = %e, "audit journal: cannot begin a new segment");
        }
        Ok(seq)
    }

    /// Every record up to `seq` is in the database: delete the segments holding only such
    /// records, and empty the current one if it holds nothing else.
    pub fn stored_through(&self, seq: u64) {
        let done: Vec<PathBuf> = {
            let mut tail = self
                .tail
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if tail.written == seq && tail.len > 0 {
                match tail.file.set_len(0) {
                    Ok(()) => tail.len = 0,
                    Err(e) => tracing::warn!(error = %e, "audit journal: cannot empty a segment"),
                }
            }
            let (done, kept) = std::mem::take(&mut tail.closed)
                .into_iter()
                .partition(|(_, last)| *last <= seq);
            tail.closed = kept;
            done.into_iter().map(|(path, _)| path).collect()
        };
        for path in done {
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(segment = %path.display(), error = %e, "audit journal: cannot delete a stored segment");
            }
        }
    }

    fn begin_segment(&self, tail: &mut Tail) -> Result<(), StoreError> {
        let number = tail.number + 1;
        let file = create_segment(&self.dir, number)?;
        let old = segment_path(&self.dir, tail.number);
        tail.closed.push((old, tail.written));
        tail.file = file;
        tail.number = number;
        tail.len = 0;
        Ok(())
    }
}

/// For commands that open the database while no server runs (`prax store copy`): hand what
/// a crashed server left in the journal at `dir` to `store`. Does nothing while a server
/// holds the journal (it stores its records itself) or when there is no journal.
pub fn replay_if_idle(
    dir: &Path,
    store: &mut dyn FnMut(&[AuditRecord]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if !dir.is_dir() {
        return Ok(());
    }
    match lock(dir)? {
        Some(_lock) => replay_locked(dir, store).map(|_| ()),
        None => Ok(()),
    }
}

/// Take the journal's lock; `None` when another process holds it.
fn lock(dir: &Path) -> Result<Option<File>, StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let path = dir.join("lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_error(&path, &e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(io_error(&path, &e)),
    }
}

/// Store every segment's records and delete the segment; returns the highest segment
/// number seen (0 for none).
fn replay_locked(
    dir: &Path,
    store: &mut dyn FnMut(&[AuditRecord]) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let segments = segments(dir)?;
    let mut total = 0usize;
    for (_, path) in &segments {
        let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        let records = parse_segment(path, &bytes);
        for chunk in records.chunks(REPLAY_BATCH) {
            store(chunk).map_err(|e| {
                StoreError::Database(format!(
                    "the audit journal {} could not be moved into the database: {e}",
                    path.display()
                ))
            })?;
        }
        total += records.len();
        std::fs::remove_file(path).map_err(|e| io_error(path, &e))?;
    }
    if total > 0 {
        tracing::info!(
            records = total,
            segments = segments.len(),
            "audit records a previous run had not yet stored are now in the database"
        );
    }
    Ok(segments.last().map_or(0, |(number, _)| *number))
}

/// The segments in `dir`, in the order written.
fn segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))? {
        let path = entry.map_err(|e| io_error(dir, &e))?.path();
        let number = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".jsonl"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(number) = number {
            found.push((number, path));
        }
    }
    found.sort();
    Ok(found)
}

/// The records in a segment. A last line without its newline was being written when the
/// process died: its request was never answered, so it is dropped. Any other line that does
/// not read as a record is damage, reported and skipped.
fn parse_segment(path: &Path, bytes: &[u8]) -> Vec<AuditRecord> {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // After the last newline: empty, or a record cut off mid-write.
    lines.pop();
    let mut records = Vec::with_capacity(lines.len());
    for (index, line) in lines.into_iter().enumerate() {
        match serde_json::from_slice::<AuditRecord>(line) {
            Ok(record) => records.push(record),
            Err(e) => tracing::error!(
                segment = %path.display(),
                line = index + 1,
                error = %e,
                "audit journal: a damaged line is skipped"
            ),
        }
    }
    records
}

fn segment_path(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("{number:010}.jsonl"))
}

fn create_segment(dir: &Path, number: u64) -> Result<File, StoreError> {
    let path = segment_path(dir, number);
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| io_error(&path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Database(format!("{}: {e}", path.display()))
}
