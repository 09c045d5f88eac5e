//! The sandbox holds: a hostile skill, built as a real component, tries every attack while a
//! stream of `echo` requests runs beside it. Each attack is contained with a clear error and
//! every `echo` succeeds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use praximous_e2e::{Answer, Server, client, component, install_skill, post_json};
use serde_json::json;

const HOSTILE_MANIFEST: &str = r#"
name: hostile
version: 0.1.0
description: Test fixture that attacks its sandbox.
author: Praximous tests
license: Apache-2.0
wit: praximous:skill@0.1.0
component: skill.wasm
operations:
  attack:
    description: Try one attack on the sandbox.
    params: { type: object }
limits: { memory_mb: 32, timeout_ms: 500 }
"#;

/// The two tests measure latency on a 2-core machine: run them one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A server with the hostile skill. Auditing is off: each answer would otherwise wait for a
/// database commit, and an fsync stalled by other disk traffic is not what these tests measure.
fn hostile_server() -> anyhow::Result<Server> {
    let wasm = component("hostile");
    Server::start_with_config("[audit]\nenabled = false\n", |data| {
        install_skill(data, "hostile", HOSTILE_MANIFEST, &wasm);
    })
}

async fn attack(server: &Server, attack: &str) -> Answer {
    let body = json!({"task_type": "hostile", "prompt": "", "attack": attack});
    post_json(&client(), &server.url("/api/v1/process"), &body)
        .await
        .unwrap_or_else(|e| panic!("{attack}: request failed: {e}"))
}

fn detail(answer: &Answer) -> &str {
    answer.json["detail"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn every_attack_is_contained_while_echo_keeps_working() -> anyhow::Result<()> {
    let _serial = ONE_AT_A_TIME.lock().await;
    let server = Arc::new(hostile_server()?);
    let stop = Arc::new(AtomicBool::new(false));
    let echoed = Arc::new(AtomicUsize::new(0));

    // A steady stream of echo requests, two at a time, for the whole test.
    let mut streams = Vec::new();
    for _ in 0..2 {
        let (server, stop, echoed) = (server.clone(), stop.clone(), echoed.clone());
        streams.push(tokio::spawn(async move {
            let c = client();
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"task_type": "echo", "prompt": "ping"});
                match post_json(&c, &server.url("/api/v1/process"), &body).await {
                    Ok(a) if a.status == 200 && a.json["result"]["echoed_prompt"] == "ping" => {
                        echoed.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(a) => failures.push(format!("{}: {}", a.status, a.text)),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            failures
        }));
    }

    let started = Instant::now();
    let looped = attack(&server, "loop").await;
    assert_eq!(looped.status, 504, "{}", looped.text);
    assert_eq!(
        detail(&looped),
        "Skill 'hostile' exceeded its time limit of 500 ms and was stopped."
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped promptly: {:?}",
        started.elapsed()
    );

    let spin = attack(&server, "spin_host").await;
    assert_eq!(
        spin.status, 504,
        "a loop through host calls is stopped too: {}",
        spin.text
    );

    let bomb = attack(&server, "memory_bomb").await;
    assert_eq!(bomb.status, 500, "{}", bomb.text);
    assert_eq!(
        detail(&bomb),
        "Skill 'hostile' exceeded its memory limit of 32 MiB and was stopped."
    );

    let deep = attack(&server, "recursion").await;
    assert_eq!(deep.status, 500, "{}", deep.text);
    assert!(
        detail(&deep).starts_with("Skill 'hostile' crashed (stack overflow)"),
        "{}",
        deep.text
    );

    let smashed = attack(&server, "shadow_stack").await;
    assert_eq!(smashed.status, 500, "{}", smashed.text);
    assert!(
        detail(&smashed)
            .starts_with("Skill 'hostile' crashed (wasm trap: out of bounds memory access)"),
        "{}",
        smashed.text
    );

    let panicked = attack(&server, "panic").await;
    assert_eq!(panicked.status, 500, "{}", panicked.text);
    assert!(
        detail(&panicked).starts_with("Skill 'hostile' crashed (panic)"),
        "{}",
        panicked.text
    );
    assert!(
        detail(&panicked).contains(panicked.request_id.as_deref().unwrap_or("?")),
        "the detail names the request to look up in the log"
    );

    let huge = attack(&server, "huge_output").await;
    assert_eq!(huge.status, 500, "{}", huge.text);
    assert!(
        detail(&huge).contains("more than the 1048576 bytes allowed"),
        "{}",
        huge.text
    );
    assert!(
        huge.text.len() < 4096,
        "the huge output never reaches the caller"
    );

    let file = attack(&server, "read_file").await;
    assert_eq!(file.status, 403, "{}", file.text);
    assert!(
        detail(&file).starts_with("file access failed"),
        "{}",
        file.text
    );
    assert!(!file.text.contains("root:"), "no file content leaks");

    let env = attack(&server, "read_env").await;
    assert_eq!(env.status, 403, "{}", env.text);
    assert_eq!(
        detail(&env),
        "environment is empty (Details: no variables, no arguments)"
    );

    let flood = attack(&server, "log_flood").await;
    assert_eq!(flood.status, 200, "{}", flood.text);
    let emit = attack(&server, "emit_flood").await;
    assert_eq!(emit.status, 200, "{}", emit.text);
    assert_eq!(
        emit.json["result"]["accepted_chunks"], 256,
        "1 MiB budget of 4 KiB chunks"
    );

    stop.store(true, Ordering::Relaxed);
    for stream in streams {
        let failures = stream.await?;
        assert!(
            failures.is_empty(),
            "echo failed during the attacks: {failures:?}"
        );
    }
    assert!(echoed.load(Ordering::Relaxed) > 20, "echo ran throughout");

    let log = server.log();
    assert!(
        log.contains("hostile skill panicked on purpose"),
        "the panic message reaches the log"
    );
    let flood_lines = log.matches("flood line").count();
    assert!(
        flood_lines <= 200,
        "skill log lines are capped per request: {flood_lines}"
    );

    // The same skill still serves a harmless request: no state survived the traps.
    let again = attack(&server, "read_env").await;
    assert_eq!(again.status, 403);
    Ok(())
}

#[tokio::test]
async fn concurrent_runaway_skills_never_starve_echo() -> anyhow::Result<()> {
    let _serial = ONE_AT_A_TIME.lock().await;
    let server = Arc::new(hostile_server()?);
    let mut loops = Vec::new();
    for _ in 0..4 {
        let server = server.clone();
        loops.push(tokio::spawn(
            async move { attack(&server, "loop").await.status },
        ));
    }
    let c = client();
    let started = Instant::now();
    let mut worst = Duration::ZERO;
    while started.elapsed() < Duration::from_millis(600) {
        let t = Instant::now();
        let answer = post_json(
            &c,
            &server.url("/api/v1/process"),
            &json!({"task_type": "echo", "prompt": "x"}),
        )
        .await?;
        assert_eq!(answer.status, 200);
        worst = worst.max(t.elapsed());
    }
    for l in loops {
        assert_eq!(l.await?, 504);
    }
    // Four runaway guests on two cores: the epoch yield keeps echo answering within a few
    // ticks, never behind a whole 500 ms deadline.
    assert!(
        worst < Duration::from_millis(250),
        "echo waited {worst:?} behind runaway skills"
    );
    Ok(())
}

/// A user key made by the admin through the API.
async fn user_key(server: &Server, name: &str) -> anyhow::Result<String> {
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": name, "role": "user"}),
    )
    .await?;
    assert_eq!(made.status, 201, "{}", made.text);
    Ok(made.json["key"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn one_key_or_one_skill_cannot_take_every_instance_slot() -> anyhow::Result<()> {
    let _serial = ONE_AT_A_TIME.lock().await;
    let wasm = component("hostile");
    let server = Arc::new(Server::start_with_config(
        "[audit]\nenabled = false\n\n[skills]\nmax_concurrent = 8\nmax_concurrent_per_key = 2\nmax_concurrent_per_skill = 3\n",
        |data| {
            install_skill(data, "hostile", HOSTILE_MANIFEST, &wasm);
        },
    )?);
    let (first, second) = (
        user_key(&server, "flooder").await?,
        user_key(&server, "neighbour").await?,
    );
    let loop_with = |key: String| {
        let server = server.clone();
        tokio::spawn(async move {
            let body = json!({"task_type": "hostile", "prompt": "", "attack": "loop"});
            post_json(
                &praximous_e2e::client_with_key(Some(&key)),
                &server.url("/api/v1/process"),
                &body,
            )
            .await
        })
    };
    // The flooder sends four loops at once; two may run, the others are turned away.
    let floods: Vec<_> = (0..4).map(|_| loop_with(first.clone())).collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Meanwhile another key is served at once.
    let started = Instant::now();
    let echo = post_json(
        &praximous_e2e::client_with_key(Some(&second)),
        &server.url("/api/v1/process"),
        &json!({"task_type": "echo", "prompt": "still here"}),
    )
    .await?;
    assert_eq!(echo.status, 200, "{}", echo.text);
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "the neighbour waited {:?}",
        started.elapsed()
    );
    let mut statuses = Vec::new();
    for flood in floods {
        let answer = flood.await??;
        if answer.status == 429 {
            assert!(
                detail(&answer).contains("already has 2 skill calls running"),
                "{}",
                answer.text
            );
        }
        statuses.push(answer.status);
    }
    assert!(
        statuses.contains(&429),
        "the key's share held: {statuses:?}"
    );

    // Two keys, two loops each: the skill's own share (3) holds across keys.
    let both: Vec<_> = [&first, &first, &second, &second]
        .into_iter()
        .map(|key| loop_with(key.clone()))
        .collect();
    let mut skill_busy = 0;
    for call in both {
        let answer = call.await??;
        if answer.status == 503 {
            assert!(
                detail(&answer).contains("Skill 'hostile' already has 3 calls running"),
                "{}",
                answer.text
            );
            skill_busy += 1;
        }
    }
    assert_eq!(skill_busy, 1, "the skill's share held");
    Ok(())
}
