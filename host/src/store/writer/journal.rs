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
//!
//! A segment is allocated on disk at its full size when it is begun and mapped into memory
//! (shared): appending a record is a copy into the page cache, which outlives the process,
//! instead of a system call a record. Allocating up front makes a full disk an error when
//! a segment is begun (the request is refused), never a fault while a record is copied.
//! What follows the last record is zeros, which no record contains (JSON escapes them).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use memmap2::MmapMut;

use super::super::StoreError;
use super::super::record::AuditRecord;

/// A segment's size on disk: a new one is begun when a record does not fit in what is left.
const SEGMENT_BYTES: usize = 4 << 20;
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
    segment: Segment,
    number: u64,
    /// Sequence number of the last record appended (from 1).
    written: u64,
    /// Full segments not yet all in the database, oldest first.
    closed: Vec<Closed>,
    /// A stored segment, emptied, kept mapped to be the next one: a new file would cost a
    /// page fault every few records until its pages are mapped.
    spare: Option<(PathBuf, Segment)>,
}

/// A full segment and the sequence number of its last record.
struct Closed {
    path: PathBuf,
    last: u64,
    segment: Segment,
}

/// A segment file, allocated at its full size and mapped: records are copied into it.
struct Segment {
    map: MmapMut,
    /// Bytes of records in it; the rest is zeros.
    len: usize,
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
        let segment = create_segment(dir, number, SEGMENT_BYTES)?;
        Ok(Self {
            dir: dir.to_owned(),
            tail: Mutex::new(Tail {
                segment,
                number,
                written: 0,
                closed: Vec::new(),
                spare: None,
            }),
            _lock: lock,
        })
    }

    /// Append `line` (one serialized record, ending in a newline) and run `then` with its
    /// sequence number while no other record can be appended, so whatever `then` queues is
    /// in journal order. When the line does not fit in the current segment a new one is
    /// begun first; if that fails, the journal is as it was.
    pub fn append(
        &self,
        line: &[u8],
        then: impl FnOnce(u64) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut tail = self.tail();
        if tail.segment.map.len() - tail.segment.len < line.len() {
            self.begin_segment(&mut tail, line.len().max(SEGMENT_BYTES))?;
        }
        let segment = &mut tail.segment;
        segment.map[segment.len..segment.len + line.len()].copy_from_slice(line);
        segment.len += line.len();
        tail.written += 1;
        let seq = tail.written;
        then(seq)?;
        Ok(seq)
    }

    /// Every record up to `seq` is in the database: empty the segments holding only such
    /// records (the current one too, if it holds nothing else); keep one as the spare and
    /// delete the others.
    pub fn stored_through(&self, seq: u64) {
        let done: Vec<Closed> = {
            let mut tail = self.tail();
            if tail.written == seq {
                tail.segment.empty();
            }
            let (done, kept) = std::mem::take(&mut tail.closed)
                .into_iter()
                .partition(|closed| closed.last <= seq);
            tail.closed = kept;
            done
        };
        for Closed {
            path, mut segment, ..
        } in done
        {
            // Only this thread fills the spare: if it is free now, it is free below.
            if segment.map.len() == SEGMENT_BYTES && self.tail().spare.is_none() {
                segment.empty();
                self.tail().spare = Some((path, segment));
                continue;
            }
            drop(segment);
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(segment = %path.display(), error = %e, "audit journal: cannot delete a stored segment");
            }
        }
    }

    fn tail(&self) -> std::sync::MutexGuard<'_, Tail> {
        self.tail
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Close the current segment and continue in the spare (renamed), or a new one of `size`.
    fn begin_segment(&self, tail: &mut Tail, size: usize) -> Result<(), StoreError> {
        let number = tail.number + 1;
        let path = segment_path(&self.dir, number);
        let segment = match tail.spare.take() {
            Some((spare_path, spare)) if size <= spare.map.len() => {
                match std::fs::rename(&spare_path, &path) {
                    Ok(()) => spare,
                    Err(e) => {
                        tracing::warn!(segment = %spare_path.display(), error = %e, "audit journal: cannot reuse a stored segment");
                        drop(spare);
                        let _ = std::fs::remove_file(&spare_path);
                        create_segment(&self.dir, number, size)?
                    }
                }
            }
            spare => {
                tail.spare = spare;
                create_segment(&self.dir, number, size)?
            }
        };
        let full = std::mem::replace(&mut tail.segment, segment);
        tail.closed.push(Closed {
            path: segment_path(&self.dir, tail.number),
            last: tail.written,
            segment: full,
        });
        tail.number = number;
        Ok(())
    }
}

impl Segment {
    /// Zero what records it holds. Its records are in the database: if a crash cuts this
    /// short, the next start reads those left again and stores none twice (a line half
    /// zeroed is reported as damage and skipped).
    fn empty(&mut self) {
        self.map[..self.len].fill(0);
        self.len = 0;
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

/// The records in a segment: its lines up to the zeros that fill a mapped segment past its
/// records. A last line without its newline was being copied when the process died: its
/// request was never answered, so it is dropped. Any other line that does not read as a
/// record is damage (zeros inside included), reported and skipped.
fn parse_segment(path: &Path, bytes: &[u8]) -> Vec<AuditRecord> {
    let written = bytes
        .iter()
        .rposition(|b| *b != 0)
        .map_or(0, |last| last + 1);
    let bytes = &bytes[..written];
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

/// Create segment `number` with `size` bytes allocated on disk, and map it.
fn create_segment(dir: &Path, number: u64, size: usize) -> Result<Segment, StoreError> {
    let path = segment_path(dir, number);
    let file = OpenOptions::new()
        .create_new(true)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| io_error(&path, &e))?;
    match allocate(&file, size).and_then(|()| map(&file)) {
        Ok(map) => Ok(Segment { map, len: 0 }),
        Err(e) => {
            // Nothing half-made (by this call: a file that was there is never touched) is
            // left behind to be read as a segment.
            let _ = std::fs::remove_file(&path);
            Err(io_error(&path, &e))
        }
    }
}

#[allow(unsafe_code)]
fn map(file: &File) -> std::io::Result<MmapMut> {
    // SAFETY: the file is this process's own (the journal's lock is held), and nothing
    // truncates it while it is mapped: a segment is only deleted once it is unmapped, or
    // read at start, before it is mapped.
    unsafe { MmapMut::map_mut(file) }
}

/// Give `file` `size` bytes of disk blocks (not a sparse file, whose first write could find
/// the disk full while a record is copied into the mapping).
fn allocate(file: &File, size: usize) -> std::io::Result<()> {
    match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), 0, size as u64) {
        Ok(()) => Ok(()),
        // A file system without fallocate: write the zeros.
        Err(rustix::io::Errno::OPNOTSUPP) => {
            use std::io::Read;
            let mut zeros = std::io::repeat(0).take(size as u64);
            let mut writer = file;
            std::io::copy(&mut zeros, &mut writer).map(|_| ())
        }
        Err(e) => Err(e.into()),
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Database(format!("{}: {e}", path.display()))
}
