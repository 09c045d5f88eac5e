//! Outgoing HTTP from skills (`wasi:http`): a skill reaches exactly the hosts its manifest
//! lists in `permissions.network`, on a real HTTP server on 127.0.0.1; every other host, port
//! or name is refused before a connection is made.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use praximous_e2e::dns::TestDns;
use praximous_e2e::registry::{FakeRegistry, Reply};
use praximous_e2e::{Answer, Server, client, component, install_skill, post_json};
use serde_json::json;

fn manifest(name: &str, network: &str) -> String {
    format!(
        "name: {name}\nversion: 1.0.0\ndescription: Fetches.\nauthor: Tests\nlicense: MIT\n\
         wit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
         operations:\n  get: {{ description: GET., params: {{ type: object }} }}\n\
         permissions: {{ network: {network} }}\nlimits: {{ memory_mb: 16, timeout_ms: 5000 }}\n"
    )
}

async fn fetch(server: &Server, skill: &str, authority: &str) -> Answer {
    post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": skill, "prompt": "", "authority": authority, "path": "/hello.txt"}),
    )
    .await
    .unwrap_or_else(|e| panic!("request failed: {e}"))
}

#[tokio::test]
async fn skills_reach_only_the_hosts_their_manifest_lists() -> anyhow::Result<()> {
    let mut files = BTreeMap::new();
    files.insert(
        "hello.txt".to_owned(),
        Reply::Body(b"hello from 127.0.0.1".to_vec()),
    );
    let allowed = FakeRegistry::serve(files)?;
    let allowed_authority = allowed.url.trim_start_matches("http://").to_owned();
    let port = allowed_authority
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    // A listener no request may reach: nothing ever accepts on it, so a connection would
    // sit in its backlog, where the test looks for it.
    let forbidden = TcpListener::bind("127.0.0.1:0")?;
    forbidden.set_nonblocking(true)?;
    let forbidden_authority = forbidden.local_addr()?.to_string();

    let wasm = component("http_probe");
    // The stand-ins are on this machine: the operator allows the loopback range explicitly.
    let server = Server::start_with_config(
        "[skills.fetcher]\nallow_cidrs = [\"127.0.0.0/8\"]\n\n[skills.offline]\nallow_cidrs = [\"127.0.0.0/8\"]\n",
        |data| {
            install_skill(
                data,
                "fetcher",
                &manifest("fetcher", &format!("[\"{allowed_authority}\"]")),
                &wasm,
            );
            install_skill(data, "offline", &manifest("offline", "[]"), &wasm);
        },
    )?;

    let ok = fetch(&server, "fetcher", &allowed_authority).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["result"]["status"], 200);
    assert_eq!(ok.json["result"]["body"], "hello from 127.0.0.1");

    for (skill, authority, what) in [
        ("fetcher", forbidden_authority.as_str(), "another port"),
        (
            "fetcher",
            &*format!("localhost:{port}"),
            "another name for the same host",
        ),
        (
            "offline",
            allowed_authority.as_str(),
            "a skill without network permission",
        ),
    ] {
        let refused = fetch(&server, skill, authority).await;
        assert_eq!(refused.status, 403, "{what}: {}", refused.text);
        assert!(
            refused.text.contains("HttpRequestDenied"),
            "{what}: {}",
            refused.text
        );
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        forbidden.accept().is_err(),
        "a refused request never opened a connection"
    );
    assert!(
        server.log().contains("outbound request refused"),
        "refusals are logged"
    );
    Ok(())
}

#[tokio::test]
async fn an_allowed_name_is_reached_only_at_an_address_the_operator_allows() -> anyhow::Result<()> {
    let mut files = BTreeMap::new();
    files.insert("hello.txt".to_owned(), Reply::Body(b"hello".to_vec()));
    let site = FakeRegistry::serve(files)?;
    let port = site.url.rsplit(':').next().unwrap_or_default().to_owned();
    // A listener nothing may reach, to see that a refusal opens no connection.
    let quiet = TcpListener::bind("127.0.0.1:0")?;
    quiet.set_nonblocking(true)?;
    let quiet_port = quiet.local_addr()?.port();
    let wasm = component("http_probe");
    // The manifest allows `localhost` by name; the name resolves to a loopback address.
    let hosts = format!("[\"localhost:{port}\", \"localhost:{quiet_port}\"]");
    let install = |data: &std::path::Path| {
        install_skill(data, "fetcher", &manifest("fetcher", &hosts), &wasm);
    };

    let guarded = Server::start_with(install)?;
    for authority in [
        format!("localhost:{port}"),
        format!("localhost:{quiet_port}"),
    ] {
        let refused = fetch(&guarded, "fetcher", &authority).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert!(
            refused.text.contains("DestinationIpProhibited"),
            "{}",
            refused.text
        );
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        quiet.accept().is_err(),
        "a refused request opened no connection"
    );
    assert!(
        guarded
            .log()
            .contains("the host resolves to a loopback address"),
        "the log names the host and the address class:\n{}",
        guarded.log()
    );

    let allowing = Server::start_with_config(
        "[skills.fetcher]\nallow_cidrs = [\"127.0.0.0/8\", \"::1/128\"]\n",
        install,
    )?;
    let ok = fetch(&allowing, "fetcher", &format!("localhost:{port}")).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["result"]["body"], "hello");
    Ok(())
}

/// A site on 127.0.0.2 (the address a test's DNS may give out as "allowed") and a listener on
/// 127.0.0.1 at the same port that no request may reach.
fn allowed_site_and_forbidden_twin() -> anyhow::Result<(FakeRegistry, TcpListener, u16)> {
    for _ in 0..20 {
        let mut files = BTreeMap::new();
        files.insert(
            "hello.txt".to_owned(),
            Reply::Body(b"from 127.0.0.2".to_vec()),
        );
        let site = FakeRegistry::serve_at("127.0.0.2:0", files)?;
        let port: u16 = site.url.rsplit(':').next().unwrap_or_default().parse()?;
        if let Ok(twin) = TcpListener::bind(("127.0.0.1", port)) {
            twin.set_nonblocking(true)?;
            return Ok((site, twin, port));
        }
    }
    anyhow::bail!("no port free on both 127.0.0.1 and 127.0.0.2")
}

#[tokio::test]
async fn names_are_checked_by_the_address_the_dns_gives_and_rebinding_gets_nothing()
-> anyhow::Result<()> {
    let (_site, twin, port) = allowed_site_and_forbidden_twin()?;
    // `rebind.test` answers the allowed address first and this machine's loopback after, as a
    // rebinding attacker's server would; the others always point inside.
    let dns = TestDns::start(|name, nth| match name {
        "rebind.test" if nth == 0 => Some(Ipv4Addr::new(127, 0, 0, 2)),
        "rebind.test" | "internal.test" => Some(Ipv4Addr::LOCALHOST),
        "metadata.test" => Some(Ipv4Addr::new(169, 254, 169, 254)),
        "lan.test" => Some(Ipv4Addr::new(10, 0, 0, 1)),
        _ => None,
    })?;
    let hosts = "[\"rebind.test\", \"internal.test\", \"metadata.test\", \"lan.test\"]";
    let wasm = component("http_probe");
    let config = format!(
        "{}\n[skills.fetcher]\nallow_cidrs = [\"127.0.0.2/32\"]\n",
        dns.config()
    );
    let server = Server::start_with_config(&config, |data| {
        install_skill(data, "fetcher", &manifest("fetcher", hosts), &wasm);
    })?;

    let first = fetch(&server, "fetcher", &format!("rebind.test:{port}")).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        first.json["result"]["body"], "from 127.0.0.2",
        "the connection went to the address that was checked"
    );
    let rebound = fetch(&server, "fetcher", &format!("rebind.test:{port}")).await;
    assert_eq!(rebound.status, 403, "{}", rebound.text);
    assert_eq!(
        dns.queries("rebind.test"),
        2,
        "each request resolved the name once, and not again after the check"
    );
    for (host, class) in [
        ("internal.test", "loopback"),
        ("metadata.test", "link-local"),
        ("lan.test", "private"),
    ] {
        let refused = fetch(&server, "fetcher", &format!("{host}:{port}")).await;
        assert_eq!(refused.status, 403, "{host}: {}", refused.text);
        assert!(
            refused.text.contains("DestinationIpProhibited"),
            "{}",
            refused.text
        );
        assert!(
            server
                .log()
                .contains(&format!("the host resolves to a {class}")),
            "the log names the address class of {host}:\n{}",
            server.log()
        );
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        twin.accept().is_err(),
        "no request reached the loopback address"
    );
    Ok(())
}
