//! `/ws/v1/process` end to end with a real WebSocket client (`tokio-tungstenite`): many tasks
//! on one socket at once, a browser's first-message authentication, bad frames answered
//! without dropping the socket, cancellation that reaches the provider, and the per-key limit.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use praximous_e2e::standin::stream::{StreamScript, whole_text};
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Server, TEST_ADMIN_KEY, client, get};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn gateway(standin: &StandIn, extra: &str) -> anyhow::Result<Server> {
    let config = format!(
        "{extra}\n[identity]\nsensitivity_level = \"Low\"\n\n[routing.rules]\nask = [\"llm\"]\n\n\
         [[providers]]\nname = \"llm\"\ntype = \"openai\"\nmodel = \"m\"\nbase_url = \"{}\"\n",
        standin.base_url
    );
    Server::start_with_config(&config, |_| {})
}

fn ws_url(server: &Server) -> String {
    server.url("/ws/v1/process").replacen("http://", "ws://", 1)
}

async fn connect(server: &Server, key: Option<&str>) -> anyhow::Result<Socket> {
    let mut request = ws_url(server).into_client_request()?;
    if let Some(key) = key {
        request.headers_mut().insert("x-api-key", key.parse()?);
    }
    let (socket, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(socket)
}

async fn send(socket: &mut Socket, frame: Value) -> anyhow::Result<()> {
    socket.send(Message::text(frame.to_string())).await?;
    Ok(())
}

/// The next JSON event (pings are answered by the client itself).
async fn next(socket: &mut Socket) -> anyhow::Result<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await?
            .ok_or_else(|| anyhow::anyhow!("the socket closed"))??;
        match frame {
            Message::Text(text) => return Ok(serde_json::from_str(text.as_str())?),
            Message::Close(frame) => anyhow::bail!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// Events until every one of `ids` has ended (result or error), in arrival order.
async fn until_ended(socket: &mut Socket, ids: &[Value]) -> anyhow::Result<Vec<Value>> {
    let mut events = Vec::new();
    let mut open: Vec<&Value> = ids.iter().collect();
    while !open.is_empty() {
        let event = next(socket).await?;
        if matches!(event["type"].as_str(), Some("result" | "error")) {
            open.retain(|id| **id != event["id"]);
        }
        events.push(event);
    }
    Ok(events)
}

#[tokio::test]
async fn one_socket_runs_many_tasks_at_once() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_stream(StreamScript {
        tokens: 8,
        interval: Duration::from_millis(30),
        ..StreamScript::default()
    });
    let server = gateway(&standin, "")?;
    let mut socket = connect(&server, Some(TEST_ADMIN_KEY)).await?;
    let ids = [json!(1), json!("b"), json!("echo-1")];
    send(
        &mut socket,
        json!({"type": "task", "id": 1, "task_type": "ask", "prompt": "one"}),
    )
    .await?;
    send(
        &mut socket,
        json!({"type": "task", "id": "b", "task_type": "ask", "prompt": "two"}),
    )
    .await?;
    send(
        &mut socket,
        json!({"type": "task", "id": "echo-1", "task_type": "echo", "prompt": "three"}),
    )
    .await?;
    let events = until_ended(&mut socket, &ids).await?;

    let mut by_id: HashMap<String, Vec<&Value>> = HashMap::new();
    for event in &events {
        by_id
            .entry(event["id"].to_string())
            .or_default()
            .push(event);
    }
    for id in ["1", "\"b\""] {
        let own = &by_id[id];
        let kinds: Vec<&str> = own.iter().filter_map(|e| e["type"].as_str()).collect();
        assert_eq!(kinds.first(), Some(&"start"), "{id}: {kinds:?}");
        assert_eq!(kinds.last(), Some(&"result"), "{id}: {kinds:?}");
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == "result" || **k == "error")
                .count(),
            1
        );
        let text: String = own
            .iter()
            .filter(|e| e["type"] == "delta")
            .filter_map(|e| e["text"].as_str())
            .collect();
        assert_eq!(text, whole_text(8), "{id}");
        assert_eq!(own[own.len() - 1]["result"]["text"], whole_text(8));
    }
    let echo = &by_id["\"echo-1\""];
    assert_eq!(echo[echo.len() - 1]["result"]["echoed_prompt"], "three");
    // The two LLM tasks streamed side by side: the first to end did so after the other's
    // first delta.
    let first_end = events
        .iter()
        .position(|e| e["type"] == "result" && e["id"] != "echo-1")
        .unwrap_or_default();
    for id in [json!(1), json!("b")] {
        let first_delta = events
            .iter()
            .position(|e| e["type"] == "delta" && e["id"] == id)
            .unwrap_or(usize::MAX);
        assert!(
            first_delta < first_end,
            "task {id} streamed while the other ran"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_browser_authenticates_first_and_bad_frames_keep_the_socket_open() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    let server = gateway(&standin, "")?;

    // A bad key on the upgrade request is refused before any upgrade.
    let refused = connect(&server, Some("not-a-key-0123456789")).await;
    assert!(
        refused
            .as_ref()
            .err()
            .is_some_and(|e| e.to_string().contains("403")),
        "{:?}",
        refused.err()
    );

    // A first frame that is not `auth`: told so, and closed.
    let mut early = connect(&server, None).await?;
    send(
        &mut early,
        json!({"type": "task", "id": 1, "task_type": "echo", "prompt": "x"}),
    )
    .await?;
    let told = next(&mut early).await?;
    assert_eq!(told["status"], 401, "{told}");
    assert_eq!(told["code"], "not_authenticated");
    assert!(next(&mut early).await.is_err(), "the socket is closed");

    // A wrong key in the auth frame: told so, and closed.
    let mut wrong = connect(&server, None).await?;
    send(
        &mut wrong,
        json!({"type": "auth", "api_key": "wrong-key-0123456789"}),
    )
    .await?;
    let told = next(&mut wrong).await?;
    assert_eq!(told["status"], 403, "{told}");

    let mut socket = connect(&server, None).await?;
    send(
        &mut socket,
        json!({"type": "auth", "api_key": TEST_ADMIN_KEY}),
    )
    .await?;
    socket.send(Message::text("not json")).await?;
    let error = next(&mut socket).await?;
    assert_eq!(
        (error["type"].as_str(), error["status"].as_u64()),
        (Some("error"), Some(400)),
        "{error}"
    );
    socket.send(Message::binary(vec![1, 2, 3])).await?;
    assert_eq!(next(&mut socket).await?["status"], 400);
    send(&mut socket, json!({"type": "launch", "id": 7})).await?;
    let unknown = next(&mut socket).await?;
    assert!(
        unknown["detail"]
            .as_str()
            .is_some_and(|d| d.contains("`launch`")),
        "{unknown}"
    );
    assert_eq!(unknown["id"], 7);
    send(
        &mut socket,
        json!({"type": "task", "id": "v", "task_type": "echo"}),
    )
    .await?;
    let invalid = next(&mut socket).await?;
    assert_eq!(invalid["id"], "v");
    assert_eq!(invalid["status"], 422, "{invalid}");
    assert!(
        invalid["detail"]
            .as_str()
            .is_some_and(|d| d.contains("prompt")),
        "{invalid}"
    );
    // Still open, and working.
    send(
        &mut socket,
        json!({"type": "task", "id": "ok", "task_type": "echo", "prompt": "fine"}),
    )
    .await?;
    let events = until_ended(&mut socket, &[json!("ok")]).await?;
    assert_eq!(events[events.len() - 1]["result"]["echoed_prompt"], "fine");
    Ok(())
}

#[tokio::test]
async fn cancel_stops_the_provider_and_each_key_has_a_stream_limit() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_stream(StreamScript {
        tokens: 500,
        interval: Duration::from_millis(20),
        ..StreamScript::default()
    });
    let server = gateway(&standin, "[server]\nmax_streams_per_key = 2\n")?;
    let mut socket = connect(&server, Some(TEST_ADMIN_KEY)).await?;
    for id in ["a", "b", "c"] {
        send(
            &mut socket,
            json!({"type": "task", "id": id, "task_type": "ask", "prompt": id}),
        )
        .await?;
    }
    // The third is over the key's limit of two.
    let mut request_id = String::new();
    let mut deltas = 0;
    let mut limited = Value::Null;
    while deltas < 3 || limited.is_null() {
        let event = next(&mut socket).await?;
        match (event["id"].as_str(), event["type"].as_str()) {
            (Some("c"), Some("error")) => limited = event,
            (Some("a"), Some("start")) => {
                request_id = event["request_id"].as_str().unwrap_or_default().to_owned();
            }
            (Some("a"), Some("delta")) => deltas += 1,
            _ => {}
        }
    }
    assert_eq!(limited["status"], 429, "{limited}");
    assert!(
        limited["detail"]
            .as_str()
            .is_some_and(|d| d.contains("max_streams_per_key"))
    );

    send(&mut socket, json!({"type": "cancel", "id": "a"})).await?;
    let mut end = Value::Null;
    while end.is_null() {
        let event = next(&mut socket).await?;
        if event["id"] == "a" && event["type"] == "error" {
            end = event;
        }
    }
    assert_eq!(end["code"], "cancelled", "{end}");
    assert_eq!(end["status"], 499);
    assert!(
        end["delivered"]
            .as_str()
            .is_some_and(|d| d.starts_with(&whole_text(3))),
        "{end}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while standin.disconnects() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        standin.disconnects(),
        1,
        "the provider saw the cancelled stream close"
    );
    let mut stored = Value::Null;
    while Instant::now() < deadline {
        let answer = get(
            &client(),
            &server.url(&format!("/api/v1/analytics/{request_id}")),
        )
        .await?;
        if answer.status == 200 {
            stored = answer.json;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored["stream_outcome"], "cancelled", "{stored}");

    // A cancelled stream frees its slot: a new task runs.
    send(
        &mut socket,
        json!({"type": "task", "id": "d", "task_type": "echo", "prompt": "after"}),
    )
    .await?;
    let events = until_ended(&mut socket, &[json!("d")]).await?;
    assert_eq!(
        events
            .iter()
            .rfind(|e| e["id"] == "d")
            .map(|e| e["type"].clone()),
        Some(json!("result"))
    );

    // Closing the socket stops the task still running.
    socket.close(None).await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while standin.disconnects() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        standin.disconnects(),
        2,
        "the provider saw the last stream close"
    );
    Ok(())
}
