//! Streaming end to end: a real SSE client (`eventsource-stream`) against the real binary,
//! which streams from stand-in providers that write each provider's real streaming bytes, with
//! faults before and after the first token; and a skill's `output.emit` chunks as deltas.

use std::time::{Duration, Instant};

use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use praximous_e2e::standin::stream::{StreamFault, StreamScript, whole_text};
use praximous_e2e::standin::{Fault, Flavour, StandIn};
use praximous_e2e::{Server, client, component, get, install_skill};
use serde_json::{Value, json};

/// A stand-in provider's `[[providers]]` entry, with `extra` lines.
fn provider(name: &str, kind: &str, standin: &StandIn, extra: &str) -> String {
    format!(
        "\n[[providers]]\nname = \"{name}\"\ntype = \"{kind}\"\nmodel = \"{kind}-model\"\nbase_url = \"{}\"\ntimeout_ms = 2000\n{extra}",
        standin.base_url
    )
}

fn gateway(rules: &str, providers: &[String]) -> anyhow::Result<Server> {
    // Sensitivity Low: the audit record keeps the text, for the tests to compare.
    let mut config = format!(
        "[identity]\nsensitivity_level = \"Low\"\n\n[routing]\nretry_backoff_ms = 10\n\n[routing.rules]\n{rules}"
    );
    for entry in providers {
        config.push_str(entry);
    }
    Server::start_with_config(&config, |_| {})
}

/// Events of one streamed request, as (name, data) pairs, read to the end.
async fn stream(
    server: &Server,
    body: Value,
    by_header: bool,
) -> anyhow::Result<Vec<(String, Value)>> {
    let mut request = client().post(server.url("/api/v1/process")).json(&body);
    if by_header {
        request = request.header("accept", "text/event-stream");
    }
    let response = request.send().await?;
    anyhow::ensure!(response.status() == 200, "status {}", response.status());
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let mut events = Vec::new();
    let mut source = response.bytes_stream().eventsource();
    while let Some(event) = source.next().await {
        let event = event?;
        events.push((event.event, serde_json::from_str(&event.data)?));
    }
    Ok(events)
}

fn names(events: &[(String, Value)]) -> Vec<&str> {
    let mut names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    names.dedup();
    names
}

fn delivered(events: &[(String, Value)]) -> String {
    events
        .iter()
        .filter(|(n, _)| n == "delta")
        .map(|(_, d)| d["text"].as_str().unwrap_or_default())
        .collect()
}

async fn record(server: &Server, request_id: &str) -> anyhow::Result<Value> {
    // The record is committed before the last event is sent.
    let answer = get(
        &client(),
        &server.url(&format!("/api/v1/analytics/{request_id}")),
    )
    .await?;
    anyhow::ensure!(answer.status == 200, "{}", answer.text);
    Ok(answer.json)
}

#[tokio::test]
async fn each_provider_streams_its_own_format_to_an_sse_caller() -> anyhow::Result<()> {
    let mut entries = Vec::new();
    let mut standins = Vec::new();
    for (flavour, kind) in [
        (Flavour::Openai, "openai"),
        (Flavour::Anthropic, "anthropic"),
        (Flavour::Gemini, "gemini"),
        (Flavour::Ollama, "ollama"),
    ] {
        let standin = StandIn::start(flavour, None).await?;
        // Frames cut in two, inside a two-byte character.
        standin.set_stream(StreamScript {
            split_frames: true,
            ..StreamScript::default()
        });
        entries.push(provider(kind, kind, &standin, ""));
        standins.push((kind, standin));
    }
    let rules: String = standins
        .iter()
        .map(|(kind, _)| format!("ask_{kind} = [\"{kind}\"]\n"))
        .collect();
    let server = gateway(&rules, &entries)?;
    for (i, (kind, standin)) in standins.iter().enumerate() {
        let body = json!({"task_type": format!("ask_{kind}"), "prompt": "Say eight words."});
        // Half the callers ask by header, half by `"stream": true`.
        let by_header = i % 2 == 0;
        let body = if by_header {
            body
        } else {
            json!({"stream": true, "task_type": body["task_type"], "prompt": body["prompt"]})
        };
        let events = stream(&server, body, by_header).await?;
        assert_eq!(
            names(&events),
            ["start", "delta", "result"],
            "{kind}: {events:?}"
        );
        assert_eq!(delivered(&events), whole_text(8), "{kind}");
        let indexes: Vec<u64> = events
            .iter()
            .filter(|(n, _)| n == "delta")
            .filter_map(|(_, d)| d["index"].as_u64())
            .collect();
        assert_eq!(
            indexes,
            (0..indexes.len() as u64).collect::<Vec<_>>(),
            "{kind}"
        );
        let (_, result) = &events[events.len() - 1];
        assert_eq!(result["status"], "success", "{kind}");
        assert_eq!(result["result"]["text"], whole_text(8), "{kind}");
        assert_eq!(result["result"]["provider"], *kind);
        assert_eq!(result["result"]["finish_reason"], "stop", "{kind}");
        assert_eq!(result["result"]["usage"]["output_tokens"], 8, "{kind}");
        let request_id = events[0].1["request_id"].as_str().unwrap_or_default();
        assert_eq!(result["request_id"], request_id);
        let stored = record(&server, request_id).await?;
        assert_eq!(stored["stream_outcome"], "completed", "{kind}: {stored}");
        assert_eq!(stored["output_tokens"], 8);
        assert_eq!(stored["tokens_estimated"], false);
        assert!(stored["time_to_first_token_ms"].is_u64(), "{stored}");
        assert_eq!(stored["delivered"], whole_text(8));
        assert!(standin.problems().is_empty(), "{:?}", standin.problems());
        // Gemini streams by its endpoint (`streamGenerateContent`); the others by `stream: true`.
        let asked = standin.requests()[0]["stream"].as_bool();
        assert_eq!(asked, (*kind != "gemini").then_some(true), "{kind}");
    }
    // The metrics count each stream's outcome and time to its first token.
    let metrics = get(&client(), &server.url("/metrics")).await?;
    assert!(
        metrics
            .text
            .contains(r#"prax_stream_outcomes_total{kind="llm",outcome="completed"} 4"#),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains(r#"prax_time_to_first_token_seconds_count{kind="llm"} 4"#),
        "{}",
        metrics.text
    );
    // Callers that do not ask for a stream see no change.
    let whole = praximous_e2e::post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": "ask_openai", "prompt": "hi"}),
    )
    .await?;
    assert_eq!(whole.status, 200, "{}", whole.text);
    assert_eq!(whole.json["result"]["text"], "openai says: hi");
    Ok(())
}

#[tokio::test]
async fn before_the_first_token_it_fails_over_and_after_it_never_lies() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Openai, None).await?;
    let backup = StandIn::start(Flavour::Anthropic, None).await?;
    let server = gateway(
        "ask = [\"primary\", \"backup\"]\n",
        &[
            provider("primary", "openai", &primary, ""),
            provider("backup", "anthropic", &backup, ""),
        ],
    )?;
    let ask = json!({"task_type": "ask", "prompt": "hi"});

    // Refused before the first token: the backup answers, and the attempts say so.
    primary.set_fault(Fault::Unavailable);
    let events = stream(&server, ask.clone(), true).await?;
    assert_eq!(names(&events), ["start", "delta", "result"], "{events:?}");
    let result = &events[events.len() - 1].1;
    assert_eq!(result["result"]["provider"], "backup");
    let outcomes: Vec<&str> = result["result"]["attempts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["server_error", "server_error", "ok"]);

    // Dies after five tokens: an error event, never a success, and no silent switch.
    primary.set_fault(Fault::None);
    primary.set_stream(StreamScript {
        fault: StreamFault::DieAfter(5),
        ..StreamScript::default()
    });
    let backup_before = backup.count();
    let events = stream(&server, ask.clone(), true).await?;
    assert_eq!(names(&events), ["start", "delta", "error"], "{events:?}");
    assert_eq!(delivered(&events), whole_text(5));
    let error = &events[events.len() - 1].1;
    assert_eq!(error["status"], 502);
    assert_eq!(error["code"], "incomplete_answer");
    assert_eq!(error["delivered"], whole_text(5));
    assert!(
        error["detail"]
            .as_str()
            .is_some_and(|d| d.contains("incomplete") && d.contains("primary")),
        "{error}"
    );
    assert_eq!(
        backup.count(),
        backup_before,
        "no switch after the first token"
    );
    let request_id = events[0].1["request_id"].as_str().unwrap_or_default();
    let stored = record(&server, request_id).await?;
    assert_eq!(stored["stream_outcome"], "failed_mid_stream", "{stored}");
    assert_eq!(stored["status"], "error");
    assert_eq!(stored["http_status"], 502);
    assert_eq!(stored["delivered"], whole_text(5));
    assert_eq!(stored["tokens_estimated"], true);
    assert!(
        stored["output_tokens"].as_u64().is_some_and(|n| n > 0),
        "{stored}"
    );

    // The provider's own error event mid-stream ends it the same way.
    primary.set_stream(StreamScript {
        fault: StreamFault::ErrorAfter(3),
        ..StreamScript::default()
    });
    let events = stream(&server, ask, true).await?;
    assert_eq!(names(&events), ["start", "delta", "error"], "{events:?}");
    assert_eq!(events[events.len() - 1].1["delivered"], whole_text(3));
    Ok(())
}

#[tokio::test]
async fn a_stall_and_a_slow_first_token_are_timed_out() -> anyhow::Result<()> {
    let slow = StandIn::start(Flavour::Ollama, None).await?;
    let backup = StandIn::start(Flavour::Gemini, None).await?;
    let server = gateway(
        "ask = [\"slow\", \"backup\"]\n",
        &[
            provider(
                "slow",
                "ollama",
                &slow,
                "first_token_timeout_ms = 1500\nstall_timeout_ms = 400\n",
            ),
            provider("backup", "gemini", &backup, ""),
        ],
    )?;
    let ask = json!({"task_type": "ask", "prompt": "hi"});

    // A first token within the deadline is waited for.
    slow.set_stream(StreamScript {
        first_token_delay: Duration::from_millis(600),
        ..StreamScript::default()
    });
    let events = stream(&server, ask.clone(), true).await?;
    assert_eq!(
        events[events.len() - 1].1["result"]["provider"],
        "slow",
        "{events:?}"
    );

    // Past it, the router fails over (nothing was delivered yet), and the slow stream is
    // closed.
    slow.set_stream(StreamScript {
        first_token_delay: Duration::from_secs(5),
        ..StreamScript::default()
    });
    let started = Instant::now();
    let events = stream(&server, ask.clone(), true).await?;
    assert_eq!(
        events[events.len() - 1].1["result"]["provider"],
        "backup",
        "{events:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let outcomes = events[events.len() - 1].1["result"]["attempts"][0]["outcome"].clone();
    assert_eq!(outcomes, "timeout");

    // A stall after three tokens ends the stream with an error after the stall timeout, and
    // the provider sees its connection closed.
    slow.set_stream(StreamScript {
        fault: StreamFault::StallAfter(3),
        ..StreamScript::default()
    });
    let disconnects = slow.disconnects();
    let events = stream(&server, ask, true).await?;
    assert_eq!(names(&events), ["start", "delta", "error"], "{events:?}");
    let error = &events[events.len() - 1].1;
    assert_eq!(error["code"], "incomplete_answer");
    assert!(
        error["detail"]
            .as_str()
            .is_some_and(|d| d.contains("stalled")),
        "{error}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        slow.disconnects() > disconnects,
        "the stalled stream was closed"
    );
    Ok(())
}

#[tokio::test]
async fn a_caller_that_goes_away_stops_the_provider_and_is_recorded_as_cancelled()
-> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_stream(StreamScript {
        tokens: 400,
        interval: Duration::from_millis(20),
        ..StreamScript::default()
    });
    let server = gateway(
        "ask = [\"long\"]\n",
        &[provider("long", "openai", &standin, "")],
    )?;
    let response = client()
        .post(server.url("/api/v1/process"))
        .header("accept", "text/event-stream")
        .json(&json!({"task_type": "ask", "prompt": "a long story"}))
        .send()
        .await?;
    let mut source = response.bytes_stream().eventsource();
    let mut request_id = String::new();
    let mut deltas = 0;
    while let Some(event) = source.next().await {
        let event = event?;
        let data: Value = serde_json::from_str(&event.data)?;
        match event.event.as_str() {
            "start" => request_id = data["request_id"].as_str().unwrap_or_default().to_owned(),
            "delta" => deltas += 1,
            _ => {}
        }
        if deltas == 3 {
            break;
        }
    }
    drop(source);
    let deadline = Instant::now() + Duration::from_secs(5);
    while standin.disconnects() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        standin.disconnects(),
        1,
        "the provider saw its connection closed"
    );
    let mut stored = Value::Null;
    while Instant::now() < deadline {
        if let Ok(found) = record(&server, &request_id).await {
            stored = found;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored["stream_outcome"], "cancelled", "{stored}");
    assert!(
        stored["delivered"]
            .as_str()
            .is_some_and(|d| d.starts_with(&whole_text(3))),
        "{stored}"
    );
    Ok(())
}

const HOSTILE_MANIFEST: &str = "name: hostile\nversion: 0.1.0\ndescription: Emits.\nauthor: Tests\nlicense: MIT\n\
    wit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
    operations:\n  attack: { description: Attack., params: { type: object } }\n\
    limits: { memory_mb: 32, timeout_ms: 5000 }\n";

#[tokio::test]
async fn a_skills_emitted_chunks_are_deltas() -> anyhow::Result<()> {
    let wasm = component("hostile");
    let server = Server::start_with_config("[skills]\nmax_emit_bytes = 16384\n", |data| {
        install_skill(data, "hostile", HOSTILE_MANIFEST, &wasm);
    })?;
    let events = stream(
        &server,
        json!({"task_type": "hostile", "prompt": "", "attack": "emit_flood"}),
        true,
    )
    .await?;
    assert_eq!(names(&events), ["start", "delta", "result"], "{events:?}");
    let chunks = events.iter().filter(|(n, _)| n == "delta").count();
    assert_eq!(chunks, 4, "16 KiB of budget in 4 KiB chunks");
    assert_eq!(delivered(&events), "z".repeat(16384));
    let result = &events[events.len() - 1].1;
    assert_eq!(result["result"]["accepted_chunks"], 4);
    let request_id = events[0].1["request_id"].as_str().unwrap_or_default();
    let stored = record(&server, request_id).await?;
    assert_eq!(stored["stream_outcome"], "completed");
    assert_eq!(stored["provider"], "skill:hostile");
    Ok(())
}

#[tokio::test]
async fn a_skills_streamed_llm_call_reaches_the_caller_as_it_is_written() -> anyhow::Result<()> {
    // internal_summary's summary is the completion itself: it asks for it with
    // `complete-streamed` (WIT 0.1.1), so the provider's tokens are the task's deltas.
    let standin = StandIn::start(Flavour::Anthropic, None).await?;
    let server = gateway("", &[provider("claude", "anthropic", &standin, "")])?;
    let body = json!({"task_type": "internal_summary", "prompt": "A long text to summarise, in several sentences."});
    let events = stream(&server, body.clone(), true).await?;
    assert_eq!(names(&events), ["start", "delta", "result"], "{events:?}");
    assert_eq!(delivered(&events), whole_text(8));
    let result = &events[events.len() - 1].1;
    assert_eq!(result["result"]["summary"], whole_text(8));
    assert_eq!(result["result"]["provider"], "claude");
    assert_eq!(standin.requests()[0]["stream"], true);
    // A caller that does not stream gets the same summary, asked for whole.
    let whole = praximous_e2e::post_json(&client(), &server.url("/api/v1/process"), &body).await?;
    assert_eq!(whole.status, 200, "{}", whole.text);
    assert!(
        whole.json["result"]["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("anthropic says:")),
        "{}",
        whole.text
    );
    Ok(())
}
