//! Many concurrent token streams through prax (SSE and WebSocket) and through LiteLLM, against
//! the same upstream called directly: added per-token latency, added time to first token,
//! memory per open idle stream, CPU per token, and whether a hostile skill looping on another
//! connection stalls the streams. `bench/streaming.sh` builds and runs it.
//!
//! Usage: stream-bench PRAX [LITELLM]
//! Env:   STREAMS=512 TOKENS=200 GAP_MS=10 SECTIONS=one,many,hostile,memory
//!        BENCH_DEBUG=1 (token latency by quarter-second, and the raw memory readings)

mod client;
mod stats;
mod upstream;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use client::{Seen, Via};
use stats::{cpu_ms, median, quantile, rss_kib};

const KEY: &str = "bench-stream-key-0123456789";

const HOSTILE_MANIFEST: &str = "name: hostile\nversion: 0.1.0\ndescription: Loops.\nauthor: Bench\nlicense: MIT\n\
    wit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
    operations:\n  attack: { description: Attack., params: { type: object } }\n\
    limits: { memory_mb: 32, timeout_ms: 20000 }\n";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A child process killed when dropped.
struct Running {
    child: Child,
    url: String,
    _work: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait for `listening on URL` in `log`.
fn wait_for_url(log: &Path, child: &mut Child) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(240);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(url) = text.lines().find_map(|l| l.strip_prefix("listening on ")) {
            return Ok(url.trim().to_owned());
        }
        if let Ok(Some(status)) = child.try_wait() {
            anyhow::bail!("exited ({status}):\n{text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::bail!("did not start: {}", log.display())
}

/// A fresh prax streaming from `upstream`, with the hostile test skill installed.
fn start_prax(prax: &Path, upstream: &str, streams: usize) -> anyhow::Result<Running> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let hostile =
        praximous_e2e::repo_root().join("skills-wasm/target/wasm32-wasip2/release/hostile.wasm");
    let wasm = std::fs::read(&hostile)
        .map_err(|e| anyhow::anyhow!("{}: {e} (make skills builds it)", hostile.display()))?;
    praximous_e2e::install_skill(&data, "hostile", HOSTILE_MANIFEST, &wasm);
    let config = work.path().join("praximous.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nmax_streams_per_key = {}\nmax_connections = {}\n\n[routing.rules]\nbench_route = [\"upstream\"]\n\n\
             [[providers]]\nname = \"upstream\"\ntype = \"openai\"\nmodel = \"bench\"\nbase_url = \"{upstream}\"\n\
             first_token_timeout_ms = 700000\n",
            streams * 4,
            streams * 8
        ),
    )?;
    let log = work.path().join("prax.out");
    let mut child = Command::new(prax)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .env("PRAXIMOUS_API_KEYS", KEY)
        .env(
            "PRAXIMOUS_TRUSTED_PUBLISHERS",
            praximous_e2e::TEST_PUBLISHER,
        )
        .env("PRAX_LOG", "warn")
        .stdout(std::fs::File::create(&log)?)
        .stderr(Stdio::null())
        .spawn()?;
    let url = wait_for_url(&log, &mut child)?;
    Ok(Running {
        child,
        url,
        _work: work,
    })
}

/// LiteLLM's proxy in front of `upstream`.
fn start_litellm(litellm: &Path, upstream: &str) -> anyhow::Result<Running> {
    let work = tempfile::tempdir()?;
    let config = work.path().join("litellm.yaml");
    std::fs::write(
        &config,
        format!(
            "model_list:\n  - model_name: bench\n    litellm_params:\n      model: openai/bench\n      api_base: {upstream}\n      api_key: sk-bench\n"
        ),
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = work.path().join("litellm.out");
    let mut child = Command::new(litellm)
        .arg("--config")
        .arg(&config)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--num_workers",
            "1",
        ])
        .env("LITELLM_LOG", "ERROR")
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .env(
            "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY",
            "true",
        )
        .stdout(std::fs::File::create(&log)?)
        .stderr(std::fs::File::create(work.path().join("litellm.err"))?)
        .spawn()?;
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
            anyhow::bail!("LiteLLM did not start; see {}", work.path().display());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(Running {
        child,
        url,
        _work: work,
    })
}

/// What one run of `n` concurrent streams measured.
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    token_p50_us: u64,
    token_p99_us: u64,
    ttft_p50_us: u64,
    ttft_p99_us: u64,
    completed: usize,
    tokens: usize,
}

async fn run(via: &Via, n: usize, limit: Duration) -> Run {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let via = via.clone();
            tokio::spawn(async move { client::stream(&via, "bench", limit).await })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut first = Vec::new();
    let mut completed = 0;
    let mut timeline = Vec::new();
    for task in tasks {
        let seen: Seen = task.await.unwrap_or_default();
        completed += usize::from(seen.completed);
        timeline.extend(
            seen.arrivals
                .iter()
                .copied()
                .zip(seen.latencies.iter().copied()),
        );
        latencies.extend(seen.latencies);
        if let Some(t) = seen.first_token {
            first.push(t.as_micros() as u64);
        }
    }
    if std::env::var_os("BENCH_DEBUG").is_some() {
        print_timeline(&timeline);
    }
    Run {
        token_p50_us: quantile(&mut latencies, 0.5),
        token_p99_us: quantile(&mut latencies, 0.99),
        ttft_p50_us: quantile(&mut first, 0.5),
        ttft_p99_us: quantile(&mut first, 0.99),
        completed,
        tokens: latencies.len(),
    }
}

/// Token latency quarter-second by quarter-second (`(arrival µs, latency µs)` pairs): whether
/// the tail comes from streams starting, ending, or the steady state between.
fn print_timeline(timeline: &[(u64, u64)]) {
    let Some(start) = timeline.iter().map(|&(at, _)| at).min() else {
        return;
    };
    let mut quarters = std::collections::BTreeMap::<u64, Vec<u64>>::new();
    for &(at, latency) in timeline {
        quarters
            .entry((at - start) / 250_000)
            .or_default()
            .push(latency);
    }
    for (quarter, mut latencies) in quarters {
        eprintln!(
            "    {:>5} ms  {:>6} tokens  p50 {:>6} µs  p99 {:>6} µs",
            quarter * 250,
            latencies.len(),
            quantile(&mut latencies, 0.5),
            quantile(&mut latencies, 0.99)
        );
    }
}

/// The median of `repeat` runs of one stream, figure by figure.
async fn single(via: &Via, repeat: usize, limit: Duration) -> Run {
    let mut runs = Vec::new();
    for _ in 0..repeat {
        runs.push(run(via, 1, limit).await);
    }
    let pick = |f: fn(&Run) -> u64| {
        let mut values: Vec<f64> = runs.iter().map(|r| f(r) as f64).collect();
        median(&mut values) as u64
    };
    Run {
        token_p50_us: pick(|r| r.token_p50_us),
        token_p99_us: pick(|r| r.token_p99_us),
        ttft_p50_us: pick(|r| r.ttft_p50_us),
        ttft_p99_us: pick(|r| r.ttft_p99_us),
        completed: runs.iter().map(|r| r.completed).sum(),
        tokens: runs.iter().map(|r| r.tokens).sum(),
    }
}

/// Resident memory added per open idle stream, KiB, on a fresh process `pid`: the growth from
/// `n` open idle streams to `4n`, divided by `3n`. The first `n` warm the allocator and every
/// buffer pool, whose slack would otherwise hide the cost of the next ones; the next `3n` make
/// the growth (tens of MiB) stand well above what the allocator's slack moves from run to run
/// (a few MiB). Each size is read once it has settled.
async fn memory_per_idle_stream(pid: u32, via: &Via, n: usize) -> f64 {
    let (release, held) = tokio::sync::watch::channel(false);
    let open = |count: usize| -> Vec<tokio::task::JoinHandle<()>> {
        (0..count)
            .map(|_| tokio::spawn(client::hold(via.clone(), held.clone())))
            .collect()
    };
    let mut holders = open(n);
    let before = settled_rss_kib(pid).await;
    holders.extend(open(3 * n));
    let after = settled_rss_kib(pid).await;
    if std::env::var_os("BENCH_DEBUG").is_some() {
        let ended = holders.iter().filter(|h| h.is_finished()).count();
        eprintln!(
            "rss at {n} streams {before} KiB, at {} {after} KiB; {ended} ended early",
            4 * n
        );
    }
    let _ = release.send(true);
    for holder in holders {
        let _ = holder.await;
    }
    after.saturating_sub(before) as f64 / (3 * n) as f64
}

/// `pid`'s resident size once it has stopped moving: after at least 4 s, when two readings a
/// second apart differ by under 128 KiB (at most 30 s).
async fn settled_rss_kib(pid: u32) -> u64 {
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut last = rss_kib(pid);
    for _ in 0..27 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = rss_kib(pid);
        if now.abs_diff(last) < 128 {
            return now;
        }
        last = now;
    }
    last
}

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

fn added(us: u64, direct: u64) -> String {
    format!("{:+.2} ms", (us as f64 - direct as f64) / 1000.0)
}

/// One stream: what each gateway adds when it is not busy (median of five runs).
async fn one_stream(vias: &[(&str, &Via)], limit: Duration) {
    println!(
        "One stream (median of 5 runs)          token p50   token p99   added p50   added p99   first token  added"
    );
    let mut base = None;
    for (name, via) in vias {
        let r = single(via, 5, limit).await;
        let direct = *base.get_or_insert(r);
        println!(
            "  {name:<36} {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>9}",
            ms(r.token_p50_us),
            ms(r.token_p99_us),
            added(r.token_p50_us, direct.token_p50_us),
            added(r.token_p99_us, direct.token_p99_us),
            ms(r.ttft_p50_us),
            added(r.ttft_p50_us, direct.ttft_p50_us)
        );
    }
}

/// `streams` streams at once through each of `vias`, `rounds` times with the gateways taking
/// turns within each round (so a slow moment of the machine falls on all of them, not on one);
/// each figure is the median over the rounds, and the added p99 is the median of each round's
/// difference from the direct run of the same round. prax's CPU per token where it is prax.
async fn many_streams(
    vias: &[(&str, &Via)],
    streams: usize,
    limit: Duration,
    prax: u32,
    rounds: usize,
) {
    println!(
        "\n{streams} concurrent streams, median of {rounds} rounds   done   token p50   token p99   added p99   first-token p50/p99     prax CPU per token"
    );
    // runs[via][round], with prax's CPU per token (µs) where measured.
    let mut runs: Vec<Vec<(Run, Option<f64>)>> = vec![Vec::new(); vias.len()];
    for _ in 0..rounds {
        for (i, (name, via)) in vias.iter().enumerate() {
            let cpu_before = cpu_ms(prax);
            let r = run(via, streams, limit).await;
            let cpu = cpu_ms(prax) - cpu_before;
            let per_token = (name.starts_with("prax") && r.tokens > 0)
                .then(|| cpu as f64 * 1000.0 / r.tokens as f64);
            runs[i].push((r, per_token));
        }
    }
    let med = |mut values: Vec<f64>| median(&mut values);
    for (i, (name, _)) in vias.iter().enumerate() {
        let of =
            |f: fn(&Run) -> u64| med(runs[i].iter().map(|(r, _)| f(r) as f64).collect()) as u64;
        let added_p99 = med(runs[i]
            .iter()
            .zip(&runs[0])
            .map(|((r, _), (direct, _))| r.token_p99_us as f64 - direct.token_p99_us as f64)
            .collect());
        let per_token: Vec<f64> = runs[i].iter().filter_map(|(_, cpu)| *cpu).collect();
        let per_token = if per_token.is_empty() {
            "–".into()
        } else {
            format!("{:.1} µs", med(per_token))
        };
        let completed = runs[i].iter().map(|(r, _)| r.completed).min().unwrap_or(0);
        println!(
            "  {name:<44} {completed:>4}  {:>10}  {:>10}  {:>+8.2} ms  {:>10} / {:<10}  {per_token}",
            ms(of(|r| r.token_p50_us)),
            ms(of(|r| r.token_p99_us)),
            added_p99 / 1000.0,
            ms(of(|r| r.ttft_p50_us)),
            ms(of(|r| r.ttft_p99_us))
        );
    }
}

/// The same load through SSE while a hostile skill spins on another connection.
async fn with_hostile_skill(prax: &str, sse: &Via, streams: usize, limit: Duration) {
    let url = format!("{prax}/api/v1/process");
    let hostile = tokio::spawn(async move {
        let _ = reqwest::Client::new()
            .post(url)
            .header("x-api-key", KEY)
            .json(&serde_json::json!({"task_type": "hostile", "prompt": "", "attack": "loop"}))
            .send()
            .await;
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = run(sse, streams, limit).await;
    hostile.abort();
    println!(
        "  {:<44} {:>4}  {:>10}  {:>10}  {:>11}  {:>10} / {:<10}",
        "prax SSE, a hostile skill looping (1 run)",
        r.completed,
        ms(r.token_p50_us),
        ms(r.token_p99_us),
        "",
        ms(r.ttft_p50_us),
        ms(r.ttft_p99_us)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest's TLS needs a crypto provider even for plain HTTP clients; the one prax uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut args = std::env::args().skip(1);
    let prax = PathBuf::from(args.next().unwrap_or_else(|| "target/release/prax".into()));
    let litellm = args.next().map(PathBuf::from).filter(|p| p.is_file());
    let streams = env_number("STREAMS", 512);
    let tokens = env_number("TOKENS", 200);
    let gap = Duration::from_millis(env_number("GAP_MS", 10) as u64);
    let sections = std::env::var("SECTIONS").unwrap_or_else(|_| "one,many,hostile,memory".into());
    let wanted = |name: &str| sections.split(',').any(|s| s.trim() == name);
    let upstream = upstream::start(upstream::Script { tokens, gap }).await?;
    let limit = gap * tokens as u32 + Duration::from_secs(90);
    println!(
        "{streams} streams × {tokens} tokens, one every {} ms; upstream {upstream}\n",
        gap.as_millis()
    );

    let server = start_prax(&prax, &upstream, streams)?;
    let direct = Via::OpenAi {
        base: upstream.clone(),
        key: None,
    };
    let sse = Via::Sse {
        base: server.url.clone(),
        key: KEY.into(),
    };
    let ws = Via::WebSocket {
        base: server.url.clone(),
        key: KEY.into(),
    };
    let gateway = match litellm
        .as_deref()
        .map(|path| start_litellm(path, &upstream))
        .transpose()
    {
        Ok(gateway) => gateway,
        Err(e) => {
            println!("LiteLLM: not run ({e})");
            None
        }
    };
    let litellm_via = gateway.as_ref().map(|g| Via::OpenAi {
        base: format!("{}/v1", g.url),
        key: None,
    });
    let mut vias: Vec<(&str, &Via)> = vec![
        ("direct", &direct),
        ("prax SSE", &sse),
        ("prax WebSocket", &ws),
    ];
    if let Some(via) = &litellm_via {
        vias.push(("LiteLLM", via));
    }
    if wanted("one") {
        one_stream(&vias, limit).await;
    }
    if wanted("many") {
        let rounds = env_number("ROUNDS", 3).max(1);
        many_streams(&vias, streams, limit, server.child.id(), rounds).await;
    }
    if wanted("hostile") {
        with_hostile_skill(&server.url, &sse, streams, limit).await;
    }
    drop(server);
    if wanted("memory") {
        println!(
            "\nMemory per open idle stream (from {streams} to {} open streams, fresh process)",
            4 * streams
        );
        for (name, websocket) in [("prax SSE", false), ("prax WebSocket", true)] {
            let fresh = start_prax(&prax, &upstream, streams)?;
            let via = if websocket {
                Via::WebSocket {
                    base: fresh.url.clone(),
                    key: KEY.into(),
                }
            } else {
                Via::Sse {
                    base: fresh.url.clone(),
                    key: KEY.into(),
                }
            };
            let kib = memory_per_idle_stream(fresh.child.id(), &via, streams).await;
            println!("  {name:<36} {kib:.1} KiB");
        }
        if let (Some(gateway), Some(via)) = (&gateway, &litellm_via) {
            let kib = memory_per_idle_stream(gateway.child.id(), via, streams).await;
            println!("  {:<36} {kib:.1} KiB (after its other runs)", "LiteLLM");
        }
    }
    Ok(())
}
