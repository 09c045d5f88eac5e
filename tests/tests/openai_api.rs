//! The OpenAI-compatible API, driven by the official `openai` Python SDK (pinned, from
//! `tools/test-tools.sh`) against the real binary and stand-in providers: models, a completion,
//! a multi-turn conversation carried natively to the provider, a stream with usage, a stream
//! cut short, and errors that raise the SDK's own exception classes.

use std::path::{Path, PathBuf};

use praximous_e2e::standin::stream::{StreamFault, StreamScript, whole_text};
use praximous_e2e::standin::{Fault, Flavour, StandIn};
use praximous_e2e::{Server, TEST_ADMIN_KEY, client, get, python_script, tool_python};
use serde_json::{Value, json};

/// The SDK's interpreter (see [`tool_python`]).
fn sdk_python() -> Option<PathBuf> {
    tool_python("openai", "openai")
}

/// Run one scenario of `tests/openai_sdk/client.py` against `server` with `key` (without
/// blocking the runtime the stand-in providers run on).
async fn sdk(python: &Path, server: &Server, scenario: &str, key: &str) -> anyhow::Result<Value> {
    let url = server.url("/v1");
    let stdout =
        python_script(python, "tests/openai_sdk/client.py", &[scenario, &url, key]).await?;
    Ok(serde_json::from_str(stdout.trim())?)
}

#[tokio::test]
async fn the_official_openai_sdk_works_against_prax() -> anyhow::Result<()> {
    let Some(python) = sdk_python() else {
        return Ok(());
    };
    let ollama = StandIn::start(Flavour::Ollama, None).await?;
    let gemini = StandIn::start(Flavour::Gemini, None).await?;
    let spare = StandIn::start(Flavour::Ollama, None).await?;
    let config = format!(
        "[identity]\nsensitivity_level = \"Low\"\n\n[routing.rules]\nask = [\"local\"]\nsecond = [\"google\"]\n\
         vectors = [\"local\", \"google\", \"spare\"]\n\n\
         [[providers]]\nname = \"local\"\ntype = \"ollama\"\nmodel = \"llama3\"\nbase_url = \"{}\"\nembedding_model = \"nomic-embed\"\n\n\
         [[providers]]\nname = \"google\"\ntype = \"gemini\"\nmodel = \"gemini-pro\"\nbase_url = \"{}\"\nembedding_model = \"text-embedding-004\"\n\n\
         [[providers]]\nname = \"spare\"\ntype = \"ollama\"\nmodel = \"llama3\"\nbase_url = \"{}\"\nembedding_model = \"nomic-embed\"\n",
        ollama.base_url, gemini.base_url, spare.base_url
    );
    let server = Server::start_with_config(&config, |_| {})?;

    let models = sdk(&python, &server, "models", TEST_ADMIN_KEY).await?;
    let routes: Vec<&Value> = models["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|id| !id.as_str().unwrap_or_default().contains('/'))
        .collect();
    assert_eq!(
        json!(routes),
        json!([
            "ask",
            "default_llm_tasks",
            "internal_summary",
            "second",
            "vectors"
        ])
    );

    let answer = sdk(&python, &server, "complete", TEST_ADMIN_KEY).await?;
    assert_eq!(answer["content"], "ollama says: Say hello", "{answer}");
    assert_eq!(answer["role"], "assistant");
    assert_eq!(answer["finish_reason"], "stop");
    assert_eq!(answer["object"], "chat.completion");
    assert_eq!(answer["usage"]["prompt_tokens"], 26);
    assert_eq!(answer["usage"]["completion_tokens"], 9);
    assert_eq!(answer["usage"]["total_tokens"], 35);
    let request_id = answer["request_id"].as_str().unwrap_or_default().to_owned();
    assert!(
        answer["id"]
            .as_str()
            .is_some_and(|id| id.ends_with(&request_id)),
        "{answer}"
    );
    let sent = ollama.requests().last().cloned().unwrap_or_default();
    let system = sent
        .pointer("/messages/0/content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(
        system.contains("Answer briefly."),
        "the caller's system message follows the persona: {system}"
    );
    assert_eq!(sent.pointer("/options/stop"), Some(&json!(["\n\n"])));
    assert_eq!(sent.pointer("/options/num_predict"), Some(&json!(64)));
    // The request is audited, as `openai`.
    let record = get(
        &client(),
        &server.url(&format!("/api/v1/analytics/{request_id}")),
    )
    .await?;
    assert_eq!(record.json["kind"], "openai", "{}", record.text);
    assert_eq!(record.json["task_type"], "ask");
    assert_eq!(record.json["provider"], "local");

    // Earlier turns reach the provider as turns, not flattened into one prompt.
    let turns = sdk(&python, &server, "multi_turn", TEST_ADMIN_KEY).await?;
    assert_eq!(turns["content"], "ollama says: What is my name?");
    let sent = ollama.requests().last().cloned().unwrap_or_default();
    let roles: Vec<&str> = sent["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(
        sent.pointer("/messages/2/content"),
        Some(&json!("Hello, Ada."))
    );

    // A stream, in OpenAI's chunk format, with the usage chunk asked for.
    let streamed = sdk(&python, &server, "stream", TEST_ADMIN_KEY).await?;
    assert_eq!(streamed["text"], whole_text(8), "{streamed}");
    assert_eq!(streamed["first_role"], "assistant");
    assert_eq!(streamed["finish_reasons"], json!(["stop"]));
    assert_eq!(streamed["usage"]["completion_tokens"], 8);
    assert_eq!(streamed["ids"], 1, "every chunk has the same id");

    // A stream cut short raises, with what arrived; it never ends like a whole answer.
    ollama.set_stream(StreamScript {
        fault: StreamFault::DieAfter(3),
        ..StreamScript::default()
    });
    let broken = sdk(&python, &server, "stream_broken", TEST_ADMIN_KEY).await?;
    assert_eq!(broken["raised"], "APIError", "{broken}");
    assert!(
        broken["message"]
            .as_str()
            .is_some_and(|m| m.contains("incomplete")),
        "{broken}"
    );
    assert_eq!(broken["partial"], whole_text(3));

    // Embeddings: base64 (the SDK's default) and floats, in input order.
    let embedded = sdk(&python, &server, "embed", TEST_ADMIN_KEY).await?;
    assert_eq!(
        embedded["vectors"],
        json!([[5.0, 0.1015625, 0.5], [6.0, 0.0849609375, 0.5]]),
        "{embedded}"
    );
    assert_eq!(embedded["model"], "nomic-embed");
    let sent = ollama.requests().last().cloned().unwrap_or_default();
    assert_eq!(
        sent,
        json!({"model": "nomic-embed", "input": ["hello", "Wörld!"]})
    );
    let floats = sdk(&python, &server, "embed_float", TEST_ADMIN_KEY).await?;
    assert_eq!(floats["vectors"], json!([[2.0, 0.1015625, 0.5]]));
    let tokens = sdk(&python, &server, "embed_tokens", TEST_ADMIN_KEY).await?;
    assert_eq!(tokens["raised"], "BadRequestError", "{tokens}");
    assert!(
        tokens["message"]
            .as_str()
            .is_some_and(|m| m.contains("token ids")),
        "{tokens}"
    );
    // Failover only among providers of the same embedding model: Gemini's vectors would not
    // compare with the others', so it is passed over for the spare Ollama.
    ollama.set_fault(Fault::Unavailable);
    let gemini_before = gemini.count();
    let failed_over = sdk(&python, &server, "embed", TEST_ADMIN_KEY).await?;
    assert_eq!(failed_over["vectors"], embedded["vectors"], "{failed_over}");
    assert_eq!(spare.count(), 1);
    assert_eq!(gemini.count(), gemini_before);
    ollama.set_fault(Fault::None);

    // `provider/model` pins one provider, for operator and admin keys only.
    let pinned = sdk(&python, &server, "pinned", TEST_ADMIN_KEY).await?;
    assert_eq!(pinned["content"], "gemini says: Pinned?", "{pinned}");
    assert_eq!(pinned["model"], "gemini-pro-exp-002");
    let created = praximous_e2e::post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "sdk user", "role": "user"}),
    )
    .await?;
    let user_key = created.json["key"].as_str().unwrap_or_default().to_owned();
    let refused = sdk(&python, &server, "pinned", &user_key).await?;
    assert_eq!(refused["raised"], "PermissionDeniedError", "{refused}");
    let user_models = sdk(&python, &server, "models", &user_key).await?;
    let admin_models = sdk(&python, &server, "models", TEST_ADMIN_KEY).await?;
    assert_eq!(
        user_models["ids"],
        json!(routes),
        "a user key sees the routes only"
    );
    assert!(
        admin_models["ids"]
            .as_array()
            .is_some_and(|ids| ids.contains(&json!("google/gemini-pro"))),
        "{admin_models}"
    );

    // Errors raise the SDK's own classes.
    let unknown = sdk(&python, &server, "unknown_model", TEST_ADMIN_KEY).await?;
    assert_eq!(
        (unknown["raised"].as_str(), unknown["status"].as_u64()),
        (Some("NotFoundError"), Some(404)),
        "{unknown}"
    );
    assert_eq!(unknown["code"], "model_not_found");
    let bad_key = sdk(&python, &server, "models", "not-a-key-0123456789").await?;
    assert_eq!(bad_key["raised"], "AuthenticationError", "{bad_key}");
    assert_eq!(bad_key["code"], "invalid_api_key");
    let two = sdk(&python, &server, "two_answers", TEST_ADMIN_KEY).await?;
    assert_eq!(two["raised"], "BadRequestError", "{two}");
    assert!(
        two["message"].as_str().is_some_and(|m| m.contains("n = 1")),
        "{two}"
    );
    ollama.set_fault(Fault::Unavailable);
    let down = sdk(&python, &server, "no_providers_left", TEST_ADMIN_KEY).await?;
    assert_eq!(down["raised"], "InternalServerError", "{down}");
    assert_eq!(down["status"], 503);
    assert!(
        gemini.problems().is_empty() && ollama.problems().is_empty(),
        "{:?}",
        ollama.problems()
    );

    // The analytics filter by ingress: everything above came through /v1/.
    let through_openai = get(
        &client(),
        &server.url("/api/v1/analytics?kind=openai&limit=500"),
    )
    .await?;
    let records = through_openai.json["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(records.len() >= 8, "{}", through_openai.text);
    assert!(
        records.iter().all(|r| r["kind"] == "openai"),
        "{}",
        through_openai.text
    );
    let through_process = get(&client(), &server.url("/api/v1/analytics?kind=llm")).await?;
    assert_eq!(
        through_process.json["total_matches"], 0,
        "{}",
        through_process.text
    );
    let bogus = get(
        &client(),
        &server.url("/api/v1/analytics?kind=carrier-pigeon"),
    )
    .await?;
    assert_eq!(bogus.status, 400, "{}", bogus.text);
    assert!(bogus.text.contains("Invalid kind"), "{}", bogus.text);
    Ok(())
}
