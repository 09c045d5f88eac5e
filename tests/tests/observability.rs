//! Observability through the real binary: JSON Lines logs tagged with the display name and
//! request id, Prometheus metrics, and no secret in any log line, error or metric.

use praximous_e2e::standin::{Fault, Flavour, StandIn};
use praximous_e2e::{Server, TEST_ADMIN_KEY, client, get};
use serde_json::{Value, json};

const PROVIDER_KEY: &str = "sk-provider-secret-1234567890";
const CALLER_BEARER: &str = "caller-bearer-secret-abcdef";
const CALLER_API_KEY: &str = "caller-x-api-key-secret-xyz";

struct Setup {
    server: Server,
    standin: StandIn,
    _work: tempfile::TempDir,
}

async fn setup() -> anyhow::Result<Setup> {
    let standin = StandIn::start(Flavour::Openai, Some(PROVIDER_KEY)).await?;
    let work = tempfile::tempdir()?;
    let config = work.path().join("praximous.toml");
    std::fs::write(
        &config,
        format!(
            "[identity]\nsystem_name = \"Obs\"\nbusiness_name = \"Acme Inc.\"\nsensitivity_level = \"Low\"\n\n\
             [routing.rules]\nask = [\"primary\", \"dead\"]\n\n\
             [[providers]]\nname = \"primary\"\ntype = \"openai\"\nmodel = \"m\"\nbase_url = \"{}\"\napi_key_env = \"OBS_KEY\"\ntimeout_ms = 500\n\n\
             [[providers]]\nname = \"dead\"\ntype = \"ollama\"\nmodel = \"m\"\nbase_url = \"{}\"\ntimeout_ms = 500\n",
            standin.base_url,
            praximous_e2e::standin::refused_address()?
        ),
    )?;
    std::fs::write(
        work.path().join(".env"),
        format!("OBS_KEY={PROVIDER_KEY}\n"),
    )?;
    let data = work.path().join("data");
    // The caller's key is a valid one: it must still never be logged or recorded, even at
    // debug level.
    let keys = format!("{TEST_ADMIN_KEY},{CALLER_API_KEY}");
    let server = Server::start_with_env(
        work.path(),
        &data,
        &["--config", config.to_str().unwrap_or_default()],
        &[
            ("PRAXIMOUS_API_KEYS", Some(&keys)),
            ("PRAX_LOG", Some("debug")),
        ],
    )?;
    Ok(Setup {
        server,
        standin,
        _work: work,
    })
}

async fn send(setup: &Setup, body: Value) -> praximous_e2e::Answer {
    let response = client()
        .post(setup.server.url("/api/v1/process"))
        .header("authorization", format!("Bearer {CALLER_BEARER}"))
        .header("x-api-key", CALLER_API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    praximous_e2e::Answer {
        status,
        request_id,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

fn json_log(setup: &Setup) -> Vec<Value> {
    let dir = setup.server.data_dir.join("logs");
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(name.starts_with("prax.jsonl."), "daily file name: {name}");
        for line in std::fs::read_to_string(entry.path())
            .unwrap_or_default()
            .lines()
        {
            lines.push(
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")),
            );
        }
    }
    lines
}

#[tokio::test]
async fn logs_metrics_and_errors_never_carry_secrets() -> anyhow::Result<()> {
    let setup = setup().await?;
    // Success, a skill refusal, an unknown task, an LLM success, an LLM failure.
    let echo = send(&setup, json!({"task_type": "echo", "prompt": "hi"})).await;
    assert_eq!(echo.status, 200);
    let refused = send(&setup, json!({"task_type": "simple_math", "prompt": "", "num1": 1, "num2": 0, "operation": "divide"})).await;
    send(&setup, json!({"task_type": "random-name-1", "prompt": "x"})).await;
    send(&setup, json!({"task_type": "random-name-2", "prompt": "x"})).await;
    assert_eq!(
        send(&setup, json!({"task_type": "ask", "prompt": "q"}))
            .await
            .status,
        200
    );
    setup.standin.set_fault(Fault::Unavailable);
    let failed = send(&setup, json!({"task_type": "ask", "prompt": "q"})).await;
    assert_eq!(failed.status, 503);
    assert!(
        setup.standin.problems().is_empty(),
        "the provider got its key: {:?}",
        setup.standin.problems()
    );

    // Give the non-blocking file writer a moment.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let lines = json_log(&setup);
    assert!(lines.len() >= 5, "{lines:?}");
    for line in &lines {
        assert_eq!(
            line["system"], "Obs-Acme",
            "every line carries the display name: {line}"
        );
        assert!(line["timestamp"].is_string() && line["level"].is_string());
    }
    let refused_id = refused.request_id.clone().unwrap_or_default();
    let line = lines
        .iter()
        .find(|l| l["message"] == "skill did not succeed")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        line["request_id"],
        refused_id.as_str(),
        "lines logged while serving a request carry its id"
    );

    let metrics = get(&client(), &setup.server.url("/metrics")).await?;
    assert_eq!(metrics.status, 200);
    let m = &metrics.text;
    for expected in [
        r#"prax_requests_total{task_type="echo",kind="skill",status="success",provider="skill:echo"} 1"#,
        r#"prax_requests_total{task_type="_unknown",kind="unknown",status="error",provider=""} 2"#,
        r#"prax_skill_failures_total{skill="simple_math",reason="refused"} 1"#,
        r#"prax_provider_attempts_total{provider="primary",outcome="ok"} 1"#,
        r#"prax_provider_attempts_total{provider="primary",outcome="server_error"} 2"#,
        r#"prax_provider_attempts_total{provider="dead",outcome="connect"} 1"#,
        r#"prax_provider_failovers_total{provider="primary"} 1"#,
        r#"prax_provider_circuit_state{provider="primary"} 0"#,
        "prax_audit_queue_depth 0",
        r#"prax_request_duration_seconds_count{kind="llm"} 2"#,
    ] {
        assert!(m.contains(expected), "metrics contain `{expected}`:\n{m}");
    }
    assert!(
        !m.contains("random-name"),
        "caller-chosen task types never become labels"
    );

    let console = setup.server.log();
    let file: String = lines.iter().map(ToString::to_string).collect();
    for secret in [PROVIDER_KEY, CALLER_BEARER, CALLER_API_KEY] {
        for (place, text) in [
            ("console log", &console),
            ("JSON log", &file),
            ("metrics", m),
            ("error answer", &failed.text),
        ] {
            assert!(!text.contains(secret), "{place} contains a secret");
        }
    }
    let providers = get(&client(), &setup.server.url("/api/v1/providers")).await?;
    assert!(!providers.text.contains(PROVIDER_KEY));
    let records = get(&client(), &setup.server.url("/api/v1/analytics?limit=500")).await?;
    for secret in [PROVIDER_KEY, CALLER_BEARER, CALLER_API_KEY] {
        assert!(
            !records.text.contains(secret),
            "the audit log contains a secret"
        );
    }
    Ok(())
}
