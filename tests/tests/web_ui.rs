//! The web UI as the real binary serves it: without a key, with client-side routes answering
//! `index.html` (so a reload works), hashed assets cached for good, and nothing else widened:
//! unknown paths stay 404 and the API still wants its key.

use praximous_e2e::{Server, client_with_key};

#[tokio::test]
async fn the_ui_is_served_at_its_routes_and_nowhere_else() -> anyhow::Result<()> {
    let server = Server::start()?;
    let anonymous = client_with_key(None);

    let index = anonymous.get(server.url("/")).send().await?;
    assert_eq!(index.status(), 200);
    let headers = index.headers().clone();
    let html = index.text().await?;
    assert!(html.contains("<div id=\"root\"></div>"), "{html}");
    assert_eq!(headers["content-type"], "text/html");
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(
        headers["content-security-policy"]
            .to_str()?
            .contains("frame-ancestors 'none'")
    );

    for route in [
        "/signin",
        "/console",
        "/skills",
        "/analytics",
        "/analytics/0193-abc",
        "/providers",
        "/keys",
    ] {
        let answer = anonymous.get(server.url(route)).send().await?;
        assert_eq!(answer.status(), 200, "{route}");
        assert_eq!(answer.text().await?, html, "{route} serves the same page");
    }

    let script = html
        .split('"')
        .find(|part| part.starts_with("/assets/") && part.ends_with(".js"))
        .ok_or_else(|| anyhow::anyhow!("no script in {html}"))?;
    let asset = anonymous.get(server.url(script)).send().await?;
    assert_eq!(asset.status(), 200);
    assert_eq!(asset.headers()["content-type"], "text/javascript");
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    for missing in ["/assets/nope.js", "/nope", "/consoles", "/api/v1/nope"] {
        let answer = anonymous.get(server.url(missing)).send().await?;
        assert_eq!(answer.status(), 404, "{missing}");
    }
    let api = anonymous.get(server.url("/api/v1/skills")).send().await?;
    assert_eq!(
        api.status(),
        401,
        "the UI's own routes open nothing of the API"
    );
    Ok(())
}
