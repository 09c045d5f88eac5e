//! The `document_ingestion` skill puts documents into a collection from inside the sandbox:
//! text from the request, or a page fetched from a host the operator allows; only operator and
//! admin keys may; a document that cannot be read is refused with the reason.

use axum::Router;
use axum::routing::get as route_get;
use praximous_e2e::knowledge::{make_collection, search};
use praximous_e2e::{Answer, Server, client, client_with_key, post_json};
use serde_json::{Value, json};

const HANDBOOK: &str = "<!DOCTYPE html><html><head><title>Handbook</title><script>var x;</script></head>\
<body><nav>Home | About</nav><h1>Staff handbook</h1><h2>Bicycles</h2><p>Bicycles are stored in the \
basement cage, which opens with your badge.</p></body></html>";

/// A web server on 127.0.0.1 with one page; its `host:port`.
async fn site() -> anyhow::Result<String> {
    let app = Router::new().route(
        "/handbook",
        route_get(|| async { ([("content-type", "text/html")], HANDBOOK) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let authority = listener.local_addr()?.to_string();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(authority)
}

async fn ingest(server: &Server, key: Option<&str>, body: Value) -> anyhow::Result<Answer> {
    let mut body = body;
    body["task_type"] = json!("document_ingestion");
    if body.get("prompt").is_none() {
        body["prompt"] = json!("Add this document");
    }
    let http = match key {
        Some(key) => client_with_key(Some(key)),
        None => client(),
    };
    post_json(&http, &server.url("/api/v1/process"), &body).await
}

fn documents_found(answer: &Answer) -> Vec<String> {
    answer.json["passages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p["document"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn documents_go_in_from_text_and_from_allowed_hosts_for_operators_only() -> anyhow::Result<()>
{
    let authority = site().await?;
    let config = format!(
        "[skills.document_ingestion]\nallow_hosts = [\"{authority}\"]\nallow_cidrs = [\"127.0.0.0/8\"]\n"
    );
    let server = Server::start_with_config(&config, |_| {})?;
    make_collection(&server, "policies").await?;

    let added = ingest(
        &server,
        None,
        json!({"operation": "add_text", "collection": "policies", "id": "parking.md",
               "prompt": "# Parking\n\nStaff park in bays one to forty; visitors use the front row.",
               "tags": ["facilities"]}),
    )
    .await?;
    assert_eq!(added.status, 200, "{}", added.text);
    let result = &added.json["result"];
    assert_eq!(result["outcome"], "added", "{}", added.text);
    assert_eq!(result["document"], "parking.md");
    assert!(
        result["passages"].as_u64().unwrap_or_default() >= 1,
        "{}",
        added.text
    );
    let found = search(
        &server,
        "policies",
        &json!({"query": "where do visitors park", "filters": {"tags": ["facilities"]}}),
    )
    .await?;
    assert_eq!(
        documents_found(&found).first().map(String::as_str),
        Some("parking.md"),
        "{}",
        found.text
    );

    // The same text again changes nothing.
    let again = ingest(
        &server,
        None,
        json!({"collection": "policies", "id": "parking.md",
               "content": "# Parking\n\nStaff park in bays one to forty; visitors use the front row.",
               "tags": ["facilities"]}),
    )
    .await?;
    assert_eq!(
        again.json["result"]["outcome"], "unchanged",
        "{}",
        again.text
    );

    // A page fetched from an allowed host, read as HTML (no scripts or navigation).
    let fetched = ingest(
        &server,
        None,
        json!({"operation": "add_url", "collection": "policies",
               "url": format!("http://{authority}/handbook")}),
    )
    .await?;
    assert_eq!(fetched.status, 200, "{}", fetched.text);
    assert_eq!(
        fetched.json["result"]["document"], "handbook",
        "{}",
        fetched.text
    );
    let found = search(&server, "policies", &json!({"query": "bicycles basement"})).await?;
    assert_eq!(
        documents_found(&found).first().map(String::as_str),
        Some("handbook"),
        "{}",
        found.text
    );
    let text = found.json["passages"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(!text.contains("var x") && !text.contains("About"), "{text}");

    // A host the operator did not allow.
    let elsewhere = ingest(
        &server,
        None,
        json!({"operation": "add_url", "collection": "policies", "url": "http://203.0.113.9/doc.md"}),
    )
    .await?;
    assert_eq!(elsewhere.status, 403, "{}", elsewhere.text);

    // A file that is not what its name says is refused with the reason, and stores nothing.
    let broken = ingest(
        &server,
        None,
        json!({"collection": "policies", "id": "scan.pdf", "content": "not a PDF at all"}),
    )
    .await?;
    assert_eq!(broken.status, 400, "{}", broken.text);
    assert!(broken.text.contains("scan.pdf"), "{}", broken.text);

    // A user key may search, not add.
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "reader", "role": "user"}),
    )
    .await?;
    assert_eq!(made.status, 201, "{}", made.text);
    let user_key = made.json["key"].as_str().unwrap_or_default().to_owned();
    let denied = ingest(
        &server,
        Some(&user_key),
        json!({"collection": "policies", "id": "mine.md", "content": "# Mine\n\nMy own policy."}),
    )
    .await?;
    assert_eq!(denied.status, 403, "{}", denied.text);
    assert!(
        denied.text.contains("operators and admins"),
        "{}",
        denied.text
    );
    let listed = praximous_e2e::get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
    )
    .await?;
    let ids: Vec<&str> = listed
        .json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(ids, ["handbook", "parking.md"], "{}", listed.text);
    Ok(())
}
