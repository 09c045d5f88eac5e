//! Fill `DATA_DIR/praximous.db` with `COUNT` audit records spread over the last `DAYS` days,
//! through prax's own store (same schema, same roll-ups), in large transactions.
//! Usage: `audit-gen DATA_DIR [COUNT=1000000] [DAYS=60]`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use praximous::store::sqlite::{SqliteWrites, open};
use praximous::store::{AuditRecord, AuditWrites, RecordStatus, TaskKind};

const TASKS: [(&str, TaskKind, &str); 6] = [
    ("echo", TaskKind::Skill, "skill:echo"),
    ("simple_math", TaskKind::Skill, "skill:simple_math"),
    (
        "text_manipulation",
        TaskKind::Skill,
        "skill:text_manipulation",
    ),
    ("default_llm_tasks", TaskKind::Llm, "gemini_pro_model"),
    ("default_llm_tasks", TaskKind::Llm, "ollama_default"),
    ("internal_summary", TaskKind::Llm, "ollama_default"),
];

/// A tiny deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: audit-gen DATA_DIR [COUNT] [DAYS]"))?;
    let count: u64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let days: u64 = args.next().map_or(Ok(60), |a| a.parse())?;
    let mut store = SqliteWrites(open(&std::path::Path::new(&dir).join("praximous.db"))?);
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let span = days * 86_400;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..count {
        // Oldest first, as they would have arrived.
        let secs = now - span + i * span / count.max(1);
        let (task_type, kind, provider) = TASKS[(rng.next() % TASKS.len() as u64) as usize];
        let error = rng.next().is_multiple_of(20);
        let key = rng.next() % 8;
        batch.push(AuditRecord {
            id: 0,
            request_id: format!("gen-{i:09}"),
            timestamp: rfc3339(secs, (i % 1000) as u32),
            task_type: task_type.into(),
            kind,
            provider: Some(provider.into()),
            skill_version: (kind == TaskKind::Skill).then(|| "1.0.0".into()),
            attempts: None,
            status: if error {
                RecordStatus::Error
            } else {
                RecordStatus::Success
            },
            http_status: if error { 500 } else { 200 },
            latency_ms: rng.next() % if kind == TaskKind::Llm { 3_000 } else { 20 },
            prompt: Some("generated prompt".into()),
            response_data: Some("generated response".into()),
            prompt_bytes: 16,
            response_bytes: 18,
            api_key_id: Some(format!("key-{key}")),
            api_key_name: Some(format!("generated key {key}")),
            client_addr: Some("127.0.0.1:50000".into()),
            stream_outcome: None,
            time_to_first_token_ms: None,
            input_tokens: (kind == TaskKind::Llm).then_some(40),
            output_tokens: (kind == TaskKind::Llm).then_some(120),
            tokens_estimated: false,
            delivered: None,
        });
        if batch.len() == batch.capacity() {
            store.write_batch(&batch)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.write_batch(&batch)?;
    }
    let took = started.elapsed();
    println!(
        "generated {count} records over {days} days in {:.1} s ({:.0} records/s)",
        took.as_secs_f64(),
        count as f64 / took.max(Duration::from_millis(1)).as_secs_f64()
    );
    Ok(())
}

/// `secs` since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the audit log's timestamp format.
fn rfc3339(secs: u64, millis: u32) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .map_or_else(String::new, |t| format!("{t}.{millis:03}Z"))
}
