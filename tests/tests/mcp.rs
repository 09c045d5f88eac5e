//! The MCP server, driven by the official `mcp` Python SDK (pinned, from `tools/test-tools.sh`)
//! against the real binary: over Streamable HTTP in the current revision (2026-07-28, the
//! SDK's default) and in the 2025 handshake with sessions, and over stdio through
//! `prax mcp --stdio`. Skills are listed and called as tools; a failing skill and a denied
//! capability are tool errors; an install tells connected clients their tool list changed.
//! The transport's own rules (keys, origins, sessions, versions) are checked at the wire.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use praximous_e2e::{
    Server, TEST_ADMIN_KEY, client, client_with_key, component, get, install_skill, prax_binary,
    python_script, repo_root, tool_python,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};

/// The SDK's interpreter (see [`tool_python`]).
fn sdk_python() -> Option<PathBuf> {
    tool_python("mcp", "mcp")
}

fn offline_manifest(name: &str) -> String {
    format!(
        "name: {name}\nversion: 1.0.0\ndescription: Fetches a page.\nauthor: Tests\nlicense: MIT\n\
         wit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
         operations:\n  get: {{ description: GET a path., params: {{ properties: {{ authority: {{ type: string }} }} }} }}\n\
         permissions: {{ network: [] }}\nlimits: {{ memory_mb: 16, timeout_ms: 5000 }}\n"
    )
}

/// A server with the built-in skills and `offline`, a skill that tries the network without
/// the permission.
fn server() -> anyhow::Result<Server> {
    let wasm = component("http_probe");
    Server::start_with(|data| {
        install_skill(data, "offline", &offline_manifest("offline"), &wasm);
    })
}

/// Install a copy of the echo skill named `name` into the running server's skills directory.
fn install_echo_copy(data_dir: &Path, name: &str) {
    let manifest = format!(
        "name: {name}\nversion: 1.0.0\ndescription: Echoes.\nauthor: Tests\nlicense: MIT\n\
         wit: praximous:skill@0.1.1\ncomponent: skill.wasm\n\
         operations:\n  echo: {{ description: Echo., params: {{ type: object }} }}\n"
    );
    install_skill(data_dir, name, &manifest, &component("echo"));
}

/// Run one scenario of `tests/mcp_sdk/client.py`; its last line.
async fn sdk(
    python: &Path,
    scenario: &str,
    target: &str,
    key: &str,
    mode: &str,
) -> anyhow::Result<Value> {
    let stdout = python_script(
        python,
        "tests/mcp_sdk/client.py",
        &[scenario, target, key, mode],
    )
    .await?;
    let last = stdout.lines().last().unwrap_or_default();
    Ok(serde_json::from_str(last)?)
}

/// Run `wait_changed`: once the client says it is listening, install a skill; the client's
/// tools before and after the notification.
async fn sdk_sees_an_install(
    python: &Path,
    target: &str,
    mode: &str,
    data_dir: &Path,
    new_skill: &str,
) -> anyhow::Result<Value> {
    let mut child = tokio::process::Command::new(python)
        .arg(repo_root().join("tests/mcp_sdk/client.py"))
        .args(["wait_changed", target, TEST_ADMIN_KEY, mode])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await??
        .unwrap_or_default();
    let ready: Value = serde_json::from_str(&ready)?;
    anyhow::ensure!(ready.get("ready").is_some(), "{ready}");
    install_echo_copy(data_dir, new_skill);
    let done = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await??
        .unwrap_or_default();
    child.wait().await?;
    Ok(serde_json::from_str(&done)?)
}

fn check_tour(tour: &Value, protocol: &str) {
    assert_eq!(tour["protocol_version"], protocol, "{tour}");
    assert_eq!(tour["server"], "praximous");
    let tools = &tour["tools"];
    for builtin in ["echo", "simple_math", "text_manipulation", "offline"] {
        assert!(tools[builtin].is_object(), "{builtin} is a tool: {tools}");
    }
    let math = &tools["simple_math"];
    assert_eq!(math["input_schema"]["required"], json!(["num1", "num2"]));
    assert!(
        math["description"]
            .as_str()
            .is_some_and(|d| d.contains("arithmetic")),
        "{math}"
    );
    assert_eq!(math["annotations"]["readOnlyHint"], true);
    assert_eq!(math["annotations"]["openWorldHint"], false);
    let mail = &tools["email_sender"]["annotations"];
    assert_eq!(mail["readOnlyHint"], false, "sending mail is not read-only");
    assert_eq!(mail["openWorldHint"], true);
    assert_eq!(
        tools["offline"]["input_schema"]["type"], "object",
        "a manifest schema without a type is an object schema"
    );

    let upper = &tour["upper"];
    assert_eq!(upper["is_error"], false, "{upper}");
    assert_eq!(upper["structured"]["result"]["modified_text"], "MCP WORKS");
    let text: Value =
        serde_json::from_str(upper["text"][0].as_str().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        text, upper["structured"],
        "the text block is the structured result"
    );

    let failed = &tour["divide_by_zero"];
    assert_eq!(failed["is_error"], true, "{failed}");
    assert!(
        failed["text"][0]
            .as_str()
            .is_some_and(|t| t.to_lowercase().contains("zero")),
        "{failed}"
    );
    assert_eq!(failed["meta"]["praximous/status"], 400);

    assert_eq!(tour["unknown"]["raised"], "MCPError", "{}", tour["unknown"]);
    assert_eq!(tour["unknown"]["code"], -32602);

    let denied = &tour["denied_capability"];
    assert_eq!(denied["is_error"], true, "{denied}");
    assert_eq!(denied["meta"]["praximous/status"], 403);
    assert!(
        denied["text"][0]
            .as_str()
            .is_some_and(|t| t.contains("HttpRequestDenied")),
        "{denied}"
    );
}

#[tokio::test]
async fn the_official_mcp_sdk_calls_skills_as_tools_over_http() -> anyhow::Result<()> {
    let Some(python) = sdk_python() else {
        return Ok(());
    };
    let server = server()?;
    let endpoint = server.url("/mcp");

    let modern = sdk(&python, "tour", &endpoint, TEST_ADMIN_KEY, "auto").await?;
    check_tour(&modern, "2026-07-28");
    let legacy = sdk(&python, "tour", &endpoint, TEST_ADMIN_KEY, "legacy").await?;
    check_tour(&legacy, "2025-11-25");

    // Every tool call is audited, as kind `mcp`, with its skill as the task type.
    let records = get(
        &client(),
        &server.url("/api/v1/analytics?kind=mcp&limit=100"),
    )
    .await?;
    let records = records.json["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(records.len(), 6, "three calls that reach a skill, twice");
    assert!(records.iter().all(|r| r["kind"] == "mcp"));
    let upper = records
        .iter()
        .find(|r| r["task_type"] == "text_manipulation")
        .cloned()
        .unwrap_or_default();
    assert_eq!(upper["status"], "success", "{upper}");

    // A connected client learns of an install, in both revisions.
    let seen = sdk_sees_an_install(&python, &endpoint, "auto", &server.data_dir, "parrot").await?;
    assert!(!seen["before"].to_string().contains("parrot"), "{seen}");
    assert!(
        seen["after"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("parrot"))),
        "{seen}"
    );
    let seen = sdk_sees_an_install(&python, &endpoint, "legacy", &server.data_dir, "mynah").await?;
    assert!(
        seen["after"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("mynah"))),
        "{seen}"
    );

    // A key that is not valid is refused before any session.
    let refused = sdk(&python, "tour", &endpoint, "not-a-key-0123456789", "auto").await?;
    assert_eq!(refused["raised"], "MCPError", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("Invalid API key")),
        "{refused}"
    );
    Ok(())
}

#[tokio::test]
async fn prax_mcp_stdio_serves_the_same_tools_to_a_stdio_client() -> anyhow::Result<()> {
    let Some(python) = sdk_python() else {
        return Ok(());
    };
    let server = server()?;
    let target = format!("stdio:{}:{}", prax_binary().display(), server.base_url);
    let modern = sdk(&python, "tour", &target, TEST_ADMIN_KEY, "auto").await?;
    check_tour(&modern, "2026-07-28");
    let legacy = sdk(&python, "tour", &target, TEST_ADMIN_KEY, "legacy").await?;
    check_tour(&legacy, "2025-11-25");
    let seen = sdk_sees_an_install(&python, &target, "auto", &server.data_dir, "parrot").await?;
    assert!(
        seen["after"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("parrot"))),
        "{seen}"
    );
    let seen = sdk_sees_an_install(&python, &target, "legacy", &server.data_dir, "mynah").await?;
    assert!(
        seen["after"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("mynah"))),
        "{seen}"
    );
    Ok(())
}

/// POST one message to `/mcp` with `headers`.
async fn rpc(
    server: &Server,
    key: Option<&str>,
    headers: &[(&str, &str)],
    body: &Value,
) -> anyhow::Result<(u16, reqwest::header::HeaderMap, Value)> {
    let mut request = client_with_key(None)
        .post(server.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await?;
    Ok((
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    ))
}

fn modern_request(method: &str, params: Value) -> Value {
    let mut params = params;
    params["_meta"] = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"});
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
}

#[tokio::test]
async fn the_transport_keeps_its_rules() -> anyhow::Result<()> {
    let server = server()?;
    let modern = [("mcp-protocol-version", "2026-07-28")];
    let list = modern_request("tools/list", json!({}));

    // No key: 401 with a Bearer challenge and a JSON-RPC error that says why.
    let (status, headers, body) = rpc(&server, None, &modern, &list).await?;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    assert_eq!(body["error"]["code"], -32003, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("API key"))
    );
    let (status, _, _) = rpc(&server, Some("wrong-key-0123456789"), &modern, &list).await?;
    assert_eq!(status, 401);

    // A page of another site cannot drive the server through a browser.
    let mut foreign = modern.to_vec();
    foreign.push(("origin", "http://evil.example"));
    let (status, _, body) = rpc(&server, Some(TEST_ADMIN_KEY), &foreign, &list).await?;
    assert_eq!(status, 403, "{body}");
    let (status, _, _) = rpc(&server, Some(TEST_ADMIN_KEY), &modern, &list).await?;
    assert_eq!(status, 200);

    // Versions: one not served is refused with the ones that are; none at all is explained.
    let (status, _, body) = rpc(
        &server,
        Some(TEST_ADMIN_KEY),
        &[("mcp-protocol-version", "2099-01-01")],
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .await?;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], -32022, "{body}");
    assert_eq!(body["error"]["data"]["supported"][0], "2026-07-28");
    let (status, _, body) = rpc(
        &server,
        Some(TEST_ADMIN_KEY),
        &[],
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .await?;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("initialize"))
    );
    let (status, _, body) =
        rpc(&server, Some(TEST_ADMIN_KEY), &[], &json!({"broken": true})).await?;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(-32600)),
        "{body}"
    );

    // Arguments that are not an object are the tool's error, not the protocol's.
    let call = modern_request("tools/call", json!({"name": "echo", "arguments": [1, 2]}));
    let (status, _, body) = rpc(&server, Some(TEST_ADMIN_KEY), &modern, &call).await?;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert_eq!(body["result"]["resultType"], "complete");

    // Sessions (2025 revisions): opened by initialize, bound to their key, ended by DELETE.
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let (status, headers, body) = rpc(&server, Some(TEST_ADMIN_KEY), &[], &init).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["protocolVersion"], "2025-03-26");
    let session = headers
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(session.len(), 32);
    let in_session = [("mcp-session-id", session.as_str())];
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let (status, _, _) = rpc(&server, Some(TEST_ADMIN_KEY), &in_session, &note).await?;
    assert_eq!(status, 202);
    // 2025-03-26 batches: answers in one array, notifications unanswered.
    let batch = json!([
        {"jsonrpc": "2.0", "id": "a", "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 9}},
        {"jsonrpc": "2.0", "id": "b", "method": "tools/call", "params": {"name": "echo", "arguments": {"prompt": "batched"}}},
    ]);
    let (status, _, body) = rpc(&server, Some(TEST_ADMIN_KEY), &in_session, &batch).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().map(Vec::len), Some(2), "{body}");
    assert_eq!(
        body[1]["result"]["structuredContent"]["result"]["echoed_prompt"], "batched",
        "{body}"
    );
    // Another key cannot use the session.
    let other = praximous_e2e::post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "other", "role": "user"}),
    )
    .await?;
    let other_key = other.json["key"].as_str().unwrap_or_default().to_owned();
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
    let (status, _, _) = rpc(&server, Some(&other_key), &in_session, &ping).await?;
    assert_eq!(status, 404, "a session is its key's own");
    // GET without a session has nothing to stream.
    let get_stream = client_with_key(None)
        .get(server.url("/mcp"))
        .bearer_auth(TEST_ADMIN_KEY)
        .send()
        .await?;
    assert_eq!(get_stream.status().as_u16(), 405);
    let ended = client_with_key(None)
        .delete(server.url("/mcp"))
        .bearer_auth(TEST_ADMIN_KEY)
        .header("mcp-session-id", &session)
        .send()
        .await?;
    assert_eq!(ended.status().as_u16(), 204);
    let (status, _, body) = rpc(&server, Some(TEST_ADMIN_KEY), &in_session, &ping).await?;
    assert_eq!(status, 404, "an ended session is gone: {body}");
    Ok(())
}
