//! A key limited to named skills and routes sees and uses only those, at every ingress:
//! `/api/v1/process` (whole and streamed), the WebSocket, `/api/v1/skills`, `/v1/*` and MCP,
//! when listing and when calling; what it may not use is refused with a 403 that names it.
//! Keys are limited when they are made, by the API and by `prax keys create`.

use futures_util::{SinkExt as _, StreamExt as _};
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Server, TEST_ADMIN_KEY, client, client_with_key, get, post_json};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

fn gateway(standin: &StandIn) -> anyhow::Result<Server> {
    let config = format!(
        "[identity]\nsensitivity_level = \"Low\"\n\n[routing.rules]\nask = [\"llm\"]\nsecret = [\"llm\"]\n\n\
         [[providers]]\nname = \"llm\"\ntype = \"openai\"\nmodel = \"m\"\nbase_url = \"{}\"\n",
        standin.base_url
    );
    Server::start_with_config(&config, |_| {})
}

async fn mcp(
    key: &str,
    server: &Server,
    method: &str,
    params: Value,
) -> anyhow::Result<(u16, Value)> {
    let mut params = params;
    params["_meta"] = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"});
    let response = client_with_key(None)
        .post(server.url("/mcp"))
        .bearer_auth(key)
        .header("mcp-protocol-version", "2026-07-28")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

fn names(list: &Value, field: &str) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item[field].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_key_limited_to_two_skills_sees_and_calls_only_those_everywhere() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    let server = gateway(&standin)?;
    let created = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "reporting", "role": "user",
                "skills": ["text_manipulation", "simple_math"], "routes": ["ask"]}),
    )
    .await?;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json["skills"],
        json!(["text_manipulation", "simple_math"])
    );
    assert_eq!(created.json["routes"], json!(["ask"]));
    let key = created.json["key"].as_str().unwrap_or_default().to_owned();
    let limited = client_with_key(Some(&key));

    // The key says what it may use.
    let me = get(&limited, &server.url("/api/v1/auth/me")).await?;
    assert_eq!(
        me.json["skills"],
        json!(["text_manipulation", "simple_math"])
    );

    // /api/v1/skills lists the two; another skill's capabilities are refused by name.
    let skills = get(&limited, &server.url("/api/v1/skills")).await?;
    let listed: Vec<&String> = skills
        .json
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        listed,
        ["simple_math", "text_manipulation"],
        "{}",
        skills.text
    );
    let other = get(&limited, &server.url("/api/v1/skills/echo/capabilities")).await?;
    assert_eq!(other.status, 403, "{}", other.text);

    // /api/v1/process: the two run; another skill or route is a 403 naming it (and audited).
    let ok = post_json(
        &limited,
        &server.url("/api/v1/process"),
        &json!({"task_type": "simple_math", "prompt": "", "num1": 2, "num2": 3}),
    )
    .await?;
    assert_eq!(ok.status, 200, "{}", ok.text);
    for (task_type, named) in [
        ("echo", "the skill 'echo'"),
        ("secret", "the LLM route 'secret'"),
    ] {
        let refused = post_json(
            &limited,
            &server.url("/api/v1/process"),
            &json!({"task_type": task_type, "prompt": "hi"}),
        )
        .await?;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert_eq!(refused.json["code"], "not_in_scope");
        let detail = refused.json["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(named) && detail.contains("reporting"),
            "{detail}"
        );
        let record = get(
            &client(),
            &server.url(&format!(
                "/api/v1/analytics/{}",
                refused.request_id.unwrap_or_default()
            )),
        )
        .await?;
        assert_eq!(record.json["http_status"], 403, "{}", record.text);
    }
    let allowed_route = post_json(
        &limited,
        &server.url("/api/v1/process"),
        &json!({"task_type": "ask", "prompt": "hi"}),
    )
    .await?;
    assert_eq!(allowed_route.status, 200, "{}", allowed_route.text);
    // Streamed over SSE, the refusal is the stream's error event.
    let streamed = limited
        .post(server.url("/api/v1/process"))
        .header("accept", "text/event-stream")
        .json(&json!({"task_type": "echo", "prompt": "hi"}))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        streamed.contains("event: error") && streamed.contains("not_in_scope"),
        "{streamed}"
    );

    // The WebSocket: the same refusal as an error event; the socket stays open.
    let url = server.url("/ws/v1/process").replacen("http://", "ws://", 1);
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("x-api-key", key.parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    for (id, task_type) in [("1", "echo"), ("2", "text_manipulation")] {
        let frame = json!({"type": "task", "id": id, "task_type": task_type, "prompt": "Hi", "operation": "uppercase"});
        socket.send(Message::text(frame.to_string())).await?;
    }
    let mut ends = std::collections::BTreeMap::new();
    while ends.len() < 2 {
        let Some(frame) = socket.next().await else {
            break;
        };
        if let Message::Text(text) = frame? {
            let event: Value = serde_json::from_str(text.as_str())?;
            if matches!(event["type"].as_str(), Some("result" | "error")) {
                ends.insert(event["id"].as_str().unwrap_or_default().to_owned(), event);
            }
        }
    }
    assert_eq!(ends["1"]["type"], "error", "{:?}", ends);
    assert_eq!(ends["1"]["status"], 403);
    assert_eq!(ends["1"]["code"], "not_in_scope");
    assert_eq!(ends["2"]["type"], "result", "{:?}", ends);

    // /v1/: only the allowed route is a model; another is a 403 in OpenAI's shape.
    let models = get(&limited, &server.url("/v1/models")).await?;
    assert_eq!(
        names(&models.json["data"], "id"),
        ["ask"],
        "{}",
        models.text
    );
    let chat = post_json(
        &limited,
        &server.url("/v1/chat/completions"),
        &json!({"model": "secret", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await?;
    assert_eq!(chat.status, 403, "{}", chat.text);
    assert_eq!(chat.json["error"]["code"], "not_in_scope");
    assert!(
        chat.json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("'secret'"))
    );
    let chat = post_json(
        &limited,
        &server.url("/v1/chat/completions"),
        &json!({"model": "ask", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await?;
    assert_eq!(chat.status, 200, "{}", chat.text);

    // MCP: two tools listed; calling another is refused by name, with a 403.
    let (_, listed) = mcp(&key, &server, "tools/list", json!({})).await?;
    assert_eq!(
        names(&listed["result"]["tools"], "name"),
        ["simple_math", "text_manipulation"],
        "{listed}"
    );
    let (status, called) = mcp(
        &key,
        &server,
        "tools/call",
        json!({"name": "text_manipulation", "arguments": {"prompt": "x", "operation": "uppercase"}}),
    )
    .await?;
    assert_eq!(
        (status, &called["result"]["isError"]),
        (200, &json!(false)),
        "{called}"
    );
    let (status, refused) = mcp(
        &key,
        &server,
        "tools/call",
        json!({"name": "echo", "arguments": {"prompt": "x"}}),
    )
    .await?;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["data"]["code"], "not_in_scope");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("'echo'"))
    );

    // An unlimited key still sees everything.
    let (_, all) = mcp(TEST_ADMIN_KEY, &server, "tools/list", json!({})).await?;
    assert!(names(&all["result"]["tools"], "name").contains(&"echo".to_owned()));
    Ok(())
}

#[tokio::test]
async fn prax_keys_create_limits_a_key_and_refuses_names_that_cannot_exist() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let create = |extra: &[&str]| {
        praximous_e2e::prax_on(&data)
            .unwrap_or_else(|e| panic!("cannot prepare the store: {e}"))
            .current_dir(work.path())
            .args([
                "keys",
                "create",
                "--name",
                "ci",
                "--role",
                "user",
                "--data-dir",
            ])
            .arg(&data)
            .args(extra)
            .output()
    };
    let made = create(&[
        "--skill",
        "echo,text_manipulation/manipulate",
        "--no-routes",
    ])?;
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let said = String::from_utf8_lossy(&made.stderr);
    assert!(
        said.contains("may use skills echo, text_manipulation/manipulate; no routes"),
        "{said}"
    );
    let bad = create(&["--skill", "Not A Skill"])?;
    assert_eq!(bad.status.code(), Some(1));
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        said.contains("invalid scope entry `Not A Skill` in `skills`"),
        "{said}"
    );

    let listed = praximous_e2e::prax_on(&data)?
        .current_dir(work.path())
        .args(["keys", "list", "--json", "--data-dir"])
        .arg(&data)
        .output()?;
    let keys: Value = serde_json::from_slice(&listed.stdout)?;
    assert_eq!(
        keys.as_array().map(Vec::len),
        Some(1),
        "the refused key was not stored"
    );
    assert_eq!(
        keys[0]["skills"],
        json!(["echo", "text_manipulation/manipulate"])
    );
    assert_eq!(keys[0]["routes"], json!([]));
    Ok(())
}
