//! `prax store copy` and `prax store migrate`: an installation moved from SQLite to
//! PostgreSQL keeps its audit log, roll-ups, keys and installation secrets; a destination that
//! is not empty is refused and left as it was.

use std::path::Path;
use std::process::Output;

use praximous_e2e::standin::embed::Embedding;
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{
    Server, TEST_ADMIN_KEY, available_or_skip, client, client_with_key, get, post_json,
    prax_binary, store,
};
use serde_json::{Value, json};

fn prax(work: &Path, args: &[&str]) -> anyhow::Result<Output> {
    Ok(std::process::Command::new(prax_binary())
        .current_dir(work)
        .env_remove("PRAXIMOUS_CONFIG")
        .env_remove("PRAXIMOUS_STORE_URL")
        .args(args)
        .output()?)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Everything an operator would compare: the export (every record), the roll-up answers,
/// the keys as listed.
async fn what_it_serves(server: &Server) -> anyhow::Result<(String, Value, Value, Value)> {
    let export = client()
        .get(server.url("/api/v1/analytics/export?format=csv"))
        .send()
        .await?
        .text()
        .await?;
    let over_time = get(&client(), &server.url("/api/v1/analytics/tasks-over-time")).await?;
    let usage = get(
        &client(),
        &server.url("/api/v1/analytics/latency-per-provider"),
    )
    .await?;
    let keys = get(&client(), &server.url("/api/v1/keys")).await?;
    Ok((export, over_time.json, usage.json, keys.json))
}

async fn add_document(server: &Server, name: &str, text: &str) -> anyhow::Result<u16> {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()),
    );
    let response = client()
        .post(server.url("/api/v1/knowledge/collections/policies/documents"))
        .multipart(form)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// The documents of the passages found for `query` (searched by `mode`), best first.
async fn passages(server: &Server, query: &str, mode: &str) -> anyhow::Result<Vec<String>> {
    let answer = post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/search"),
        &json!({"query": query, "mode": mode}),
    )
    .await?;
    anyhow::ensure!(answer.status == 200, "{}", answer.text);
    Ok(answer.json["passages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["document"].as_str().unwrap_or_default().to_owned())
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_from_sqlite_to_postgres_with_its_audit_log() -> anyhow::Result<()> {
    let cluster = store::postgres_cluster();
    if !available_or_skip(cluster.is_none().then(|| {
        format!(
            "no PostgreSQL cluster: run under tools/postgres.sh run -- (make test does), which sets {}",
            store::POSTGRES_URL_ENV
        )
    })) {
        return Ok(());
    }
    let cluster = cluster.unwrap_or_default();
    let work = tempfile::tempdir()?;
    let work = work.path();
    let data = work.join("data");
    let sqlite = format!("sqlite:{}", data.join("praximous.db").display());
    // Its knowledge base is searched by meaning too: vectors are copied with the rows.
    let embedder = StandIn::start(Flavour::Openai, None).await?;
    embedder.set_embedding(Embedding::Concepts);
    let config = work.join("praximous.toml");
    std::fs::write(
        &config,
        praximous_e2e::knowledge::embedding_config(&embedder.base_url, "concepts-v1"),
    )?;
    let config = config.display().to_string();

    // An installation on SQLite with records of successes and errors, and a key.
    let mut on_sqlite = Server::start_with_env(
        work,
        &data,
        &["--config", &config],
        &[
            ("PRAXIMOUS_API_KEYS", Some(TEST_ADMIN_KEY)),
            ("PRAXIMOUS_STORE_URL", Some(&sqlite)),
        ],
    )?;
    let made = post_json(
        &client(),
        &on_sqlite.url("/api/v1/keys"),
        &json!({"name": "kept", "role": "user"}),
    )
    .await?;
    assert_eq!(made.status, 201, "{}", made.text);
    let key = made.json["key"].as_str().unwrap_or_default().to_owned();
    for n in 0..30 {
        let task = if n % 5 == 0 {
            json!({"task_type": "simple_math", "prompt": "1 / 0"})
        } else {
            json!({"task_type": "echo", "prompt": format!("record {n}")})
        };
        post_json(
            &client_with_key(Some(&key)),
            &on_sqlite.url("/api/v1/process"),
            &task,
        )
        .await?;
    }
    // A knowledge base with a document in it.
    let collection = post_json(
        &client(),
        &on_sqlite.url("/api/v1/knowledge/collections"),
        &json!({"name": "policies"}),
    )
    .await?;
    assert_eq!(collection.status, 201, "{}", collection.text);
    assert_eq!(
        add_document(
            &on_sqlite,
            "leave.md",
            "# Leave\n\nTwenty-five days of annual leave.\n"
        )
        .await?,
        201
    );
    let before = what_it_serves(&on_sqlite).await?;
    on_sqlite.shut_down()?;

    let records: i64 = rusqlite::Connection::open(data.join("praximous.db"))?.query_row(
        "SELECT COUNT(*) FROM audit_records",
        [],
        |row| row.get(0),
    )?;
    assert!(records >= 30, "every task left a record: {records}");
    // A vendor's sale waiting for its customer's e-mail: its empty columns stay empty.
    rusqlite::Connection::open(data.join("praximous.db"))?.execute(
        "INSERT INTO commerce_licences (licence_id, transaction_id, customer_id, terms, created_at) \
         VALUES ('lic_txn_1', 'txn_1', 'ctm_1', '{}', '2026-12-01T00:00:00.000000Z')",
        [],
    )?;

    let postgres = store::fresh_database(&cluster)?;
    let copied = prax(
        work,
        &["store", "copy", "--from", &sqlite, "--to", &postgres],
    )?;
    assert!(copied.status.success(), "{}", text(&copied));
    assert!(
        text(&copied).contains(&format!("audit_records: {records} rows")),
        "{}",
        text(&copied)
    );

    assert!(
        text(&copied).contains("commerce_licences: 1 rows"),
        "{}",
        text(&copied)
    );
    let sale = store::run_on(&postgres, |client| async move {
        let row = client
            .query_one(
                "SELECT transaction_id, email IS NULL, licence_key IS NULL FROM commerce_licences",
                &[],
            )
            .await?;
        Ok((
            row.get::<_, String>(0),
            row.get::<_, bool>(1),
            row.get::<_, bool>(2),
        ))
    })?;
    assert_eq!(sale, ("txn_1".to_owned(), true, true));

    // Served from PostgreSQL, the installation answers exactly as before, and its key works.
    let on_postgres = Server::start_with_env(
        work,
        &work.join("elsewhere"),
        &["--config", &config],
        &[
            ("PRAXIMOUS_API_KEYS", Some(TEST_ADMIN_KEY)),
            ("PRAXIMOUS_STORE_URL", Some(&postgres)),
        ],
    )?;
    let after = what_it_serves(&on_postgres).await?;
    assert_eq!(before.0, after.0, "the exported audit log is the same");
    assert_eq!(before.1, after.1, "tasks over time are the same");
    assert_eq!(before.2, after.2, "usage by provider is the same");
    assert_eq!(
        before.3, after.3,
        "the keys are the same, the environment key's id too"
    );
    let served = post_json(
        &client_with_key(Some(&key)),
        &on_postgres.url("/api/v1/process"),
        &json!({"task_type": "echo", "prompt": "after the move"}),
    )
    .await?;
    assert_eq!(served.status, 200, "{}", served.text);
    // The knowledge base came along (its index is rebuilt from the rows on this new data
    // directory), and takes new documents after the copied change log.
    assert_eq!(
        passages(&on_postgres, "annual leave", "lexical").await?,
        ["leave.md"],
        "the copied document is found"
    );
    assert_eq!(
        passages(&on_postgres, "vacation", "vector").await?,
        ["leave.md"],
        "its copied vectors are searched"
    );
    assert_eq!(
        add_document(
            &on_postgres,
            "travel.md",
            "# Travel\n\nBook trains for annual offsites.\n"
        )
        .await?,
        201
    );
    assert_eq!(
        passages(&on_postgres, "annual", "lexical").await?.len(),
        2,
        "both documents are found"
    );
    drop(on_postgres);

    // A second copy into the same database is refused, and changes nothing.
    let again = prax(
        work,
        &["store", "copy", "--from", &sqlite, "--to", &postgres],
    )?;
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(
        text(&again).contains("the destination is not empty")
            && text(&again).contains("empty database"),
        "{}",
        text(&again)
    );
    let counted = store::run_on(&postgres, |client| async move {
        Ok(client
            .query_one("SELECT COUNT(*) FROM audit_records", &[])
            .await?
            .get::<_, i64>(0))
    })?;
    // The copy, the one task served since, and the three knowledge searches (each audited).
    assert_eq!(
        counted,
        records + 1 + 3,
        "the copy and the requests served since"
    );

    // A source that does not exist is named, not created.
    let missing = prax(
        work,
        &[
            "store",
            "copy",
            "--from",
            "sqlite:nowhere/praximous.db",
            "--to",
            &postgres,
        ],
    )?;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing).contains("no such database"),
        "{}",
        text(&missing)
    );
    assert!(!work.join("nowhere").exists());

    // `prax store migrate` brings a new database to the current schema and says so.
    let fresh = store::fresh_database(&cluster)?;
    let migrated = std::process::Command::new(prax_binary())
        .current_dir(work)
        .env("PRAXIMOUS_STORE_URL", &fresh)
        .args(["store", "migrate"])
        .output()?;
    assert!(migrated.status.success(), "{}", text(&migrated));
    assert!(
        text(&migrated).contains("schema is current"),
        "{}",
        text(&migrated)
    );
    let version = store::run_on(&fresh, |client| async move {
        Ok(client
            .query_one("SELECT version FROM prax_schema_version", &[])
            .await?
            .get::<_, i64>(0))
    })?;
    assert!(version >= 1);
    Ok(())
}
