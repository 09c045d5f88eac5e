//! Versioned schema migrations, applied at start-up, tracked in SQLite's `user_version`.

/// The migrations, in order; the schema version is the number applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: the audit log and its daily roll-up.
    r#"
    CREATE TABLE audit_records (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        ts TEXT NOT NULL,
        day TEXT NOT NULL,
        task_type TEXT NOT NULL,
        kind TEXT NOT NULL,
        provider TEXT,
        skill_version TEXT,
        attempts TEXT,
        status TEXT NOT NULL,
        http_status INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL,
        prompt TEXT,
        response_data TEXT,
        prompt_bytes INTEGER NOT NULL,
        response_bytes INTEGER NOT NULL,
        api_key_id TEXT,
        client_addr TEXT
    );
    CREATE INDEX audit_records_ts ON audit_records (ts);
    CREATE INDEX audit_records_day ON audit_records (day);
    CREATE INDEX audit_records_task_ts ON audit_records (task_type, ts);
    CREATE INDEX audit_records_provider_ts ON audit_records (provider, ts);
    CREATE TABLE audit_daily (
        day TEXT NOT NULL,
        task_type TEXT NOT NULL,
        kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        status TEXT NOT NULL,
        requests INTEGER NOT NULL,
        latency_sum INTEGER NOT NULL,
        latency_hist TEXT NOT NULL,
        PRIMARY KEY (day, task_type, kind, provider, status)
    );
    "#,
];

/// The schema version this binary writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}
