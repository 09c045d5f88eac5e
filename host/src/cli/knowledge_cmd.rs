//! `prax knowledge`: a running server's knowledge base from the command line, through its
//! HTTP API (so keys, roles, the licence and the admin audit log apply as for any caller).

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

/// `prax knowledge` options.
#[derive(Debug, Args)]
pub struct KnowledgeArgs {
    /// The running server.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "PRAXIMOUS_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub url: String,
    /// The API key to call it with (an operator's to change anything).
    #[arg(
        long,
        global = true,
        value_name = "KEY",
        env = "PRAXIMOUS_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: KnowledgeCommand,
}

/// `prax knowledge` subcommands.
#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// List the collections.
    Collections,
    /// Make a collection.
    Create {
        /// Its name: lower-case letters, digits, `_` and `-`.
        name: String,
        /// What it holds.
        #[arg(long, default_value = "")]
        description: String,
        /// The route whose providers embed its passages, when not `[knowledge] embedding_route`.
        #[arg(long)]
        embedding_route: Option<String>,
    },
    /// Delete a collection and every document in it.
    Delete {
        /// The collection.
        name: String,
    },
    /// Upload documents (plain text, Markdown, HTML or PDF) in one go: either all are stored or, if one
    /// cannot be, none.
    Add {
        /// The collection.
        collection: String,
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Tags for every file, separated by commas.
        #[arg(long)]
        tags: Option<String>,
        /// Every file's date, YYYY-MM-DD.
        #[arg(long)]
        date: Option<String>,
    },
    /// List a collection's documents.
    Documents {
        /// The collection.
        collection: String,
    },
    /// Delete one document.
    Remove {
        /// The collection.
        collection: String,
        /// The document's id.
        document: String,
    },
    /// Search a collection for passages.
    Search {
        /// The collection.
        collection: String,
        /// What to look for.
        #[arg(required = true)]
        query: Vec<String>,
        /// How many passages.
        #[arg(long, default_value_t = 5)]
        top_k: usize,
        /// By words and meaning (`hybrid`), meaning alone (`vector`) or words alone (`lexical`).
        #[arg(long, default_value = "hybrid", value_parser = ["hybrid", "vector", "lexical"])]
        mode: String,
    },
}

struct Api {
    http: reqwest::Client,
    base: reqwest::Url,
    key: Option<String>,
}

impl Api {
    fn url(&self, path: &str) -> anyhow::Result<reqwest::Url> {
        self.base
            .join(path)
            .with_context(|| format!("cannot make an address from {path}"))
    }

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> anyhow::Result<reqwest::RequestBuilder> {
        let mut request = self.http.request(method, self.url(path)?);
        if let Some(key) = &self.key {
            request = request.header("X-API-Key", key);
        }
        Ok(request)
    }

    /// Send `request`; the JSON answer, or the server's `detail` as the error.
    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request.send().await.with_context(|| {
            format!(
                "cannot reach prax at {}: is it running? (--url or PRAXIMOUS_URL)",
                self.base
            )
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        let detail = body["detail"].as_str().map_or(text.clone(), str::to_owned);
        if status.as_u16() == 401 {
            bail!("{detail} (give a key with --api-key or PRAXIMOUS_API_KEY)");
        }
        bail!("{detail} (HTTP {})", status.as_u16())
    }
}

fn collection_path(name: &str) -> String {
    format!("/api/v1/knowledge/collections/{}", percent(name))
}

/// `text` as one URL path segment.
fn percent(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Run `prax knowledge`.
pub fn run(args: KnowledgeArgs) -> anyhow::Result<()> {
    let base = reqwest::Url::parse(&args.url).with_context(|| {
        format!(
            "--url {}: not a URL; give the server's address, e.g. http://127.0.0.1:8000",
            args.url
        )
    })?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let api = Api {
        http: reqwest::Client::new(),
        base,
        key: args.api_key,
    };
    runtime.block_on(command(&api, args.command))
}

async fn command(api: &Api, command: KnowledgeCommand) -> anyhow::Result<()> {
    use reqwest::Method;
    match command {
        KnowledgeCommand::Collections => {
            let list = api
                .send(api.request(Method::GET, "/api/v1/knowledge/collections")?)
                .await?;
            let rows = list.as_array().cloned().unwrap_or_default();
            if rows.is_empty() {
                println!("no collections yet; make one with `prax knowledge create NAME`");
            }
            for c in rows {
                println!(
                    "{}\t{} documents\t{} passages\t{}",
                    c["name"].as_str().unwrap_or_default(),
                    c["documents"],
                    c["chunks"],
                    c["description"].as_str().unwrap_or_default()
                );
            }
        }
        KnowledgeCommand::Create {
            name,
            description,
            embedding_route,
        } => {
            api.send(
                api.request(Method::POST, "/api/v1/knowledge/collections")?
                    .json(&json!({"name": name, "description": description,
                                  "embedding_route": embedding_route})),
            )
            .await?;
            println!("made collection {name}");
        }
        KnowledgeCommand::Delete { name } => {
            api.send(api.request(Method::DELETE, &collection_path(&name))?)
                .await?;
            println!("deleted collection {name}");
        }
        KnowledgeCommand::Add {
            collection,
            files,
            tags,
            date,
        } => add(api, &collection, &files, tags, date).await?,
        KnowledgeCommand::Documents { collection } => {
            let list = api
                .send(api.request(
                    Method::GET,
                    &format!("{}/documents", collection_path(&collection)),
                )?)
                .await?;
            for d in list.as_array().cloned().unwrap_or_default() {
                println!(
                    "{}\t{}\t{} passages\t{}\t{}",
                    d["id"].as_str().unwrap_or_default(),
                    d["title"].as_str().unwrap_or_default(),
                    d["chunks"],
                    d["date"].as_str().unwrap_or_default(),
                    d["tags"]
                        .as_array()
                        .map(|t| t
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(","))
                        .unwrap_or_default()
                );
            }
        }
        KnowledgeCommand::Remove {
            collection,
            document,
        } => {
            api.send(api.request(
                Method::DELETE,
                &format!(
                    "{}/documents/{}",
                    collection_path(&collection),
                    percent(&document)
                ),
            )?)
            .await?;
            println!("removed {document} from {collection}");
        }
        KnowledgeCommand::Search {
            collection,
            query,
            top_k,
            mode,
        } => {
            let answer = api
                .send(
                    api.request(
                        Method::POST,
                        &format!("{}/search", collection_path(&collection)),
                    )?
                    .json(&json!({"query": query.join(" "), "top_k": top_k, "mode": mode})),
                )
                .await?;
            if let Some(note) = answer["note"].as_str() {
                eprintln!("note: {note}");
            }
            let passages = answer["passages"].as_array().cloned().unwrap_or_default();
            if passages.is_empty() {
                println!("nothing in {collection} matches");
            }
            for p in passages {
                let headings: Vec<&str> = p["heading_path"]
                    .as_array()
                    .map(|h| h.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                println!(
                    "[{}] {} ({}) score {:.2}\n{}\n",
                    p["rank"],
                    p["document"].as_str().unwrap_or_default(),
                    headings.join(" › "),
                    p["score"].as_f64().unwrap_or_default(),
                    p["text"].as_str().unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

/// Bytes sent per step of the progress bar.
const STEP: usize = 64 * 1024;

async fn add(
    api: &Api,
    collection: &str,
    files: &[PathBuf],
    tags: Option<String>,
    date: Option<String>,
) -> anyhow::Result<()> {
    let mut contents = Vec::with_capacity(files.len());
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .with_context(|| format!("{} is not a file", path.display()))?;
        contents.push((name, bytes));
    }
    let total: usize = contents.iter().map(|(_, b)| b.len()).sum();
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("uploading {} file(s)", contents.len()));
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in contents {
        let length = bytes.len() as u64;
        let progress = bar.clone();
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
            bytes.chunks(STEP).map(|c| Ok(c.to_vec())).collect();
        let counted = futures_util::stream::iter(pieces).inspect(move |piece| {
            if let Ok(piece) = piece {
                progress.inc(piece.len() as u64);
            }
        });
        let part = reqwest::multipart::Part::stream_with_length(
            reqwest::Body::wrap_stream(counted),
            length,
        )
        .file_name(name);
        form = form.part("file", part);
    }
    if let Some(tags) = tags {
        form = form.text("tags", tags);
    }
    if let Some(date) = date {
        form = form.text("date", date);
    }
    let answer = api
        .send(
            api.request(
                reqwest::Method::POST,
                &format!("{}/documents", collection_path(collection)),
            )?
            .multipart(form),
        )
        .await;
    bar.finish_and_clear();
    let answer = answer?;
    for d in answer["documents"].as_array().cloned().unwrap_or_default() {
        println!(
            "{}: {} ({} passages)",
            d["id"].as_str().unwrap_or_default(),
            d["outcome"].as_str().unwrap_or_default(),
            d["chunks"]
        );
    }
    Ok(())
}
