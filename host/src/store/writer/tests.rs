use std::io::Write;

use super::journal::{self, Journal};
use crate::config::AuditDurability;
use crate::store::{AnalyticsFilter, AuditLog, AuditRecord, RecordStatus, TaskKind};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

fn record(request_id: &str) -> AuditRecord {
    AuditRecord {
        id: 0,
        request_id: request_id.into(),
        timestamp: "2026-12-07T06:00:00.000Z".into(),
        task_type: "echo".into(),
        kind: TaskKind::Skill,
        provider: Some("skill:echo".into()),
        skill_version: Some("1.0.0".into()),
        attempts: None,
        status: RecordStatus::Success,
        http_status: 200,
        latency_ms: 3,
        prompt: Some("say \"hi\"\nplease".into()),
        response_data: Some("hi".into()),
        prompt_bytes: 16,
        response_bytes: 2,
        api_key_id: None,
        api_key_name: None,
        client_addr: Some("127.0.0.1".into()),
        stream_outcome: None,
        time_to_first_token_ms: None,
        input_tokens: None,
        output_tokens: None,
        tokens_estimated: false,
        delivered: None,
    }
}

fn line(record: &AuditRecord) -> Vec<u8> {
    let mut line = serde_json::to_vec(record).unwrap_or_default();
    line.push(b'\n');
    line
}

/// Requests counted in the roll-ups.
fn rolled_up(log: &AuditLog) -> std::result::Result<u64, crate::store::StoreError> {
    Ok(log
        .queries
        .usage(&AnalyticsFilter::default())?
        .iter()
        .map(|row| row.requests)
        .sum())
}

/// The request ids a journal opened in `dir` hands to the database, in order.
fn replayed_ids(
    dir: &std::path::Path,
) -> std::result::Result<Vec<String>, crate::store::StoreError> {
    let mut stored = Vec::new();
    Journal::open(dir, &mut |records| {
        stored.extend(records.iter().map(|r| r.request_id.clone()));
        Ok(())
    })?;
    Ok(stored)
}

fn segments(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".jsonl"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn a_journaled_record_is_in_what_queries_read_once_answered() -> Result {
    let dir = tempfile::tempdir()?;
    let log = AuditLog::open_sqlite(&dir.path().join("p.db"), AuditDurability::ProcessCrash)?;
    log.writer.record(record("r1")).await?;
    // `query` settles the writer first: no waiting for the indexer's window.
    let found = log.query(|q| q.get("r1")).await?;
    assert_eq!(
        found.map(|r| r.prompt),
        Some(Some("say \"hi\"\nplease".into()))
    );
    assert_eq!(rolled_up(&log)?, 1);
    Ok(())
}

#[test]
fn what_a_crash_left_in_the_journal_is_stored_at_the_next_open_once() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("p.db");
    // "r1" reached the database before the crash; "r2" only the journal; "r3" was being
    // written (no newline): its request was never answered.
    {
        let log = AuditLog::open_sqlite(&db, AuditDurability::PowerLoss)?;
        tokio::runtime::Builder::new_current_thread()
            .build()?
            .block_on(log.writer.record(record("r1")))?;
    }
    let journal = journal::dir_for(&db);
    std::fs::create_dir_all(&journal)?;
    let mut segment = std::fs::File::create(journal.join("0000000007.jsonl"))?;
    segment.write_all(&line(&record("r1")))?;
    segment.write_all(&line(&record("r2")))?;
    segment.write_all(&line(&record("r3"))[..40])?;
    drop(segment);

    let log = AuditLog::open_sqlite(&db, AuditDurability::ProcessCrash)?;
    assert!(
        log.queries.get("r2")?.is_some(),
        "the journaled record is stored"
    );
    assert!(
        log.queries.get("r3")?.is_none(),
        "a torn last line is dropped"
    );
    assert_eq!(rolled_up(&log)?, 2, "r1 is not counted twice");
    assert_eq!(
        segments(&journal),
        vec!["0000000008.jsonl".to_owned()],
        "the old segment is gone; the new one follows it"
    );
    Ok(())
}

#[test]
fn a_damaged_line_is_skipped_and_the_records_around_it_stored() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("p.db");
    let journal = journal::dir_for(&db);
    std::fs::create_dir_all(&journal)?;
    let mut segment = std::fs::File::create(journal.join("0000000001.jsonl"))?;
    segment.write_all(&line(&record("a")))?;
    segment.write_all(b"{\"request_id\": \"half a rec\n")?;
    segment.write_all(&line(&record("b")))?;
    drop(segment);
    let log = AuditLog::open_sqlite(&db, AuditDurability::ProcessCrash)?;
    assert!(log.queries.get("a")?.is_some());
    assert!(log.queries.get("b")?.is_some());
    assert_eq!(rolled_up(&log)?, 2);
    Ok(())
}

#[test]
fn a_second_writer_of_one_journal_is_refused_and_commands_leave_it_alone() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("p.db");
    let _serving = AuditLog::open_sqlite(&db, AuditDurability::ProcessCrash)?;
    let refused = AuditLog::open_sqlite(&db, AuditDurability::ProcessCrash)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("another prax is writing this audit journal"),
        "{refused}"
    );
    // A command (`prax store copy`) finds the journal in use and does not touch it.
    let mut touched = false;
    journal::replay_if_idle(&journal::dir_for(&db), &mut |_| {
        touched = true;
        Ok(())
    })?;
    assert!(!touched);
    Ok(())
}

#[test]
fn a_command_stores_what_a_crashed_server_left() -> Result {
    let dir = tempfile::tempdir()?;
    let journal = dir.path().join("j");
    std::fs::create_dir_all(&journal)?;
    std::fs::write(journal.join("0000000003.jsonl"), line(&record("left")))?;
    let mut stored = Vec::new();
    journal::replay_if_idle(&journal, &mut |records| {
        stored.extend(records.iter().map(|r| r.request_id.clone()));
        Ok(())
    })?;
    assert_eq!(stored, vec!["left".to_owned()]);
    assert!(segments(&journal).is_empty());
    Ok(())
}

#[test]
fn a_failed_store_keeps_the_journal_for_the_next_try() -> Result {
    let dir = tempfile::tempdir()?;
    let journal = dir.path().join("j");
    std::fs::create_dir_all(&journal)?;
    std::fs::write(journal.join("0000000001.jsonl"), line(&record("kept")))?;
    let refused = Journal::open(&journal, &mut |_| {
        Err(crate::store::StoreError::Database("disk full".into()))
    });
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("could not be moved into the database") && message.contains("disk full"),
        "{message}"
    );
    assert_eq!(segments(&journal), vec!["0000000001.jsonl".to_owned()]);
    Ok(())
}

#[test]
fn full_segments_go_once_stored_and_the_last_is_emptied() -> Result {
    let dir = tempfile::tempdir()?;
    let journal = Journal::open(dir.path(), &mut |_| Ok(()))?;
    // Lines of 1 MiB and a byte: three fit in a 4 MiB segment, the fourth begins another.
    let mut big = vec![b'x'; 1 << 20];
    big.push(b'\n');
    let mut queued = Vec::new();
    for _ in 0..6 {
        journal.append(&big, |seq| {
            queued.push(seq);
            Ok(())
        })?;
    }
    assert_eq!(queued, vec![1, 2, 3, 4, 5, 6], "sequence numbers in order");
    assert_eq!(segments(dir.path()).len(), 2);
    journal.stored_through(2);
    assert_eq!(segments(dir.path()).len(), 2, "record 3 is not stored yet");
    journal.stored_through(6);
    let left = segments(dir.path());
    assert_eq!(left.len(), 2, "the current segment and a spare");
    for name in &left {
        let bytes = std::fs::read(dir.path().join(name))?;
        assert!(bytes.iter().all(|b| *b == 0), "{name} is emptied");
    }
    // The next full segment continues in the spare, under the next number.
    for _ in 0..4 {
        journal.append(&big, |_| Ok(()))?;
    }
    let now = segments(dir.path());
    assert_eq!(
        now,
        vec!["0000000002.jsonl".to_owned(), "0000000003.jsonl".to_owned()],
        "no new file: {now:?}"
    );
    // It was emptied before reuse: past its one record, zeros, not the old records.
    let reused = std::fs::read(dir.path().join("0000000003.jsonl"))?;
    assert_eq!(&reused[..big.len()], &big[..]);
    assert!(reused[big.len()..].iter().all(|b| *b == 0));
    Ok(())
}

#[test]
fn appended_records_are_in_the_segment_file_while_the_journal_is_open() -> Result {
    // What a `kill -9` leaves: the mapped segment's bytes, read by the next open.
    let dir = tempfile::tempdir()?;
    let journal = Journal::open(dir.path(), &mut |_| Ok(()))?;
    for id in ["one", "two"] {
        journal.append(&line(&record(id)), |_| Ok(()))?;
    }
    let copy = tempfile::tempdir()?;
    for name in segments(dir.path()) {
        std::fs::copy(dir.path().join(&name), copy.path().join(&name))?;
    }
    assert_eq!(replayed_ids(copy.path())?, vec!["one", "two"]);
    Ok(())
}

#[test]
fn zeros_end_a_segment_and_a_line_with_zeros_inside_is_damage_not_the_end() -> Result {
    // A mapped segment is zeros past its records. A line with zeros inside (a copy cut off
    // part-way, or damage) is skipped; the records after it are still stored.
    let dir = tempfile::tempdir()?;
    let mut bytes = line(&record("before"));
    let mut damaged = line(&record("damaged"));
    let middle = damaged.len() / 2;
    damaged[4..middle].fill(0);
    bytes.extend_from_slice(&damaged);
    bytes.extend_from_slice(&line(&record("after")));
    bytes.extend_from_slice(b"{\"request_id\":\"cut");
    bytes.resize(bytes.len() + 4096, 0);
    std::fs::write(dir.path().join("0000000001.jsonl"), &bytes)?;
    assert_eq!(replayed_ids(dir.path())?, vec!["before", "after"]);
    Ok(())
}
