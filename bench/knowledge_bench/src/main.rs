//! `knowledge-bench COMMAND ...`: the knowledge base's benchmark driver (bench/knowledge.sh).
//!
//! - `embedder PORT_FILE DIM`: serve the generated vectors as an OpenAI-compatible embedding
//!   provider until killed (writes its base URL to PORT_FILE).
//! - `ingest URL KEY CHUNKS PER_DOC`: make collection `bench` and upload the generated corpus,
//!   two documents at a time; prints chunks per second.
//! - `layout URL KEY`: the position of a document's first passage (learnt from a hit).
//! - `search URL KEY MODE QUERIES CHECKED DIM CHUNKS`: top-10 searches by MODE, one client;
//!   prints p50 and p99 (ms), searches that found nothing, and recall@10 of the first CHECKED
//!   against exact search (vector and hybrid modes).
//! - `load URL KEY MODE CLIENTS SECONDS`: that many clients at once; prints queries per second.
//! - `first URL KEY MODE`: one search, retried until it answers; prints how long that took (ms).
//! - `inproc DATA MODEL DIM EF QUERIES CHECKED CHUNKS PER_DOC FIRST PRECISION`: the saved
//!   meaning index opened and searched in-process; prints open ms, p50, p99, recall@10, memory
//!   / raw vectors.
//! - `build DIM CHUNKS PER_DOC EF_ADD EF PRECISION QUERIES CHECKED`: a meaning index built
//!   in-process, a document at a time as the server does; prints chunks/s, memory / raw
//!   vectors, p50, p99, recall@10.
//! - `dump DIR CHUNKS DIM QUERIES CHECKED`: the vectors and the exact answers, for Chroma.
//! - `embedcall EMBEDDER_URL QUERIES`: one question embedded by the stand-in, alone (what a
//!   search by meaning spends outside the index); prints p50 and p99 in ms.

mod corpus;
mod embedder;
mod http;
mod inproc;
mod space;
mod stats;

use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::json;

use corpus::{Rng, VOCABULARY, query, word};
use http::Api;
use stats::percentile;

fn number(args: &[String], i: usize) -> anyhow::Result<usize> {
    args.get(i)
        .with_context(|| format!("argument {} is missing", i + 1))?
        .parse()
        .with_context(|| format!("argument {} is not a number", i + 1))
}

fn api(args: &[String]) -> anyhow::Result<Api> {
    let [url, key, ..] = args else {
        bail!("URL and KEY first");
    };
    Ok(Api {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?,
        url: url.clone(),
        key: key.clone(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        bail!("usage: knowledge-bench COMMAND ... (see the source's first lines)");
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let words: Vec<String> = (0..VOCABULARY).map(word).collect();
    match command.as_str() {
        "embedder" => {
            let port_file = rest.first().context("PORT_FILE")?;
            embedder::serve(port_file, number(rest, 1)?).await?;
        }
        "ingest" => {
            let api = api(rest)?;
            let (chunks, per_doc) = (number(rest, 2)?, number(rest, 3)?);
            let made = api
                .post("/api/v1/knowledge/collections", &json!({"name": "bench"}))
                .await?;
            if !made.status().is_success() {
                bail!("create: {}", made.text().await?);
            }
            let documents = corpus::documents(chunks, per_doc);
            let started = Instant::now();
            api.upload(&documents).await?;
            println!("{:.0}", chunks as f64 / started.elapsed().as_secs_f64());
        }
        "layout" => {
            let api = api(rest)?;
            let hits = api.search("ref p0000000", "lexical").await?;
            let hit = hits
                .iter()
                .find(|f| f.number == 0)
                .context("passage 0 not found by its tag")?;
            anyhow::ensure!(
                hit.document == "doc0.md",
                "passage 0 is in {}",
                hit.document
            );
            println!("{}", hit.position);
        }
        "search" => {
            let api = api(rest)?;
            let mode = rest.get(2).context("MODE")?.as_str();
            let (queries, checked, dim, chunks) = (
                number(rest, 3)?,
                number(rest, 4)?,
                number(rest, 5)?,
                number(rest, 6)?,
            );
            let all = if mode == "lexical" {
                Vec::new()
            } else {
                space::all_passages(chunks, dim)
            };
            let mut rng = Rng(7);
            for q in 0..50 {
                api.search(&query(&mut rng, &words, 100_000 + q), mode)
                    .await?;
            }
            let mut times = Vec::with_capacity(queries);
            let (mut empty, mut recalls) = (0, Vec::new());
            for q in 0..queries {
                let text = query(&mut rng, &words, q);
                let started = Instant::now();
                let found = api.search(&text, mode).await?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                if found.is_empty() {
                    empty += 1;
                }
                if q < checked && !all.is_empty() {
                    let numbers: Vec<usize> = found.iter().map(|f| f.number).collect();
                    let truth = space::exact_top(&all, dim, &space::query(q, dim), 10);
                    recalls.push(space::recall(&truth, &numbers));
                }
            }
            times.sort_by(f64::total_cmp);
            let recall = if recalls.is_empty() {
                "-".to_owned()
            } else {
                format!("{:.3}", recalls.iter().sum::<f64>() / recalls.len() as f64)
            };
            println!(
                "{:.3} {:.3} {empty} {recall}",
                percentile(&times, 0.5),
                percentile(&times, 0.99)
            );
        }
        "load" => {
            let api = std::sync::Arc::new(api(rest)?);
            let mode = rest.get(2).context("MODE")?.clone();
            let (clients, seconds) = (number(rest, 3)?, number(rest, 4)?);
            let words = std::sync::Arc::new(words);
            let deadline = Instant::now() + Duration::from_secs(seconds as u64);
            let mut tasks = Vec::new();
            for client in 0..clients {
                let (api, words, mode) = (api.clone(), words.clone(), mode.clone());
                tasks.push(tokio::spawn(async move {
                    let mut rng = Rng(1000 + client as u64);
                    let mut done = 0usize;
                    while Instant::now() < deadline {
                        api.search(&query(&mut rng, &words, client * 1_000_000 + done), &mode)
                            .await?;
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
            let api = api(rest)?;
            let mode = rest.get(2).context("MODE")?.as_str();
            let started = Instant::now();
            let mut rng = Rng(3);
            loop {
                if api.search(&query(&mut rng, &words, 7), mode).await.is_ok() {
                    break;
                }
                if started.elapsed() > Duration::from_secs(300) {
                    bail!("no answer within 300 s");
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            println!("{:.0}", started.elapsed().as_secs_f64() * 1000.0);
        }
        "inproc" => {
            let data = std::path::PathBuf::from(rest.first().context("DATA")?);
            let model = rest.get(1).context("MODEL")?;
            let dim = number(rest, 2)?;
            let all = space::all_passages(number(rest, 6)?, dim);
            let measured = inproc::measure(&inproc::Run {
                data: &data,
                model,
                dim,
                ef: number(rest, 3)?,
                queries: number(rest, 4)?,
                checked: number(rest, 5)?,
                all: &all,
                layout: inproc::Layout {
                    per_doc: number(rest, 7)?,
                    first: number(rest, 8)? as u64,
                },
                precision: inproc::precision(rest.get(9).map_or("f16", String::as_str))?,
            })?;
            println!(
                "{:.0} {:.3} {:.3} {:.3} {:.2}",
                measured.open_ms,
                measured.p50,
                measured.p99,
                measured.recall,
                measured.memory_ratio
            );
        }
        "build" => {
            let dim = number(rest, 0)?;
            let built = inproc::build(&inproc::Build {
                dim,
                chunks: number(rest, 1)?,
                per_doc: number(rest, 2)?,
                expansion_add: number(rest, 3)?,
                expansion_search: number(rest, 4)?,
                precision: inproc::precision(rest.get(5).context("PRECISION")?)?,
                queries: number(rest, 6)?,
                checked: number(rest, 7)?,
            })?;
            println!(
                "{:.0} {:.2} {:.3} {:.3} {:.3}",
                built.rate, built.memory_ratio, built.p50, built.p99, built.recall
            );
        }
        "dump" => {
            let dir = std::path::PathBuf::from(rest.first().context("DIR")?);
            let (chunks, dim, queries, checked) = (
                number(rest, 1)?,
                number(rest, 2)?,
                number(rest, 3)?,
                number(rest, 4)?,
            );
            let all = space::all_passages(chunks, dim);
            let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
            std::fs::write(dir.join("passages.f32"), bytes(&all))?;
            let mut asked = Vec::with_capacity(queries * dim);
            let mut truth = std::fs::File::create(dir.join("truth.u32"))?;
            for q in 0..queries {
                let vector = space::query(q, dim);
                if q < checked {
                    for n in space::exact_top(&all, dim, &vector, 10) {
                        truth.write_all(&(n as u32).to_le_bytes())?;
                    }
                }
                asked.extend(vector);
            }
            std::fs::write(dir.join("queries.f32"), bytes(&asked))?;
        }
        "embedcall" => {
            let url = rest.first().context("EMBEDDER_URL")?;
            let queries = number(rest, 1)?;
            let http = reqwest::Client::new();
            let mut times = Vec::with_capacity(queries);
            for q in 0..queries + 50 {
                let started = Instant::now();
                let response = http
                    .post(format!("{url}/embeddings"))
                    .json(
                        &json!({"model": "bench-embed", "input": [corpus::query_tag(q)],
                                  "encoding_format": "float"}),
                    )
                    .send()
                    .await?;
                let _: serde_json::Value = response.json().await?;
                if q >= 50 {
                    times.push(started.elapsed().as_secs_f64() * 1000.0);
                }
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{:.3} {:.3}",
                percentile(&times, 0.5),
                percentile(&times, 0.99)
            );
        }
        other => bail!("unknown command {other}"),
    }
    Ok(())
}
