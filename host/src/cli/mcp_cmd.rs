//! `prax mcp --stdio`: the skills of a running server as MCP tools, over standard input and
//! output, for clients that launch a local process.

use anyhow::Context as _;
use clap::Args;

use crate::mcp_bridge::{self, Target};

/// `prax mcp` options.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Speak MCP over standard input and output (the only transport of this command; the
    /// server itself serves Streamable HTTP at /mcp).
    #[arg(long, required = true)]
    pub stdio: bool,
    /// The running server.
    #[arg(
        long,
        value_name = "URL",
        env = "PRAXIMOUS_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub url: String,
    /// The API key to call it with.
    #[arg(
        long,
        value_name = "KEY",
        env = "PRAXIMOUS_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
}

/// Bridge stdin and stdout to the server's `/mcp` until the client closes stdin.
pub fn run(args: McpArgs) -> anyhow::Result<()> {
    let base = reqwest::Url::parse(&args.url).with_context(|| {
        format!(
            "--url {}: not a URL; give the server's address, e.g. http://127.0.0.1:8000",
            args.url
        )
    })?;
    let endpoint = base
        .join("/mcp")
        .with_context(|| format!("--url {}: cannot make the /mcp address from it", args.url))?;
    if args.api_key.is_none() {
        eprintln!(
            "prax mcp: no API key (--api-key or PRAXIMOUS_API_KEY); the server will refuse the calls unless its authentication is off"
        );
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let target = Target {
        endpoint,
        api_key: args.api_key,
    };
    runtime.block_on(mcp_bridge::run(
        target,
        tokio::io::BufReader::new(tokio::io::stdin()),
        tokio::io::stdout(),
    ))?;
    Ok(())
}
