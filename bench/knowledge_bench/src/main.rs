//! `knowledge-bench URL KEY COMMAND`: the knowledge base's benchmark driver (bench/knowledge.sh).
//!
//! - `ingest CHUNKS PER_DOC`: a generated corpus (fixed seed; Zipf-distributed words, as text
//!   is), one ~200-word passage per heading, uploaded to collection `bench` two documents at a
//!   time; prints chunks per second.
//! - `search QUERIES`: 2-4-word queries, one client, top 10; prints p50/p99 in ms.
//! - `load CLIENTS SECONDS`: that many clients searching at once; prints queries per second.
//! - `first`: one search, retried until it answers; prints how long that took in ms.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::json;

/// Words in the generated vocabulary.
const VOCABULARY: usize = 30_000;
/// Words per passage.
const WORDS: usize = 200;

/// A small, fixed-seed generator (xorshift64*): the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Word `rank` of the vocabulary: pronounceable, distinct.
fn word(rank: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "pi", "da", "ge", "ho", "ju", "qi", "be",
        "zo",
    ];
    let mut n = rank + 16;
    let mut text = String::new();
    while n > 0 {
        text.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    text
}

/// A Zipf(1.0)-distributed rank, by inverting the harmonic CDF approximately.
fn zipf(rng: &mut Rng, words: &[String]) -> usize {
    let h = (words.len() as f64).ln() + 0.5772;
    let target = rng.unit() * h;
    ((target - 0.5772).exp().floor() as usize).min(words.len() - 1)
}

fn passage(rng: &mut Rng, words: &[String]) -> String {
    let mut text = String::new();
    for i in 0..WORDS {
        if i > 0 {
            text.push(if i % 15 == 0 { '.' } else { ' ' });
            if i % 15 == 0 {
                text.push(' ');
            }
        }
        text.push_str(&words[zipf(rng, words)]);
    }
    text.push('.');
    text
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

struct Bench {
    http: reqwest::Client,
    url: String,
    key: String,
}

impl Bench {
    async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}{path}", self.url))
            .header("X-API-Key", &self.key)
            .json(body)
            .send()
            .await?)
    }

    async fn search(&self, query: &str) -> anyhow::Result<usize> {
        let response = self
            .post(
                "/api/v1/knowledge/collections/bench/search",
                &json!({"query": query, "top_k": 10, "mode": "lexical"}),
            )
            .await?;
        if !response.status().is_success() {
            bail!("search: {} {}", response.status(), response.text().await?);
        }
        let body: serde_json::Value = response.json().await?;
        Ok(body["passages"].as_array().map_or(0, Vec::len))
    }
}

/// Query `i`: 2-4 words from the middle of the vocabulary (neither stop-word-like nor unseen).
fn query(rng: &mut Rng, words: &[String]) -> String {
    let count = 2 + (rng.next() % 3) as usize;
    (0..count)
        .map(|_| words[20 + (rng.next() as usize % 3000)].clone())
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, command, rest @ ..] = args.as_slice() else {
        bail!(
            "usage: knowledge-bench URL KEY ingest CHUNKS PER_DOC | search QUERIES | load CLIENTS SECONDS | first"
        );
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bench = Bench {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?,
        url: url.clone(),
        key: key.clone(),
    };
    let words: Vec<String> = (0..VOCABULARY).map(word).collect();
    let number = |i: usize| -> anyhow::Result<usize> {
        rest.get(i)
            .context("missing a number")?
            .parse()
            .context("not a number")
    };
    match command.as_str() {
        "ingest" => {
            let (chunks, per_doc) = (number(0)?, number(1)?);
            let made = bench
                .post("/api/v1/knowledge/collections", &json!({"name": "bench"}))
                .await?;
            if !made.status().is_success() {
                bail!("create: {}", made.text().await?);
            }
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
            let documents: Vec<String> = (0..chunks.div_ceil(per_doc))
                .map(|d| {
                    let mut text = format!("# Report {d}\n\n");
                    for c in 0..per_doc.min(chunks - d * per_doc) {
                        text.push_str(&format!(
                            "## Section {c}\n\n{}\n\n",
                            passage(&mut rng, &words)
                        ));
                    }
                    text
                })
                .collect();
            let started = Instant::now();
            for pair in documents.chunks(2).enumerate() {
                let (index, pair) = pair;
                let mut form = reqwest::multipart::Form::new();
                for (offset, text) in pair.iter().enumerate() {
                    form = form.part(
                        "file",
                        reqwest::multipart::Part::text(text.clone())
                            .file_name(format!("doc{}.md", index * 2 + offset)),
                    );
                }
                let response = bench
                    .http
                    .post(format!(
                        "{}/api/v1/knowledge/collections/bench/documents",
                        bench.url
                    ))
                    .header("X-API-Key", &bench.key)
                    .multipart(form)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    bail!("upload: {}", response.text().await?);
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            println!("{:.0}", chunks as f64 / seconds);
        }
        "search" => {
            let queries = number(0)?;
            let mut rng = Rng(7);
            for _ in 0..50 {
                bench.search(&query(&mut rng, &words)).await?;
            }
            let mut times = Vec::with_capacity(queries);
            let mut empty = 0;
            for _ in 0..queries {
                let q = query(&mut rng, &words);
                let started = Instant::now();
                if bench.search(&q).await? == 0 {
                    empty += 1;
                }
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{:.3} {:.3} {empty}",
                percentile(&times, 0.5),
                percentile(&times, 0.99)
            );
        }
        "load" => {
            let (clients, seconds) = (number(0)?, number(1)?);
            let bench = std::sync::Arc::new(bench);
            let words = std::sync::Arc::new(words);
            let deadline = Instant::now() + Duration::from_secs(seconds as u64);
            let mut tasks = Vec::new();
            for client in 0..clients {
                let (bench, words) = (bench.clone(), words.clone());
                tasks.push(tokio::spawn(async move {
                    let mut rng = Rng(1000 + client as u64);
                    let mut done = 0u64;
                    while Instant::now() < deadline {
                        bench.search(&query(&mut rng, &words)).await?;
                        done += 1;
                    }
                    anyhow::Ok(done)
                }));
            }
            let mut total = 0;
            for task in tasks {
                total += task.await??;
            }
            println!("{:.0}", total as f64 / seconds as f64);
        }
        "first" => {
            let started = Instant::now();
            let mut rng = Rng(3);
            loop {
                if bench.search(&query(&mut rng, &words)).await.is_ok() {
                    break;
                }
                if started.elapsed() > Duration::from_secs(120) {
                    bail!("no answer within 120 s");
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            println!("{:.0}", started.elapsed().as_secs_f64() * 1000.0);
        }
        other => bail!("unknown command {other}"),
    }
    Ok(())
}
