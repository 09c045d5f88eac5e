//! Versioned schema migrations of the database (audit log, API keys), applied at start-up,
//! tracked in SQLite's `user_version`.

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
    // 2: API keys; audit records name the key; roll-ups gain the key as a dimension so that
    // aggregates filter by it (SQLite cannot change a primary key in place: rebuild the table).
    r#"
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        rate_limit_per_minute INTEGER
    );
    ALTER TABLE audit_records ADD COLUMN api_key_name TEXT;
    CREATE INDEX audit_records_key_ts ON audit_records (api_key_id, ts);
    CREATE TABLE audit_daily_v2 (
        day TEXT NOT NULL,
        task_type TEXT NOT NULL,
        kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        status TEXT NOT NULL,
        api_key_id TEXT NOT NULL DEFAULT '',
        requests INTEGER NOT NULL,
        latency_sum INTEGER NOT NULL,
        latency_hist TEXT NOT NULL,
        PRIMARY KEY (day, task_type, kind, provider, status, api_key_id)
    );
    INSERT INTO audit_daily_v2 (day, task_type, kind, provider, status, api_key_id, requests, latency_sum, latency_hist)
        SELECT day, task_type, kind, provider, status, '', requests, latency_sum, latency_hist FROM audit_daily;
    DROP TABLE audit_daily;
    ALTER TABLE audit_daily_v2 RENAME TO audit_daily;
    "#,
    // 3: secrets of this installation, shared by every process on the database (e.g. the key
    // that makes environment API keys' ids reveal nothing about the keys).
    r#"
    CREATE TABLE installation_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    "#,
    // 4: streamed answers (how they ended, time to first token, what was delivered) and
    // token counts.
    r#"
    ALTER TABLE audit_records ADD COLUMN stream_outcome TEXT;
    ALTER TABLE audit_records ADD COLUMN ttft_ms INTEGER;
    ALTER TABLE audit_records ADD COLUMN input_tokens INTEGER;
    ALTER TABLE audit_records ADD COLUMN output_tokens INTEGER;
    ALTER TABLE audit_records ADD COLUMN tokens_estimated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE audit_records ADD COLUMN delivered TEXT;
    "#,
    // 5: what a key may use (JSON of `auth::KeyScope`; NULL: unlimited).
    r#"
    ALTER TABLE api_keys ADD COLUMN scope TEXT;
    "#,
    // 6: licensing's first uses (the evaluation's start, each licence's activation).
    r#"
    CREATE TABLE license_facts (
        name TEXT PRIMARY KEY,
        at TEXT NOT NULL
    );
    "#,
    // 7: the vendor's sales (Paddle webhooks): events applied, customers, subscriptions,
    // licences issued and their e-mail.
    r#"
    CREATE TABLE commerce_events (
        event_id TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE TABLE commerce_customers (
        customer_id TEXT PRIMARY KEY,
        email TEXT,
        name TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE commerce_subscriptions (
        subscription_id TEXT PRIMARY KEY,
        customer_id TEXT,
        status TEXT NOT NULL,
        scheduled_change TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE commerce_licences (
        licence_id TEXT PRIMARY KEY,
        transaction_id TEXT NOT NULL UNIQUE,
        customer_id TEXT NOT NULL,
        subscription_id TEXT,
        terms TEXT NOT NULL,
        email TEXT,
        name TEXT,
        created_at TEXT NOT NULL,
        licence_key TEXT,
        issued_at TEXT,
        mail_due_at TEXT,
        mailed_at TEXT,
        mail_error TEXT
    );
    CREATE INDEX commerce_licences_due ON commerce_licences (mail_due_at) WHERE mailed_at IS NULL;
    "#,
    // 8: the admin audit log, a hash chain.
    r#"
    CREATE TABLE admin_audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before_values TEXT,
        after_values TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX admin_audit_at ON admin_audit (at);
    "#,
    // 9: single sign-on: users, their sessions, sign-ins under way, and personal keys.
    r#"
    ALTER TABLE api_keys ADD COLUMN owner TEXT;
    CREATE INDEX api_keys_owner ON api_keys (owner) WHERE owner IS NOT NULL;
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        issuer TEXT NOT NULL,
        subject TEXT NOT NULL,
        email TEXT,
        name TEXT,
        groups TEXT,
        mapped_role TEXT,
        role_override TEXT,
        role TEXT,
        role_granted_at TEXT,
        role_granted_by TEXT,
        disabled_at TEXT,
        disabled_by TEXT,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        UNIQUE (issuer, subject)
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        id_token TEXT
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE INDEX sessions_expiry ON sessions (expires_at);
    CREATE TABLE sso_sign_ins (
        state TEXT PRIMARY KEY,
        binding TEXT NOT NULL,
        nonce TEXT NOT NULL,
        verifier TEXT NOT NULL,
        return_to TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    "#,
    // 10: the knowledge base. The rows are the truth; search indexes are derived from them and
    // follow `knowledge_changes`.
    r#"
    CREATE TABLE knowledge_collections (
        name TEXT PRIMARY KEY,
        uid TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE knowledge_documents (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        media_type TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        tags TEXT NOT NULL,
        date TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (collection, id)
    );
    CREATE TABLE knowledge_chunks (
        collection TEXT NOT NULL,
        document TEXT NOT NULL,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        heading_path TEXT NOT NULL,
        page INTEGER,
        hash TEXT NOT NULL,
        PRIMARY KEY (collection, document, position)
    );
    CREATE TABLE knowledge_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        document TEXT NOT NULL
    );
    CREATE INDEX knowledge_changes_collection ON knowledge_changes (collection, seq);
    "#,
    // 11: search by meaning. A collection records the embedding model and dimension its vectors
    // were made with; vectors are kept per passage text (by hash), so an unchanged passage of a
    // replaced document keeps its vector, and a new model's vectors can be made beside the old
    // ones while those still serve.
    r#"
    ALTER TABLE knowledge_collections ADD COLUMN embedding_route TEXT;
    ALTER TABLE knowledge_collections ADD COLUMN embedding_model TEXT;
    ALTER TABLE knowledge_collections ADD COLUMN dimension INTEGER;
    CREATE TABLE knowledge_vectors (
        collection TEXT NOT NULL,
        model TEXT NOT NULL,
        hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (collection, model, hash)
    );
    CREATE INDEX knowledge_chunks_hash ON knowledge_chunks (collection, hash);
    "#,
    // 12: a compact change log. Each document keeps only its latest entry; the entries of
    // deleted documents are dropped after `[knowledge] forget_deleted_after_hours`, and the
    // collection's `log_floor` records the last entry dropped so, so that an index older than
    // it is rebuilt rather than caught up on a log that no longer says what was deleted.
    r#"
    ALTER TABLE knowledge_changes ADD COLUMN at TEXT;
    ALTER TABLE knowledge_collections ADD COLUMN log_floor INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX knowledge_changes_document ON knowledge_changes (collection, document);
    DELETE FROM knowledge_changes WHERE seq < (
        SELECT MAX(later.seq) FROM knowledge_changes later
        WHERE later.collection = knowledge_changes.collection
          AND later.document = knowledge_changes.document
    );
    "#,
    // 13: old records are purged by `ts`, whose index every listing uses; `day`'s own index
    // only cost each write a B-tree more.
    r#"
    DROP INDEX audit_records_day;
    "#,
];

/// The schema version this binary writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn a_version_1_database_keeps_its_records_and_rollups() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("praximous.db");
        {
            let conn = rusqlite::Connection::open(&path)?;
            conn.execute_batch(MIGRATIONS[0])?;
            conn.pragma_update(None, "user_version", 1)?;
            conn.execute_batch(
                "INSERT INTO audit_daily VALUES ('2026-11-01', 'echo', 'skill', 'skill:echo', 'success', 7, 21, '{}');
                 INSERT INTO audit_records (request_id, ts, day, task_type, kind, status, http_status, latency_ms,
                     prompt_bytes, response_bytes, api_key_id)
                 VALUES ('r1', '2026-11-01T00:00:00.000Z', '2026-11-01', 'echo', 'skill', 'success', 200, 3, 1, 1, 'k');",
            )?;
        }
        let conn = crate::store::sqlite::open(&path)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(version, super::latest());
        let rollup: (i64, String) = conn.query_row(
            "SELECT requests, api_key_id FROM audit_daily WHERE task_type = 'echo'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(rollup, (7, String::new()));
        let record: (String, Option<String>) = conn.query_row(
            "SELECT api_key_id, api_key_name FROM audit_records WHERE request_id = 'r1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(record, ("k".into(), None));
        let keys: i64 = conn.query_row("SELECT COUNT(*) FROM api_keys", [], |r| r.get(0))?;
        assert_eq!(keys, 0);
        Ok(())
    }
}
