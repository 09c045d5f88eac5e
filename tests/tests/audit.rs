//! The audit log and analytics through the real binary: a record for every task request,
//! the original's analytics endpoints and their new filters, aggregates from roll-ups,
//! streamed export, masking, retention, schema versioning, and durability under `kill -9`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Server, client, get, post_json};
use serde_json::{Value, json};

fn config(dir: &Path, extra: &str) -> String {
    let path = dir.join("praximous.toml");
    std::fs::write(&path, extra).unwrap_or_else(|e| panic!("{e}"));
    path.to_str().unwrap_or_default().to_owned()
}

fn start(extra: &str) -> anyhow::Result<(Server, tempfile::TempDir)> {
    let work = tempfile::tempdir()?;
    let cfg = config(work.path(), extra);
    let server = Server::start_in(work.path(), &work.path().join("data"), &["--config", &cfg])?;
    Ok((server, work))
}

async fn process(server: &Server, body: Value) -> u16 {
    post_json(&client(), &server.url("/api/v1/process"), &body)
        .await
        .map(|a| a.status)
        .unwrap_or(0)
}

async fn analytics(server: &Server, query: &str) -> praximous_e2e::Answer {
    get(&client(), &server.url(&format!("/api/v1/analytics{query}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

const MEDIUM: &str = "[identity]\nsensitivity_level = \"Medium\"\n";

#[tokio::test]
async fn every_task_request_leaves_a_record() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Ollama, None).await?;
    let extra = format!(
        "{MEDIUM}\n[routing.rules]\nask = [\"local\"]\n\n[[providers]]\nname = \"local\"\ntype = \"ollama\"\nmodel = \"m\"\nbase_url = \"{}\"\n",
        standin.base_url
    );
    let (server, _work) = start(&extra)?;
    assert_eq!(
        process(&server, json!({"task_type": "echo", "prompt": "hello"})).await,
        200
    );
    assert_eq!(process(&server, json!({"task_type": "simple_math", "prompt": "p", "num1": 1, "num2": 0, "operation": "divide"})).await, 400);
    assert_eq!(
        process(&server, json!({"task_type": "nope", "prompt": "x"})).await,
        404
    );
    assert_eq!(
        process(&server, json!({"task_type": "ask", "prompt": "question"})).await,
        200
    );
    assert_eq!(
        process(&server, json!({"task_type": "echo"})).await,
        422,
        "not a task request: not recorded"
    );

    let page = analytics(&server, "").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.json["total_matches"], 4);
    assert_eq!(page.json["limit"], 50);
    assert_eq!(page.json["offset"], 0);
    let data = page.json["data"].as_array().cloned().unwrap_or_default();
    let by_task = |t: &str| {
        data.iter()
            .find(|r| r["task_type"] == t)
            .cloned()
            .unwrap_or_default()
    };

    let echo = by_task("echo");
    assert_eq!(echo["kind"], "skill");
    assert_eq!(echo["provider"], "skill:echo");
    assert_eq!(echo["skill_version"], "1.0.0");
    assert_eq!(echo["status"], "success");
    assert_eq!(echo["http_status"], 200);
    assert_eq!(echo["prompt"], "hello");
    assert!(
        echo["response_data"]
            .as_str()
            .unwrap_or_default()
            .contains("echoed_prompt")
    );
    assert!(
        echo["client_addr"]
            .as_str()
            .unwrap_or_default()
            .starts_with("127.0.0.1:")
    );
    let ts = echo["timestamp"].as_str().unwrap_or_default();
    assert!(ts.len() == 24 && ts.ends_with('Z'), "UTC RFC 3339: {ts}");

    let math = by_task("simple_math");
    assert_eq!(
        (math["status"].clone(), math["http_status"].clone()),
        (json!("error"), json!(400))
    );
    assert_eq!(
        math["response_data"],
        "Math error (Details: Cannot divide by zero.)"
    );
    let unknown = by_task("nope");
    assert_eq!(
        (unknown["kind"].clone(), unknown["http_status"].clone()),
        (json!("unknown"), json!(404))
    );
    let llm = by_task("ask");
    assert_eq!(llm["kind"], "llm");
    assert_eq!(llm["provider"], "local");
    assert_eq!(
        llm["attempts"][0]["outcome"], "ok",
        "the attempt chain is recorded"
    );

    let id = echo["request_id"].as_str().unwrap_or_default();
    let one = analytics(&server, &format!("/{id}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json["request_id"], id);
    let missing = analytics(&server, "/no-such-id").await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json["detail"],
        "No audit record for request 'no-such-id'."
    );
    Ok(())
}

#[tokio::test]
async fn filters_paging_and_their_errors() -> anyhow::Result<()> {
    let (server, _work) = start(MEDIUM)?;
    for i in 0..7 {
        process(
            &server,
            json!({"task_type": "echo", "prompt": format!("p{i}")}),
        )
        .await;
    }
    for _ in 0..3 {
        process(
            &server,
            json!({"task_type": "text_manipulation", "prompt": "x"}),
        )
        .await;
    }
    let page = analytics(&server, "?limit=3&offset=2&task_type=echo").await;
    assert_eq!(page.json["total_matches"], 7);
    assert_eq!(page.json["data"].as_array().map(Vec::len), Some(3));
    assert_eq!(page.json["data"][0]["prompt"], "p4", "newest first");

    assert_eq!(
        analytics(&server, "?status=error").await.json["total_matches"],
        3
    );
    assert_eq!(
        analytics(&server, "?provider=skill:echo&status=success")
            .await
            .json["total_matches"],
        7
    );
    let today = analytics(&server, "").await.json["data"][0]["timestamp"]
        .as_str()
        .unwrap_or_default()[..10]
        .to_owned();
    assert_eq!(
        analytics(&server, &format!("?start_date={today}&end_date={today}"))
            .await
            .json["total_matches"],
        10
    );
    assert_eq!(
        analytics(&server, "?end_date=2020-01-01").await.json["total_matches"],
        0
    );
    assert_eq!(
        analytics(&server, "?api_key_id=k1").await.json["total_matches"],
        0
    );

    let too_big = analytics(&server, "?limit=501").await;
    assert_eq!(too_big.status, 422);
    assert_eq!(too_big.json["detail"][0]["loc"], json!(["query", "limit"]));
    assert_eq!(analytics(&server, "?limit=0").await.status, 422);
    assert_eq!(analytics(&server, "?offset=-1").await.status, 422);
    let bad_date = analytics(&server, "?start_date=24/11/2026").await;
    assert_eq!(bad_date.status, 400);
    assert_eq!(
        bad_date.json["detail"],
        "Invalid start_date '24/11/2026': use YYYY-MM-DD."
    );
    assert_eq!(analytics(&server, "?status=maybe").await.status, 400);
    Ok(())
}

#[tokio::test]
async fn aggregates_and_export() -> anyhow::Result<()> {
    let (server, _work) = start(MEDIUM)?;
    for _ in 0..4 {
        process(
            &server,
            json!({"task_type": "echo", "prompt": "a,b \"quoted\"\nline"}),
        )
        .await;
    }
    process(
        &server,
        json!({"task_type": "simple_math", "prompt": "p", "num1": 1}),
    )
    .await;

    let over_time = analytics(&server, "/tasks-over-time?granularity=month").await;
    assert_eq!(over_time.status, 200);
    let month = over_time.json["data"][0]["date_group"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(month.len(), 7, "YYYY-MM");
    assert_eq!(over_time.json["data"][0]["count"], 5);
    assert_eq!(
        analytics(&server, "/tasks-over-time?granularity=year")
            .await
            .json["data"][0]["date_group"],
        month[..4]
    );
    let bad = analytics(&server, "/tasks-over-time?granularity=week").await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json["detail"],
        "Invalid granularity. Must be 'day', 'month', or 'year'."
    );

    let per_provider = analytics(&server, "/requests-per-provider").await;
    assert_eq!(
        per_provider.json["data"],
        json!([{"provider_name": "skill:echo", "count": 4}, {"provider_name": "skill:simple_math", "count": 1}])
    );
    let latency = analytics(&server, "/average-latency-per-provider").await;
    assert!(latency.json["data"][0]["average_latency"].is_number());
    let detailed = analytics(&server, "/latency-per-provider").await;
    assert_eq!(detailed.json["data"][1]["error_rate"], 1.0);
    assert!(detailed.json["data"][0]["p95_latency_ms"].is_u64());
    let summary = analytics(&server, "/summary").await;
    assert_eq!(summary.json["total_requests"], 5);
    assert_eq!(summary.json["errors"], 1);
    assert_eq!(
        summary.json["skill_usage"],
        json!([{"skill": "echo", "count": 4}, {"skill": "simple_math", "count": 1}])
    );

    let csv = client()
        .get(server.url("/api/v1/analytics/export?format=csv&task_type=echo"))
        .send()
        .await?;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await?;
    let mut reader_rows = 0;
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => reader_rows += 1,
            _ => {}
        }
    }
    assert_eq!(
        reader_rows, 5,
        "header + 4 rows, quoted fields intact:\n{text}"
    );
    assert!(text.starts_with("id,request_id,timestamp,task_type"));
    assert!(
        text.contains("\"a,b \"\"quoted\"\"\nline\""),
        "CSV quoting: {text}"
    );

    let jsonl = client()
        .get(server.url("/api/v1/analytics/export?format=jsonl"))
        .send()
        .await?;
    assert_eq!(jsonl.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = jsonl
        .text()
        .await?
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["task_type"], "echo", "oldest first");
    assert_eq!(analytics(&server, "/export?format=xml").await.status, 400);
    Ok(())
}

#[tokio::test]
async fn prompts_are_capped_masked_or_not_stored_as_configured() -> anyhow::Result<()> {
    let (capped, _w1) =
        start("[identity]\nsensitivity_level = \"Low\"\n[audit]\nmax_text_bytes = 10\n")?;
    process(
        &capped,
        json!({"task_type": "echo", "prompt": "0123456789abcdef"}),
    )
    .await;
    let record = analytics(&capped, "").await.json["data"][0].clone();
    assert_eq!(record["prompt"], "0123456789… [6 bytes cut]");
    assert_eq!(record["prompt_bytes"], 16);

    let (masked, _w2) = start("[identity]\nsensitivity_level = \"High\"\n")?;
    process(
        &masked,
        json!({"task_type": "echo", "prompt": "my card is 4111 1111 1111 1111"}),
    )
    .await;
    let page = analytics(&masked, "").await;
    assert_eq!(page.json["data"][0]["prompt"], "[masked: 30 bytes]");
    assert!(
        !page.text.contains("4111"),
        "nothing of a High-sensitivity prompt is stored"
    );

    let (off, _w3) = start(
        "[identity]\nsensitivity_level = \"Low\"\n[audit]\nstore_prompts = false\nstore_responses = false\n",
    )?;
    process(&off, json!({"task_type": "echo", "prompt": "secret plan"})).await;
    let record = analytics(&off, "").await.json["data"][0].clone();
    assert_eq!(
        (record["prompt"].clone(), record["response_data"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(record["prompt_bytes"], 11, "sizes are still kept");
    Ok(())
}

#[tokio::test]
async fn retention_purges_old_records_and_older_rollups() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let cfg = config(
        work.path(),
        "[audit]\nretention_days = 30\nrollup_retention_days = 365\npurge_interval_secs = 1\n",
    );
    // First start creates the schema; then age some records by hand.
    let mut first = Server::start_in(work.path(), &data, &["--config", &cfg])?;
    for _ in 0..3 {
        process(&first, json!({"task_type": "echo", "prompt": "x"})).await;
    }
    first.shut_down()?;
    use praximous_e2e::store;
    store::execute(
        &data,
        "UPDATE audit_records SET day = '2020-01-01', ts = '2020-01-01T00:00:00.000Z' WHERE id <= 2",
        &[],
    )?;
    let hundred_days_ago =
        (time::OffsetDateTime::now_utc().date() - time::Duration::days(100)).to_string();
    store::execute(
        &data,
        "INSERT INTO audit_daily (day, task_type, kind, provider, status, requests, latency_sum, latency_hist) VALUES \
         ('2020-01-01', 'echo', 'skill', 'skill:echo', 'success', 2, 2, '[]'), \
         ($1, 'echo', 'skill', 'skill:echo', 'success', 5, 5, '[]')",
        &[&hundred_days_ago],
    )?;

    let second = Server::start_in(work.path(), &data, &["--config", &cfg])?;
    assert!(
        second.wait_for_log(
            "old audit records purged",
            std::time::Duration::from_secs(10)
        ),
        "{}",
        second.log()
    );
    let page = analytics(&second, "").await;
    assert_eq!(
        page.json["total_matches"], 1,
        "records past 30 days are gone, the recent one stays"
    );
    let over_time = analytics(&second, "/tasks-over-time").await;
    let days: Vec<Value> = over_time.json["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        days.len(),
        2,
        "the 100-day-old roll-up is kept (365-day retention), the 2020 one is gone: {days:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_database_from_a_newer_prax_is_refused() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    std::fs::create_dir_all(&data)?;
    if praximous_e2e::store::on_postgres() {
        use praximous_e2e::store::execute;
        execute(
            &data,
            "CREATE TABLE prax_schema_version (version BIGINT NOT NULL)",
            &[],
        )?;
        execute(
            &data,
            "INSERT INTO prax_schema_version (version) VALUES (99)",
            &[],
        )?;
    } else {
        let db = rusqlite::Connection::open(data.join("praximous.db"))?;
        db.pragma_update(None, "user_version", 99)?;
    }
    let output = praximous_e2e::prax_on(&data)?
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .current_dir(work.path())
        .output()?;
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        // The version this prax supports moves with each migration; the message names it.
        err.contains("the database has schema version 99, newer than this prax supports (")
            && err.contains("run the newer prax"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn after_kill_9_under_load_every_answered_request_has_its_record() -> anyhow::Result<()> {
    every_answered_request_survives_kill_9(MEDIUM).await
}

#[tokio::test]
async fn with_power_loss_durability_kill_9_loses_no_answered_request_either() -> anyhow::Result<()>
{
    every_answered_request_survives_kill_9(&format!(
        "{MEDIUM}\n[audit]\ndurability = \"power_loss\"\n"
    ))
    .await
}

/// Answers under load from eight clients, `kill -9`, restart: every answered request has its
/// record (SQLite: the journal, or group commit; PostgreSQL: group commit).
async fn every_answered_request_survives_kill_9(extra: &str) -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let cfg = config(work.path(), extra);
    let server = Arc::new(std::sync::Mutex::new(Server::start_in(
        work.path(),
        &data,
        &["--config", &cfg],
    )?));
    let url = server
        .lock()
        .map(|s| s.url("/api/v1/process"))
        .unwrap_or_default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (url, stop) = (url.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let c = client();
            let mut answered = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({"task_type": "echo", "prompt": format!("w{w}-{n}")});
                match post_json(&c, &url, &body).await {
                    Ok(a) if a.status == 200 => {
                        answered.push(a.json["request_id"].as_str().unwrap_or_default().to_owned())
                    }
                    _ => break,
                }
            }
            answered
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // SIGKILL: no shutdown, no flush.
    if let Ok(mut s) = server.lock() {
        s.stop();
    }
    stop.store(true, Ordering::Relaxed);
    let mut answered = Vec::new();
    for w in workers {
        answered.extend(w.await?);
    }
    assert!(
        answered.len() > 100,
        "load was real: {} answers",
        answered.len()
    );

    let restarted = Server::start_in(work.path(), &data, &["--config", &cfg])?;
    if !praximous_e2e::store::on_postgres() {
        let db = rusqlite::Connection::open(data.join("praximous.db"))?;
        let integrity: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        assert_eq!(integrity, "ok", "the database opens clean");
    }
    let mut missing = 0;
    for id in &answered {
        let found = praximous_e2e::store::query(
            &data,
            "SELECT CAST(COUNT(*) AS TEXT) FROM audit_records WHERE request_id = $1",
            &[id],
        )?;
        if found != [vec![Some("1".to_owned())]] {
            missing += 1;
        }
    }
    assert_eq!(
        missing,
        0,
        "{missing} of {} answered requests have no record",
        answered.len()
    );
    assert_eq!(analytics(&restarted, "?limit=1").await.status, 200);
    Ok(())
}
