//! `prax healthcheck`: asks a running server's `/healthz` and exits 0 when it answers 200.
//! The container image's `HEALTHCHECK` runs it, since the image has no shell or curl.

use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;

/// `prax healthcheck` options.
#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The server to ask.
    #[arg(
        long,
        value_name = "URL",
        env = "PRAXIMOUS_HEALTHCHECK_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub url: String,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub timeout: u64,
}

/// Ask `/healthz`; an error says why the server is not healthy.
pub fn run(args: HealthcheckArgs) -> anyhow::Result<()> {
    let base = reqwest::Url::parse(&args.url).with_context(|| {
        format!(
            "--url {}: not a URL; give the server's address, e.g. http://127.0.0.1:8000",
            args.url
        )
    })?;
    let endpoint = base
        .join("/healthz")
        .with_context(|| format!("--url {}: cannot make the /healthz address", args.url))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(args.timeout.max(1)))
            .build()
            .context("cannot make an HTTP client")?;
        let answer = client
            .get(endpoint.clone())
            .send()
            .await
            .with_context(|| format!("{endpoint}: no answer"))?;
        if !answer.status().is_success() {
            bail!("{endpoint}: answered {}", answer.status());
        }
        Ok(())
    })
}
