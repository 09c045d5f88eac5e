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

/// Read from `stream` until it closes or `wait` passes; what was read, and whether it closed.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, wait: Duration) -> (String, bool) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), false),
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into_owned(), true),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn slow_and_idle_clients_are_disconnected() -> anyhow::Result<()> {
    let server = Server::start_with_config(
        "[server]\nheader_read_timeout_ms = 400\nbody_read_timeout_ms = 400\n",
        |_| {},
    )?;
    let address = server.base_url.trim_start_matches("http://").to_owned();

    // Headers that never finish.
    let mut slow = tokio::net::TcpStream::connect(&address).await?;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await?;
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(
        closed,
        "a client that never finishes its headers is cut off"
    );

    // A keep-alive connection left idle after its answer.
    let mut idle = tokio::net::TcpStream::connect(&address).await?;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await?;
    let (answer, closed) = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle keep-alive connection is closed");

    // A body that stops arriving.
    let mut stalled = tokio::net::TcpStream::connect(&address).await?;
    stalled
        .write_all(
            format!(
                "POST /api/v1/process HTTP/1.1\r\nHost: x\r\nX-API-Key: {TEST_ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"task_type\""
            )
            .as_bytes(),
        )
        .await?;
    let (answer, _) = read_until_closed(&mut stalled, Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "a stalled body is answered with a client error, not waited for: {answer}"
    );
    let health = get(&client(), &server.url("/healthz")).await?;
    assert_eq!(health.status, 200, "and the server serves on");
    Ok(())
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() -> anyhow::Result<()> {
    let server = Server::start_with_config("[server]\nmax_connections = 2\n", |_| {})?;
    let address = server.base_url.trim_start_matches("http://").to_owned();
    let first = tokio::net::TcpStream::connect(&address).await?;
    let _second = tokio::net::TcpStream::connect(&address).await?;
    let mut third = tokio::net::TcpStream::connect(&address).await?;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await?;
    let (answer, _) = read_until_closed(&mut third, Duration::from_millis(800)).await;
    assert!(answer.is_empty(), "served past the cap: {answer}");
    assert!(
        server.wait_for_log(
            "open connections at [server] max_connections",
            Duration::from_secs(5)
        ),
        "{}",
        server.log()
    );
    drop(first);
    let (answer, _) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "served once a slot freed: {answer}"
    );
    Ok(())
}

#[tokio::test]
async fn requests_refused_before_any_handler_still_get_the_json_error_shape() -> anyhow::Result<()>
{
    let server = Server::start()?;
    // A repeated query parameter is refused by the query parser itself.
    let answer = get(
        &client(),
        &server.url("/api/v1/analytics?status=error&status=success"),
    )
    .await?;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.json["code"], "bad_request", "{}", answer.text);
    assert!(
        answer.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("status"),
        "{}",
        answer.text
    );
    Ok(())
}
