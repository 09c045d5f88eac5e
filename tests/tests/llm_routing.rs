//! LLM routes through the real binary against stand-in providers that speak each provider's
//! wire protocol: every failure case of the router, end to end through `/api/v1/process`.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use praximous_e2e::dns::TestDns;
use praximous_e2e::standin::{Fault, Flavour, StandIn, refused_address, resetting_address};
use praximous_e2e::{Answer, Server, client, component, get, install_skill, post_json};
use serde_json::{Value, json};

/// One `[[providers]]` entry.
struct P<'a> {
    name: &'a str,
    kind: &'a str,
    base_url: String,
    key_env: Option<&'a str>,
}

fn p<'a>(name: &'a str, kind: &'a str, base_url: &str) -> P<'a> {
    P {
        name,
        kind,
        base_url: base_url.to_owned(),
        key_env: None,
    }
}

struct Gateway {
    server: Server,
    _work: tempfile::TempDir,
}

/// Start prax with `providers`, `[routing.rules]` lines `rules`, and `.env` contents `env`.
fn gateway(
    providers: &[P<'_>],
    rules: &str,
    env: &str,
    data: impl FnOnce(&std::path::Path),
) -> anyhow::Result<Gateway> {
    gateway_with(providers, rules, env, "", data)
}

/// [`gateway`], with `tail` added to the end of the configuration.
fn gateway_with(
    providers: &[P<'_>],
    rules: &str,
    env: &str,
    tail: &str,
    data: impl FnOnce(&std::path::Path),
) -> anyhow::Result<Gateway> {
    let work = tempfile::tempdir()?;
    let mut config = String::from(
        "[identity]\nsystem_name = \"Praximous\"\nbusiness_name = \"Acme Solutions Inc.\"\nindustry = \"Retail\"\n\
         persona_style = \"Friendly\"\nsensitivity_level = \"High\"\nlocation = \"Leeds\"\n\n\
         [routing]\nretry_after_cap_ms = 2000\nretry_backoff_ms = 20\ncircuit_failures = 3\ncircuit_cooldown_ms = 700\n\n\
         [routing.rules]\n",
    );
    config.push_str(rules);
    for provider in providers {
        config.push_str(&format!(
            "\n[[providers]]\nname = \"{}\"\ntype = \"{}\"\nmodel = \"{}-model\"\nbase_url = \"{}\"\ntimeout_ms = 400\n",
            provider.name, provider.kind, provider.kind, provider.base_url
        ));
        if let Some(env) = provider.key_env {
            config.push_str(&format!("api_key_env = \"{env}\"\n"));
        }
    }
    config.push_str(tail);
    std::fs::write(work.path().join("praximous.toml"), config)?;
    std::fs::write(work.path().join(".env"), env)?;
    let data_dir = work.path().join("data");
    std::fs::create_dir_all(&data_dir)?;
    data(&data_dir);
    let config = work.path().join("praximous.toml");
    let server = Server::start_in(
        work.path(),
        &data_dir,
        &["--config", config.to_str().unwrap_or_default()],
    )?;
    Ok(Gateway {
        server,
        _work: work,
    })
}

async fn ask(gateway: &Gateway, task_type: &str, prompt: &str) -> Answer {
    post_json(
        &client(),
        &gateway.server.url("/api/v1/process"),
        &json!({"task_type": task_type, "prompt": prompt}),
    )
    .await
    .unwrap_or_else(|e| panic!("request failed: {e}"))
}

fn outcomes(answer: &Answer) -> Vec<(String, String)> {
    answer.json["result"]["attempts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["provider"].as_str().unwrap_or_default().to_owned(),
                a["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_provider_speaks_its_own_api() -> anyhow::Result<()> {
    let gemini = StandIn::start(Flavour::Gemini, Some("g-key")).await?;
    let ollama = StandIn::start(Flavour::Ollama, None).await?;
    let openai = StandIn::start(Flavour::Openai, Some("o-key")).await?;
    let anthropic = StandIn::start(Flavour::Anthropic, Some("a-key")).await?;
    let providers = [
        P {
            key_env: Some("GEMINI_KEY"),
            ..p("gem", "gemini", &gemini.base_url)
        },
        p("oll", "ollama", &ollama.base_url),
        P {
            key_env: Some("OPENAI_KEY"),
            ..p("oai", "openai", &openai.base_url)
        },
        P {
            key_env: Some("ANTHROPIC_KEY"),
            ..p("ant", "anthropic", &anthropic.base_url)
        },
    ];
    let rules = "ask_gemini = [\"gem\"]\nask_ollama = [\"oll\"]\nask_openai = [{ provider = \"oai\", model = \"gpt-custom\" }]\nask_anthropic = [\"ant\"]\n";
    let env = "GEMINI_KEY=g-key\nOPENAI_KEY=o-key\nANTHROPIC_KEY=a-key\n";
    let gw = gateway(&providers, rules, env, |_| {})?;

    let cases = [
        (
            "ask_gemini",
            "gem",
            "gemini says: hello",
            "gemini-model-002",
            &gemini,
        ),
        (
            "ask_ollama",
            "oll",
            "ollama says: hello",
            "ollama-model",
            &ollama,
        ),
        (
            "ask_openai",
            "oai",
            "openai says: hello",
            "gpt-custom",
            &openai,
        ),
        (
            "ask_anthropic",
            "ant",
            "anthropic says: hello",
            "anthropic-model",
            &anthropic,
        ),
    ];
    for (route, provider, text, model, standin) in cases {
        let answer = ask(&gw, route, "hello").await;
        assert_eq!(answer.status, 200, "{route}: {}", answer.text);
        assert_eq!(answer.json["status"], "success");
        assert_eq!(
            answer.json["message"],
            format!("Request routed via {provider}")
        );
        let result = &answer.json["result"];
        assert_eq!(result["provider"], provider);
        assert_eq!(result["text"], text);
        assert_eq!(result["model"], model);
        assert_eq!(result["finish_reason"], "stop");
        assert!(
            result["usage"]["input_tokens"].is_u64() && result["usage"]["output_tokens"].is_u64(),
            "{result}"
        );
        assert!(
            standin.problems().is_empty(),
            "{route}: {:?}",
            standin.problems()
        );
        let request = standin.requests().pop().unwrap_or_default();
        let system = request
            .get("system")
            .or_else(|| request.pointer("/systemInstruction/parts/0/text"))
            .or_else(|| request.pointer("/messages/0/content"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for part in [
            "Praximous-AcmeSolutions",
            "Acme Solutions Inc.",
            "Retail",
            "Leeds",
            "Friendly",
            "High",
        ] {
            assert!(
                system.contains(part),
                "{route}: the system prompt carries the persona ({part}): {system}"
            );
        }
    }
    let sent = ollama.requests().pop().unwrap_or_default();
    assert_eq!(
        sent.pointer("/options/num_ctx"),
        Some(&json!(8192)),
        "num_ctx is always sent"
    );
    Ok(())
}

#[tokio::test]
async fn refused_reset_and_silent_providers_fail_over() -> anyhow::Result<()> {
    let backup = StandIn::start(Flavour::Openai, None).await?;
    let silent = StandIn::start(Flavour::Ollama, None).await?;
    silent.set_fault(Fault::Hang);
    let providers = [
        p("refusing", "ollama", &refused_address()?),
        p("resetting", "ollama", &resetting_address().await?),
        p("silent", "ollama", &silent.base_url),
        p("backup", "openai", &backup.base_url),
    ];
    let rules = "default_llm_tasks = [\"refusing\", \"resetting\", \"silent\", \"backup\"]\n";
    let gw = gateway(&providers, rules, "", |_| {})?;
    let started = Instant::now();
    let answer = ask(&gw, "default_llm_tasks", "hi").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["result"]["provider"], "backup");
    assert_eq!(
        outcomes(&answer),
        pairs(&[
            ("refusing", "connect"),
            ("resetting", "connect"),
            ("silent", "timeout"),
            ("backup", "ok")
        ])
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the silent provider costs one 400 ms timeout: {:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test]
async fn server_errors_are_retried_once_then_fail_over() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Gemini, None).await?;
    let backup = StandIn::start(Flavour::Anthropic, None).await?;
    let providers = [
        p("primary", "gemini", &primary.base_url),
        p("backup", "anthropic", &backup.base_url),
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"primary\", \"backup\"]\n",
        "",
        |_| {},
    )?;

    primary.set_fault(Fault::ServerErrorOnce);
    let once = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(once.status, 200, "{}", once.text);
    assert_eq!(
        outcomes(&once),
        pairs(&[("primary", "server_error"), ("primary", "ok")])
    );
    assert_eq!(primary.count(), 2);

    primary.set_fault(Fault::Unavailable);
    let persistent = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(persistent.status, 200);
    assert_eq!(
        outcomes(&persistent),
        pairs(&[
            ("primary", "server_error"),
            ("primary", "server_error"),
            ("backup", "ok")
        ])
    );
    assert_eq!(primary.count(), 4, "exactly one retry");
    Ok(())
}

#[tokio::test]
async fn rate_limits_honour_retry_after_up_to_the_cap() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Openai, None).await?;
    let backup = StandIn::start(Flavour::Ollama, None).await?;
    let providers = [
        p("primary", "openai", &primary.base_url),
        p("backup", "ollama", &backup.base_url),
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"primary\", \"backup\"]\n",
        "",
        |_| {},
    )?;

    primary.set_fault(Fault::RateLimitedOnce(1));
    let started = Instant::now();
    let waited = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(waited.status, 200);
    assert_eq!(
        outcomes(&waited),
        pairs(&[("primary", "rate_limited"), ("primary", "ok")])
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );

    primary.set_fault(Fault::RateLimited(Some(30)));
    let started = Instant::now();
    let too_long = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(
        outcomes(&too_long),
        pairs(&[("primary", "rate_limited"), ("backup", "ok")])
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a 30 s Retry-After is over the cap: fail over at once"
    );

    primary.set_fault(Fault::RateLimited(None));
    let no_header = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(
        outcomes(&no_header),
        pairs(&[("primary", "rate_limited"), ("backup", "ok")])
    );
    Ok(())
}

#[tokio::test]
async fn malformed_answers_and_context_length_fail_over_without_retry() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Anthropic, None).await?;
    let backup = StandIn::start(Flavour::Gemini, None).await?;
    let providers = [
        p("primary", "anthropic", &primary.base_url),
        p("backup", "gemini", &backup.base_url),
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"primary\", \"backup\"]\n",
        "",
        |_| {},
    )?;

    primary.set_fault(Fault::MalformedJson);
    let malformed = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(
        outcomes(&malformed),
        pairs(&[("primary", "bad_response"), ("backup", "ok")])
    );

    primary.set_fault(Fault::ContextLength);
    let before = primary.count();
    let long = ask(&gw, "default_llm_tasks", "a very long prompt").await;
    assert_eq!(long.status, 200);
    assert_eq!(
        outcomes(&long),
        pairs(&[("primary", "context_length"), ("backup", "ok")])
    );
    assert_eq!(
        primary.count(),
        before + 1,
        "no retry for a prompt that is too long"
    );
    Ok(())
}

#[tokio::test]
async fn content_filter_stops_with_a_clear_error() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Openai, None).await?;
    let gemini = StandIn::start(Flavour::Gemini, None).await?;
    let backup = StandIn::start(Flavour::Ollama, None).await?;
    let providers = [
        p("primary", "openai", &primary.base_url),
        p("gem", "gemini", &gemini.base_url),
        p("backup", "ollama", &backup.base_url),
    ];
    let rules =
        "default_llm_tasks = [\"primary\", \"backup\"]\nvia_gemini = [\"gem\", \"backup\"]\n";
    let gw = gateway(&providers, rules, "", |_| {})?;
    primary.set_fault(Fault::ContentFilter);
    let refused = ask(&gw, "default_llm_tasks", "something nasty").await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let detail = refused.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("Provider 'primary' refused the request: "),
        "{detail}"
    );
    assert!(detail.contains("content management policy"), "{detail}");
    assert_eq!(primary.count(), 1, "no retry");

    gemini.set_fault(Fault::ContentFilter);
    let safety = ask(&gw, "via_gemini", "x").await;
    assert_eq!(
        safety.status, 400,
        "a SAFETY stop is a refusal, never an empty success: {}",
        safety.text
    );
    assert!(
        safety.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("SAFETY")
    );
    assert_eq!(
        backup.count(),
        0,
        "refused content is not sent to another provider"
    );
    Ok(())
}

#[tokio::test]
async fn when_every_provider_fails_the_answer_is_503_listing_each_attempt() -> anyhow::Result<()> {
    let down = StandIn::start(Flavour::Gemini, None).await?;
    down.set_fault(Fault::Unavailable);
    let providers = [
        p("down", "gemini", &down.base_url),
        p("gone", "ollama", &refused_address()?),
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"down\", \"gone\"]\n",
        "",
        |_| {},
    )?;
    let answer = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(answer.status, 503);
    let detail = answer.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with(
            "All LLM providers are currently unavailable for 'default_llm_tasks'. Attempts: "
        ),
        "{detail}"
    );
    assert!(
        detail.contains("down (gemini-model): server error (HTTP 503)"),
        "{detail}"
    );
    assert!(
        detail.contains("gone (ollama-model): connection failed"),
        "{detail}"
    );

    let unknown_route_uses_skills_or_404 = ask(&gw, "no_such_route", "x").await;
    assert_eq!(unknown_route_uses_skills_or_404.status, 404);
    Ok(())
}

#[tokio::test]
async fn the_circuit_breaker_skips_a_failing_provider_then_probes_it() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Openai, None).await?;
    let backup = StandIn::start(Flavour::Ollama, None).await?;
    let providers = [
        p("primary", "openai", &primary.base_url),
        p("backup", "ollama", &backup.base_url),
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"primary\", \"backup\"]\n",
        "",
        |_| {},
    )?;
    primary.set_fault(Fault::Unavailable);

    // Two requests: 2 + 1 failures (the retry is skipped once the third opens the circuit).
    for _ in 0..2 {
        assert_eq!(ask(&gw, "default_llm_tasks", "x").await.status, 200);
    }
    assert_eq!(primary.count(), 3);
    let providers = get(&client(), &gw.server.url("/api/v1/providers")).await?;
    assert_eq!(providers.json["providers"][0]["health"]["circuit"], "open");

    let skipped = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(
        outcomes(&skipped),
        pairs(&[("primary", "skipped"), ("backup", "ok")])
    );
    assert_eq!(
        primary.count(),
        3,
        "an open circuit sends nothing to the provider"
    );

    // After the cool-down, one probe goes through; the provider has recovered.
    primary.set_fault(Fault::None);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let probe = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(outcomes(&probe), pairs(&[("primary", "ok")]));
    let providers = get(&client(), &gw.server.url("/api/v1/providers")).await?;
    assert_eq!(
        providers.json["providers"][0]["health"]["circuit"],
        "closed"
    );
    Ok(())
}

#[tokio::test]
async fn a_flapping_primary_never_fails_a_request() -> anyhow::Result<()> {
    let primary = StandIn::start(Flavour::Anthropic, None).await?;
    let backup = StandIn::start(Flavour::Gemini, None).await?;
    primary.set_fault(Fault::Flapping);
    let providers = [
        p("primary", "anthropic", &primary.base_url),
        p("backup", "gemini", &backup.base_url),
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"primary\", \"backup\"]\n",
        "",
        |_| {},
    )?;
    for i in 0..12 {
        let answer = ask(&gw, "default_llm_tasks", "x").await;
        assert_eq!(answer.status, 200, "request {i}: {}", answer.text);
        assert!(
            !answer.json["result"]["text"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
    }
    assert!(
        primary.count() >= 12,
        "the primary, failing every other call, kept being used"
    );
    Ok(())
}

#[tokio::test]
async fn unset_credentials_skip_the_provider_and_secrets_never_show() -> anyhow::Result<()> {
    let keyed = StandIn::start(Flavour::Gemini, Some("top-secret-key")).await?;
    let unkeyed = StandIn::start(Flavour::Openai, None).await?;
    let providers = [
        P {
            key_env: Some("MISSING_KEY"),
            ..p("nokey", "openai", &unkeyed.base_url)
        },
        P {
            key_env: Some("GEM_KEY"),
            ..p("keyed", "gemini", &keyed.base_url)
        },
    ];
    let gw = gateway(
        &providers,
        "default_llm_tasks = [\"nokey\", \"keyed\"]\n",
        "GEM_KEY=top-secret-key\n",
        |_| {},
    )?;
    let answer = ask(&gw, "default_llm_tasks", "x").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        outcomes(&answer),
        pairs(&[("nokey", "skipped"), ("keyed", "ok")])
    );
    assert!(
        answer.json["result"]["attempts"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("MISSING_KEY")
    );
    assert_eq!(unkeyed.count(), 0);
    assert!(keyed.problems().is_empty(), "{:?}", keyed.problems());

    let providers = get(&client(), &gw.server.url("/api/v1/providers")).await?;
    assert_eq!(providers.status, 200);
    let list = &providers.json["providers"];
    assert_eq!(list[0]["name"], "nokey");
    assert_eq!(list[0]["available"], false);
    assert!(
        list[0]["unavailable_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("MISSING_KEY")
    );
    assert_eq!(list[1]["available"], true);
    assert_eq!(list[1]["api_key_env"], "GEM_KEY");
    assert_eq!(list[1]["health"]["recent_attempts"], 1);
    assert_eq!(
        providers.json["routes"]["default_llm_tasks"],
        json!(["nokey", "keyed"])
    );
    assert_eq!(
        providers.json["routes"]["internal_summary"],
        json!(["nokey", "keyed"]),
        "the original's routes exist by default"
    );
    assert!(
        !providers.text.contains("top-secret-key"),
        "no secret in /api/v1/providers"
    );
    assert!(
        !gw.server.log().contains("top-secret-key"),
        "no secret in the log"
    );
    assert!(
        gw.server
            .log()
            .contains("MISSING_KEY (its API key) is not set"),
        "reported at start-up"
    );
    Ok(())
}

const PROBE_MANIFEST: &str = "name: NAME\nversion: 0.1.0\ndescription: Asks the LLM.\nauthor: Tests\nlicense: MIT\n\
    wit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
    operations:\n  ask: { description: Ask., params: { type: object } }\npermissions: { llm: LLM }\n";

#[tokio::test]
async fn skills_reach_the_router_only_with_the_llm_permission() -> anyhow::Result<()> {
    let default = StandIn::start(Flavour::Ollama, None).await?;
    let own = StandIn::start(Flavour::Anthropic, None).await?;
    let providers = [
        p("default_one", "ollama", &default.base_url),
        p("probe_route", "anthropic", &own.base_url),
    ];
    let wasm = component("llm_probe");
    let rules = "default_llm_tasks = [\"default_one\"]\nllm_probe = [\"probe_route\"]\n";
    let gw = gateway(&providers, rules, "", |data| {
        install_skill(
            data,
            "llm_probe",
            &PROBE_MANIFEST
                .replace("NAME", "llm_probe")
                .replace("LLM", "true"),
            &wasm,
        );
        install_skill(
            data,
            "llm_probe_default",
            &PROBE_MANIFEST
                .replace("NAME", "llm_probe_default")
                .replace("LLM", "true"),
            &wasm,
        );
        install_skill(
            data,
            "llm_probe_denied",
            &PROBE_MANIFEST
                .replace("NAME", "llm_probe_denied")
                .replace("LLM", "false"),
            &wasm,
        );
    })?;

    let own_route = ask(&gw, "llm_probe", "summarise this").await;
    assert_eq!(own_route.status, 200, "{}", own_route.text);
    assert_eq!(
        own_route.json["result"]["provider"], "probe_route",
        "a rule named after the skill picks its providers"
    );
    assert_eq!(
        own_route.json["result"]["text"],
        "anthropic says: summarise this"
    );
    let system = own.requests().pop().unwrap_or_default()["system"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        system.contains("Praximous-AcmeSolutions"),
        "skill calls carry the persona too: {system}"
    );

    let default_route = ask(&gw, "llm_probe_default", "hi").await;
    assert_eq!(
        default_route.json["result"]["provider"], "default_one",
        "no rule of its name: the default route"
    );

    let denied = ask(&gw, "llm_probe_denied", "hi").await;
    assert_eq!(denied.status, 403, "{}", denied.text);
    assert!(
        denied.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("manifest does not grant it"),
        "{}",
        denied.text
    );
    assert_eq!(
        default.count() + own.count(),
        2,
        "the denied call reached no provider"
    );
    Ok(())
}

#[tokio::test]
async fn a_skill_waiting_on_a_silent_provider_meets_its_own_deadline() -> anyhow::Result<()> {
    let silent = StandIn::start(Flavour::Openai, None).await?;
    silent.set_fault(Fault::Hang);
    let wasm = component("llm_probe");
    // The provider would be given up on after 400 ms per attempt (several attempts); the
    // skill's wall-clock limit of 150 ms, which covers time spent in host calls, comes first.
    let manifest = format!(
        "{}limits: {{ memory_mb: 32, timeout_ms: 150 }}\n",
        PROBE_MANIFEST
            .replace("NAME", "llm_probe")
            .replace("LLM", "true")
    );
    let gw = gateway(
        &[p("silent", "openai", &silent.base_url)],
        "default_llm_tasks = [\"silent\"]\n",
        "",
        |data| {
            install_skill(data, "llm_probe", &manifest, &wasm);
        },
    )?;
    let started = Instant::now();
    let answer = ask(&gw, "llm_probe", "anyone there?").await;
    let took = started.elapsed();
    assert_eq!(answer.status, 504, "{}", answer.text);
    assert!(
        took < Duration::from_millis(380),
        "the deadline, not the provider timeout, ended it: {took:?}"
    );
    assert!(
        answer.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("150 ms"),
        "{}",
        answer.text
    );
    let echo = ask(&gw, "echo", "still here").await;
    assert_eq!(echo.status, 200, "{}", echo.text);
    Ok(())
}

#[tokio::test]
async fn a_provider_is_reached_only_at_an_address_the_operator_allows() -> anyhow::Result<()> {
    let ollama = StandIn::start(Flavour::Ollama, None).await?;
    let port = ollama
        .base_url
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    // The base URL's name resolves to this machine, as a hijacked or rebinding DNS could make
    // a cloud provider's name do.
    let dns = TestDns::start(|name, _| (name == "llm.test").then_some(Ipv4Addr::LOCALHOST))?;
    let by_name = format!("http://llm.test:{port}");
    let providers = [
        p("inside", "ollama", &by_name),
        p("allowed", "ollama", &by_name),
    ];
    let rules = "ask_inside = [\"inside\"]\nask_either = [\"inside\", \"allowed\"]\n";
    let tail = format!("allow_cidrs = [\"127.0.0.0/8\"]\n\n{}", dns.config());
    let gw = gateway_with(&providers, rules, "", &tail, |_| {})?;

    let refused = ask(&gw, "ask_inside", "hi").await;
    assert_eq!(refused.status, 503, "{}", refused.text);
    for part in [
        "llm.test resolves to 127.0.0.1",
        "loopback",
        "allow_cidrs in the [[providers]] entry `inside`",
    ] {
        assert!(refused.text.contains(part), "`{part}` in {}", refused.text);
    }
    assert_eq!(ollama.count(), 0, "no request reached the stand-in");

    let answer = ask(&gw, "ask_either", "hi").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        outcomes(&answer),
        pairs(&[("inside", "connect"), ("allowed", "ok")])
    );
    assert_eq!(ollama.count(), 1);
    Ok(())
}
