//! `web_scraper` and the operator's `[skills.<name>]` tables, on the real binary against real
//! HTTP servers on 127.0.0.1: the skill reaches exactly the hosts the operator allows it, reads
//! its own settings (one from an environment variable) and no other skill's, and keeps to its
//! size and time limits.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use praximous_e2e::registry::config_check;
use praximous_e2e::{Answer, Server, client, post_json};
use serde_json::{Value, json};

const PAGE: &str = r#"<!doctype html><html><head><title>Widgets Ltd</title>
<style>.price { color: green }</style><script>var tracking = "do not read me";</script></head>
<body><h1>Our widgets</h1><p class="price">12.50</p><p class="price">8.00</p>
<a href="/about.html">About us</a> <a href="http://other.example/catalogue">Catalogue</a></body></html>"#;

/// A small web site that records the User-Agent of every request it gets.
struct Site {
    authority: String,
    agents: Arc<Mutex<Vec<String>>>,
}

impl Site {
    async fn start(forbidden: String) -> anyhow::Result<Self> {
        let agents = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/page.html", get(page))
            .route("/moved", get(|| async { Redirect::to("/page.html") }))
            .route(
                "/away",
                get(move || async move { Redirect::to(&format!("http://{forbidden}/x")) }),
            )
            .route("/big", get(|| async { "x".repeat(64 * 1024) }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route(
                "/missing",
                get(|| async { (StatusCode::NOT_FOUND, "no such page") }),
            )
            .with_state(agents.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let authority = listener.local_addr()?.to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { authority, agents })
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.authority)
    }

    fn agents(&self) -> Vec<String> {
        self.agents.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

async fn page(
    State(agents): State<Arc<Mutex<Vec<String>>>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut agents) = agents.lock() {
        agents.push(agent);
    }
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE)
}

/// A server whose configuration is `config`, with `SCRAPER_TEST_UA` in its environment.
fn server(config: &str) -> anyhow::Result<Server> {
    Server::start_with_config_and_env(
        config,
        &[("SCRAPER_TEST_UA", "AcmeBot/2.0 (from the environment)")],
    )
}

async fn scrape(server: &Server, body: Value) -> Answer {
    let mut body = body;
    body["task_type"] = json!("web_scraper");
    body["prompt"] = json!("scrape");
    post_json(&client(), &server.url("/api/v1/process"), &body)
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
}

async fn ok(server: &Server, body: Value) -> Value {
    let answer = scrape(server, body.clone()).await;
    assert_eq!(answer.status, 200, "{body}: {}", answer.text);
    answer.json["result"].clone()
}

async fn refused(server: &Server, body: Value, status: u16, detail: &str) {
    let answer = scrape(server, body.clone()).await;
    assert_eq!(answer.status, status, "{body}: {}", answer.text);
    assert_eq!(answer.json["detail"], detail, "{body}");
}

#[tokio::test]
async fn the_scraper_reads_pages_from_allowed_hosts_with_its_own_settings() -> anyhow::Result<()> {
    // A listener nothing may reach: a connection would wait in its backlog, where we look.
    let forbidden = TcpListener::bind("127.0.0.1:0")?;
    forbidden.set_nonblocking(true)?;
    let forbidden_authority = forbidden.local_addr()?.to_string();
    let site = Site::start(forbidden_authority.clone()).await?;
    let config = format!(
        "[skills.web_scraper]\nallow_hosts = [\"{}\"]\nallow_cidrs = [\"127.0.0.0/8\"]\nuser_agent = {{ env = \"SCRAPER_TEST_UA\" }}\n\
         max_bytes = 16384\ntimeout_ms = 700\n\n\
         [skills.echo]\nuser_agent = \"echo's setting, never the scraper's\"\n",
        site.authority
    );
    let server = server(&config)?;

    let content = ok(&server, json!({"url": site.url("/page.html")})).await;
    assert_eq!(content["status"], 200);
    assert_eq!(content["raw_html_length"], PAGE.chars().count());
    assert_eq!(
        content["content_preview"],
        format!("{}...", PAGE.chars().take(500).collect::<String>())
    );
    assert_eq!(
        site.agents(),
        ["AcmeBot/2.0 (from the environment)"],
        "the skill sent its own setting, read from the environment"
    );

    let text = ok(
        &server,
        json!({"operation": "extract_text", "url": site.url("/page.html")}),
    )
    .await;
    let expected = "Widgets Ltd Our widgets 12.50 8.00 About us Catalogue";
    assert_eq!(text["text_preview"], format!("{expected}..."));
    assert_eq!(text["extracted_text_length"], expected.len());

    let prices = ok(
        &server,
        json!({"operation": "extract_elements", "url": site.url("/page.html"), "selector": "p.price"}),
    )
    .await;
    assert_eq!(prices["elements_found"], 2);
    assert_eq!(prices["extracted_elements"], json!(["12.50", "8.00"]));

    // Redirects are followed; links resolve against the page they were found on.
    let links = ok(
        &server,
        json!({"operation": "extract_links", "url": site.url("/moved")}),
    )
    .await;
    assert_eq!(links["links_found"], 2);
    assert_eq!(
        links["links"],
        json!([
            {"text": "About us", "href": site.url("/about.html")},
            {"text": "Catalogue", "href": "http://other.example/catalogue"},
        ])
    );

    let denied = "Network access denied (Details: This skill may not fetch from '127.0.0.1'. An operator can allow it with `allow_hosts` in the [skills.web_scraper] table of the configuration.)";
    refused(
        &server,
        json!({"url": format!("http://{forbidden_authority}/x")}),
        403,
        denied,
    )
    .await;
    refused(&server, json!({"url": site.url("/away")}), 403, denied).await;
    assert!(
        forbidden.accept().is_err(),
        "no connection reached the host the operator did not allow"
    );

    refused(
        &server,
        json!({"url": site.url("/big")}),
        400,
        &format!(
            "Page too large (Details: The page at '{}' is larger than 16384 bytes, the limit set for this skill (`max_bytes`).)",
            site.url("/big")
        ),
    )
    .await;
    refused(
        &server,
        json!({"url": site.url("/slow")}),
        400,
        &format!(
            "Network Error (Details: Could not fetch URL '{}' in time (`timeout_ms` for this skill).)",
            site.url("/slow")
        ),
    )
    .await;
    refused(
        &server,
        json!({"url": site.url("/missing")}),
        400,
        &format!(
            "API Error (Details: Failed to fetch URL '{}'. Status: 404)",
            site.url("/missing")
        ),
    )
    .await;

    for (body, detail) in [
        (
            json!({"operation": "extract_text"}),
            "Input Error (Details: 'url' parameter is required.)",
        ),
        (
            json!({"operation": "extract_elements", "url": site.url("/page.html")}),
            "Input Error (Details: 'selector' (CSS selector) is required for 'extract_elements' operation.)",
        ),
        (
            json!({"url": "ftp://127.0.0.1/file"}),
            "Input Error (Details: 'ftp://127.0.0.1/file' is not an http or https URL.)",
        ),
        (
            json!({"operation": "screenshot", "url": site.url("/page.html")}),
            "Unsupported Operation (Details: Operation 'screenshot' is not supported.)",
        ),
    ] {
        refused(&server, body, 400, detail).await;
    }
    let bad_selector = scrape(
        &server,
        json!({"operation": "extract_elements", "url": site.url("/page.html"), "selector": "p[["}),
    )
    .await;
    assert_eq!(bad_selector.status, 400, "{}", bad_selector.text);
    assert!(
        bad_selector.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("'p[[' is not a valid CSS selector")),
        "{}",
        bad_selector.text
    );
    assert_eq!(
        site.agents().len(),
        4,
        "the refused requests never reached the page"
    );
    Ok(())
}

#[tokio::test]
async fn without_an_allow_list_the_scraper_reaches_nothing() -> anyhow::Result<()> {
    let site = Site::start("127.0.0.1:9".into()).await?;
    // Another skill's allow-list does not count for this one.
    let config = format!("[skills.echo]\nallow_hosts = [\"{}\"]\n", site.authority);
    let server = server(&config)?;
    let answer = scrape(&server, json!({"url": site.url("/page.html")})).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert!(site.agents().is_empty(), "the site was never reached");
    Ok(())
}

#[test]
fn bad_skill_tables_stop_start_up_naming_the_key() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let check = |text: &str| config_check(work.path(), text);
    check("[skills.web_scraper]\nallow_hosts = [\"https://docs.example.com/\"]\n").fails_with(
        "`skills.web_scraper.allow_hosts[0]` `https://docs.example.com/` is not a host name",
        "a URL where a host name belongs",
    );
    check("[skills.web_scraper]\napi_key = { file = \"/etc/key\" }\n").fails_with(
        "`skills.web_scraper.api_key` as a table must be `{ env = \"VARIABLE\" }`",
        "a table that is not an environment variable",
    );
    check("[skills.Web_Scraper]\nx = 1\n").fails_with(
        "`skills.Web_Scraper` is not a skill name",
        "a bad skill name",
    );
    check("[skills]\nmax_concurent = 4\n").fails_with(
        "max_concurrent",
        "a misspelt [skills] setting is still an unknown key, with the valid ones listed",
    );
    check("[skills]\nmax_concurrent = 4\n\n[skills.web_scraper]\nallow_hosts = [\"docs.example.com\", \"127.0.0.1:8080\"]\nuser_agent = \"Bot\"\n")
        .ok("a valid table");
    Ok(())
}

#[tokio::test]
async fn a_redirect_to_an_address_outside_the_allowed_range_is_refused() -> anyhow::Result<()> {
    // The redirect's target is named in allow_hosts, but sits at a loopback address outside
    // the one range the operator allows: every hop is checked by the address it connects to.
    let quiet = TcpListener::bind("127.0.0.2:0")?;
    quiet.set_nonblocking(true)?;
    let quiet_authority = quiet.local_addr()?.to_string();
    let site = Site::start(quiet_authority.clone()).await?;
    let config = format!(
        "[skills.web_scraper]\nallow_hosts = [\"{}\", \"{quiet_authority}\"]\nallow_cidrs = [\"127.0.0.1/32\"]\n",
        site.authority
    );
    let server = server(&config)?;
    let answer = scrape(&server, json!({"url": site.url("/away")})).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert!(
        answer.text.contains("resolves to an internal address")
            && answer.text.contains("allow_cidrs"),
        "{}",
        answer.text
    );
    assert!(
        answer.text.contains("'127.0.0.2'"),
        "the refused hop is the redirect's: {}",
        answer.text
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        quiet.accept().is_err(),
        "the refused hop opened no connection"
    );
    Ok(())
}
