//! The tests' stand-in LLM provider as a standalone server, answering instantly.
//! Usage: `llm-standin openai|gemini|ollama|anthropic`; prints `listening on BASE_URL`.

use praximous_e2e::standin::{Flavour, StandIn};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let flavour = match std::env::args().nth(1).as_deref() {
        Some("gemini") => Flavour::Gemini,
        Some("ollama") => Flavour::Ollama,
        Some("anthropic") => Flavour::Anthropic,
        _ => Flavour::Openai,
    };
    let standin = StandIn::start(flavour, None).await?;
    println!("listening on {}", standin.base_url);
    std::future::pending::<()>().await;
    Ok(())
}
