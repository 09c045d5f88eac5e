//! What a caller with a valid key could do to the server, and how it is bounded, through the
//! real binary: caller-controlled fields that are stored, exports a spreadsheet would run,
//! exports nobody reads, public routes answered to HEAD.

use std::time::Duration;

use praximous_e2e::{Server, TEST_ADMIN_KEY, client, client_with_key, get, post_json};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn task_types_no_skill_or_route_could_have_are_refused_and_never_stored() -> anyhow::Result<()>
{
    let server = Server::start()?;
    let c = client();
    for (task_type, kind) in [
        ("x".repeat(10_000), "string_too_long"),
        (
            "echo\nINFO forged log line".to_owned(),
            "string_pattern_mismatch",
        ),
        (String::new(), "string_too_short"),
    ] {
        let answer = post_json(
            &c,
            &server.url("/api/v1/process"),
            &json!({"task_type": task_type, "prompt": "hi"}),
        )
        .await?;
        assert_eq!(answer.status, 422, "{}", answer.text);
        assert_eq!(answer.json["code"], "validation_failed");
        assert_eq!(answer.json["detail"][0]["type"], kind);
        assert_eq!(
            answer.json["detail"][0]["loc"],
            json!(["body", "task_type"])
        );
        assert!(
            answer.text.len() < 2_000,
            "the answer does not echo it whole"
        );
    }
    let records = get(&c, &server.url("/api/v1/analytics")).await?;
    assert_eq!(records.json["total_matches"], 0, "nothing was recorded");
    let fine = post_json(
        &c,
        &server.url("/api/v1/process"),
        &json!({"task_type": "echo", "prompt": "hi"}),
    )
    .await?;
    assert_eq!(fine.status, 200, "{}", fine.text);
    Ok(())
}

#[tokio::test]
async fn csv_exports_neutralise_cells_a_spreadsheet_would_run() -> anyhow::Result<()> {
    let server = Server::start_with_config("[identity]\nsensitivity_level = \"Low\"\n", |_| {})?;
    let c = client();
    let formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
    let answer = post_json(
        &c,
        &server.url("/api/v1/process"),
        &json!({"task_type": "echo", "prompt": formula}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let csv = c
        .get(server.url("/api/v1/analytics/export?format=csv"))
        .send()
        .await?
        .text()
        .await?;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers()?.clone();
    let prompt_column = headers
        .iter()
        .position(|h| h == "prompt")
        .ok_or_else(|| anyhow::anyhow!("no prompt column in {csv}"))?;
    let row = reader
        .records()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no record in {csv}"))??;
    assert_eq!(&row[prompt_column], format!("'{formula}"));
    // JSON Lines is data, not a spreadsheet: it keeps the text as it was.
    let jsonl = c
        .get(server.url("/api/v1/analytics/export?format=jsonl"))
        .send()
        .await?
        .text()
        .await?;
    let record: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap_or("{}"))?;
    assert_eq!(record["prompt"], formula);
    Ok(())
}

#[tokio::test]
async fn an_export_nobody_reads_is_stopped_after_the_stall_timeout() -> anyhow::Result<()> {
    let server = Server::start_with_config(
        "[identity]\nsensitivity_level = \"Low\"\n\n[audit]\nmax_text_bytes = 1048576\nexport_stall_timeout_ms = 300\n",
        |_| {},
    )?;
    let c = client();
    // About 20 MB of records: more than the socket buffers and the export's channel hold.
    let prompt = "x".repeat(200_000);
    for _ in 0..50 {
        let answer = post_json(
            &c,
            &server.url("/api/v1/process"),
            &json!({"task_type": "echo", "prompt": prompt}),
        )
        .await?;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    let address = server.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await?;
    stream
        .write_all(
            format!(
                "GET /api/v1/analytics/export?format=csv HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {TEST_ADMIN_KEY}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut first = [0u8; 64];
    let read = stream.read(&mut first).await?;
    assert!(
        String::from_utf8_lossy(&first[..read]).starts_with("HTTP/1.1 200"),
        "the export started"
    );
    // Then read nothing more, holding the connection open.
    assert!(
        server.wait_for_log(
            "export stopped: the client took no data for the stall timeout",
            Duration::from_secs(20)
        ),
        "the stalled export was stopped:\n{}",
        server.log()
    );
    drop(stream);
    let health = get(&c, &server.url("/healthz")).await?;
    assert_eq!(health.status, 200);
    Ok(())
}

#[tokio::test]
async fn public_routes_answer_head_without_a_key() -> anyhow::Result<()> {
    let server = Server::start()?;
    let anonymous = client_with_key(None);
    let head = anonymous.head(server.url("/healthz")).send().await?;
    assert_eq!(head.status(), 200);
    let protected = anonymous
        .head(server.url("/api/v1/analytics"))
        .send()
        .await?;
    assert_eq!(protected.status(), 401, "protected routes still want a key");
    Ok(())
}
