//! API keys and roles through the real binary: every route against every kind of key, keys
//! made with `prax keys` and over HTTP (secret shown once, only a digest stored), revocation,
//! expiry, rate limits, the first-start admin key, slowing down repeated failures, and the
//! key in audit records and analytics.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use praximous_e2e::{
    Answer, Server, TEST_ADMIN_KEY, client, client_with_key, prax_binary, sha256_hex,
};
use serde_json::{Value, json};

const MISSING: &str = "Not authenticated: API key is missing.";
const INVALID: &str = "Access denied: Invalid API key.";

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("praximous.toml");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

/// `prax keys ...` against `data`; (exit code, stdout, stderr).
fn prax_keys(args: &[&str], work: &Path, data: &Path) -> (i32, String, String) {
    let output = praximous_e2e::prax_on(data)
        .unwrap_or_else(|e| panic!("cannot prepare the store: {e}"))
        .arg("keys")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .current_dir(work)
        .env_remove("PRAXIMOUS_CONFIG")
        .env_remove("PRAXIMOUS_API_KEYS")
        .output()
        .unwrap_or_else(|e| panic!("cannot run prax: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn send(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut request = http.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").cloned();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        request_id: retry_after.and_then(|v| v.to_str().ok().map(str::to_owned)),
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// Make a key over HTTP as the test admin; (id, secret).
async fn create_key(server: &Server, body: Value) -> (String, String) {
    let answer = send(
        &client(),
        "POST",
        &server.url("/api/v1/keys"),
        &[],
        Some(&body),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    (
        answer.json["id"].as_str().unwrap_or_default().to_owned(),
        answer.json["key"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The only thing a refused answer may say: the original's `detail`, and the code a program
/// reads instead of the text.
fn assert_refused(answer: &Answer, status: u16, detail: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.text);
    let code = match status {
        401 => "not_authenticated",
        403 if detail == "Access denied: Invalid API key." => "invalid_key",
        403 => "role_required",
        429 => "rate_limited",
        other => panic!("{what}: no refusal answers {other}"),
    };
    assert_eq!(
        answer.json,
        json!({ "detail": detail, "code": code }),
        "{what}"
    );
}

#[tokio::test]
async fn every_route_against_every_kind_of_key() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let cfg = write_config(
        work.path(),
        "[auth]\nfailures_before_delay = 0\nkey_refresh_ms = 100\n",
    );
    let data = work.path().join("data");
    let server = Server::start_in(work.path(), &data, &["--config", &cfg])?;
    let (_, user) = create_key(&server, json!({"name": "a user", "role": "user"})).await;
    let (_, operator) =
        create_key(&server, json!({"name": "an operator", "role": "operator"})).await;
    let (revoked_id, revoked) = create_key(&server, json!({"name": "gone", "role": "admin"})).await;
    let answer = send(
        &client(),
        "DELETE",
        &server.url(&format!("/api/v1/keys/{revoked_id}")),
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["state"], "revoked");
    // An expired key, written into the real database as a key past its date would be.
    let expired = "prax_expiredexpiredexpiredexpiredexpiredexpir";
    praximous_e2e::store::execute(
        &data,
        "INSERT INTO api_keys (id, name, role, prefix, hash, created_at, expires_at) \
         VALUES ('key_expired', 'old', 'admin', 'prax_expired', $1, '2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z')",
        &[&sha256_hex(expired.as_bytes())],
    )?;
    tokio::time::sleep(Duration::from_millis(400)).await;

    let echo = json!({"task_type": "echo", "prompt": "hi"});
    let done = send(
        &client(),
        "POST",
        &server.url("/api/v1/process"),
        &[],
        Some(&echo),
    )
    .await;
    let request_id = done.json["request_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // (method, path, body, least role; None = public)
    let routes: Vec<(&str, String, Option<Value>, Option<&str>)> = vec![
        ("GET", "/healthz".into(), None, None),
        ("GET", "/metrics".into(), None, Some("operator")),
        ("GET", "/api/v1/system".into(), None, Some("operator")),
        ("GET", "/api/v1/auth/me".into(), None, Some("user")),
        (
            "POST",
            "/api/v1/process".into(),
            Some(echo.clone()),
            Some("user"),
        ),
        ("GET", "/api/v1/skills".into(), None, Some("user")),
        (
            "GET",
            "/api/v1/skills/echo/capabilities".into(),
            None,
            Some("user"),
        ),
        ("GET", "/api/v1/providers".into(), None, Some("operator")),
        ("GET", "/api/v1/analytics".into(), None, Some("operator")),
        (
            "GET",
            "/api/v1/analytics/tasks-over-time".into(),
            None,
            Some("operator"),
        ),
        (
            "GET",
            "/api/v1/analytics/requests-per-provider".into(),
            None,
            Some("operator"),
        ),
        (
            "GET",
            "/api/v1/analytics/average-latency-per-provider".into(),
            None,
            Some("operator"),
        ),
        (
            "GET",
            "/api/v1/analytics/latency-per-provider".into(),
            None,
            Some("operator"),
        ),
        (
            "GET",
            "/api/v1/analytics/summary".into(),
            None,
            Some("operator"),
        ),
        (
            "GET",
            "/api/v1/analytics/export".into(),
            None,
            Some("operator"),
        ),
        (
            "GET",
            format!("/api/v1/analytics/{request_id}"),
            None,
            Some("operator"),
        ),
        ("GET", "/api/v1/keys".into(), None, Some("admin")),
        (
            "POST",
            "/api/v1/keys".into(),
            Some(json!({"name": "made", "role": "user"})),
            Some("admin"),
        ),
        ("DELETE", "/api/v1/keys/{fresh}".into(), None, Some("admin")),
    ];
    let bare = client_with_key(None);
    let rank = |role: &str| {
        ["user", "operator", "admin"]
            .iter()
            .position(|r| *r == role)
    };
    let holders = [
        ("user", user.as_str()),
        ("operator", operator.as_str()),
        ("admin", TEST_ADMIN_KEY),
    ];
    for (method, path, body, least) in &routes {
        // Each DELETE revokes a key made for it, so a refusal can be told from a success.
        let (victim, _) = create_key(&server, json!({"name": "victim", "role": "user"})).await;
        let url = server.url(&path.replace("{fresh}", &victim));
        let what = format!("{method} {path}");
        let body = body.as_ref();
        let Some(least) = least else {
            assert_eq!(
                send(&bare, method, &url, &[], body).await.status,
                200,
                "{what} is public"
            );
            continue;
        };
        assert_refused(
            &send(&bare, method, &url, &[], body).await,
            401,
            MISSING,
            &what,
        );
        assert_refused(
            &send(&bare, method, &url, &[("x-api-key", "")], body).await,
            401,
            MISSING,
            &what,
        );
        assert_refused(
            &send(
                &bare,
                method,
                &url,
                &[("authorization", "Basic YWRtaW46YWRtaW4=")],
                body,
            )
            .await,
            401,
            MISSING,
            &what,
        );
        let query_key = format!("{url}?api_key={TEST_ADMIN_KEY}");
        assert_refused(
            &send(&bare, method, &query_key, &[], body).await,
            401,
            MISSING,
            &format!("{what} with the key in the query"),
        );
        for (kind, key) in [
            ("malformed", "not a key at all!"),
            ("wrong", "prax_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("revoked", revoked.as_str()),
            ("expired", expired),
        ] {
            let answer = send(&bare, method, &url, &[("x-api-key", key)], body).await;
            assert_refused(&answer, 403, INVALID, &format!("{what} with a {kind} key"));
        }
        for (role, key) in holders {
            let answer = send(&bare, method, &url, &[("x-api-key", key)], body).await;
            if rank(role) >= rank(least) {
                assert!(
                    (200..300).contains(&answer.status),
                    "{what} as {role}: {}",
                    answer.text
                );
            } else {
                let name = if role == "user" {
                    "a user"
                } else {
                    "an operator"
                };
                let detail = format!(
                    "Access denied: this endpoint requires the '{least}' role; the key '{name}' has the '{role}' role."
                );
                assert_refused(&answer, 403, &detail, &format!("{what} as {role}"));
            }
        }
        // The bearer form works as well as the header.
        let bearer = format!("Bearer {TEST_ADMIN_KEY}");
        if *method == "DELETE" {
            continue; // already revoked by the admin above
        }
        let answer = send(&bare, method, &url, &[("authorization", &bearer)], body).await;
        assert!(
            (200..300).contains(&answer.status),
            "{what} with a bearer token: {}",
            answer.text
        );
    }
    // A refused DELETE revoked nothing; the admin's did.
    let keys = send(&client(), "GET", &server.url("/api/v1/keys"), &[], None).await;
    let victims: Vec<&Value> = keys
        .json
        .as_array()
        .into_iter()
        .flatten()
        .filter(|k| k["name"] == "victim")
        .collect();
    let revoked_victims = victims.iter().filter(|k| k["state"] == "revoked").count();
    assert_eq!(
        (victims.len(), revoked_victims),
        (routes.len(), 1),
        "{}",
        keys.text
    );

    // Public documents, and unknown paths stay 404 whatever the key.
    for path in ["/api/v1/openapi.json", "/docs/"] {
        assert_eq!(
            send(&bare, "GET", &server.url(path), &[], None)
                .await
                .status,
            200,
            "{path}"
        );
    }
    for headers in [
        vec![],
        vec![("x-api-key", TEST_ADMIN_KEY)],
        vec![("x-api-key", "wrong")],
    ] {
        let answer = send(
            &bare,
            "GET",
            &server.url("/api/v1/no-such-thing"),
            &headers,
            None,
        )
        .await;
        assert_eq!(answer.status, 404, "{}", answer.text);
    }
    // The OpenAPI document says what each route needs.
    let doc = send(&bare, "GET", &server.url("/api/v1/openapi.json"), &[], None)
        .await
        .json;
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["name"],
        "X-API-Key"
    );
    assert_eq!(
        doc["paths"]["/api/v1/keys"]["post"]["x-required-role"],
        "admin"
    );
    assert_eq!(
        doc["paths"]["/api/v1/process"]["post"]["x-required-role"],
        "user"
    );
    assert!(doc["paths"]["/healthz"]["get"]["security"].is_null());
    Ok(())
}

#[tokio::test]
async fn keys_made_with_the_cli_are_shown_once_and_stored_as_a_digest() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let (code, out, err) = prax_keys(
        &[
            "create",
            "--name",
            "ci bot",
            "--role",
            "user",
            "--expires",
            "30",
        ],
        work.path(),
        &data,
    );
    assert_eq!(code, 0, "{err}");
    let key = out.lines().last().unwrap_or_default().to_owned();
    assert!(
        key.starts_with("prax_") && key.len() == 48,
        "last line is the key: {out}"
    );
    assert!(err.contains("shown only this once"), "{err}");

    // The database holds the digest and the prefix, never the key.
    let rows = praximous_e2e::store::query(
        &data,
        "SELECT id, hash, prefix, expires_at FROM api_keys",
        &[],
    )?;
    assert_eq!(rows.len(), 1, "one key row: {rows:?}");
    let row = rows.first().cloned().unwrap_or_default();
    let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    let (id, hash, prefix, expires) = (text(0), text(1), text(2), row.get(3).cloned().flatten());
    assert_eq!(hash, sha256_hex(key.as_bytes()));
    assert!(
        key.starts_with(&prefix) && prefix.len() < key.len() / 2,
        "{prefix}"
    );
    assert!(expires.is_some());
    for file in std::fs::read_dir(&data)? {
        let bytes = std::fs::read(file?.path())?;
        assert!(
            !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "the key is in a data file"
        );
    }

    // Listings never show it.
    let (code, listing, _) = prax_keys(&["list"], work.path(), &data);
    assert_eq!(code, 0);
    assert!(
        listing.contains(&id) && listing.contains("ci bot") && listing.contains("active"),
        "{listing}"
    );
    assert!(!listing.contains(&key));
    let (_, as_json, _) = prax_keys(&["list", "--json"], work.path(), &data);
    let parsed: Value = serde_json::from_str(&as_json)?;
    assert_eq!(parsed[0]["role"], "user");
    assert!(!as_json.contains(&key));

    // A running server accepts it with its role, and stops accepting it once revoked by
    // the CLI (it rereads the store), without a restart.
    let cfg = write_config(work.path(), "[auth]\nkey_refresh_ms = 100\n");
    let server = Server::start_in(work.path(), &data, &["--config", &cfg])?;
    let as_key = client_with_key(Some(&key));
    let me = send(&as_key, "GET", &server.url("/api/v1/auth/me"), &[], None).await;
    assert_eq!(
        me.json,
        json!({"key_id": id, "key_name": "ci bot", "role": "user", "skills": null, "routes": null,
               "signed_in_with": "key", "user": null, "csrf_token": null})
    );
    assert_eq!(
        send(&as_key, "GET", &server.url("/api/v1/skills"), &[], None)
            .await
            .status,
        200
    );
    let (code, out, err) = prax_keys(&["revoke", &prefix], work.path(), &data);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&id), "{out}");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = send(&as_key, "GET", &server.url("/api/v1/skills"), &[], None).await;
        if answer.status == 403 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "revoked key still accepted: {}",
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Over HTTP too: the answer holds the secret, the listing does not.
    let (new_id, new_key) = create_key(
        &server,
        json!({"name": "ui", "role": "operator", "expires_in_days": 7}),
    )
    .await;
    assert!(new_key.starts_with("prax_"));
    let listing = send(&client(), "GET", &server.url("/api/v1/keys"), &[], None).await;
    assert!(
        listing.text.contains(&new_id) && !listing.text.contains(&new_key),
        "{}",
        listing.text
    );
    assert!(
        listing.text.contains("\"source\":\"environment\""),
        "{}",
        listing.text
    );
    assert!(!listing.text.contains(TEST_ADMIN_KEY));

    // Bad requests say what is wrong.
    let bad = send(
        &client(),
        "POST",
        &server.url("/api/v1/keys"),
        &[],
        Some(&json!({"name": "x", "role": "root"})),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("role"),
        "{}",
        bad.text
    );
    let bad = send(
        &client(),
        "POST",
        &server.url("/api/v1/keys"),
        &[],
        Some(&json!({"name": " ", "role": "user"})),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let missing = send(
        &client(),
        "DELETE",
        &server.url("/api/v1/keys/key_nope"),
        &[],
        None,
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    let env_id = listing.json[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let env = send(
        &client(),
        "DELETE",
        &server.url(&format!("/api/v1/keys/{env_id}")),
        &[],
        None,
    )
    .await;
    assert_eq!(env.status, 409, "{}", env.text);
    let (code, _, err) = prax_keys(
        &["create", "--name", "x", "--role", "root"],
        work.path(),
        &data,
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = prax_keys(&["revoke", "key_nope"], work.path(), &data);
    assert_eq!(code, 1);
    assert!(
        err.contains("no API key has the id or prefix 'key_nope'"),
        "{err}"
    );

    // `prax keys generate` prints a fresh key for the environment variable.
    let generated = Command::new(prax_binary())
        .args(["keys", "generate"])
        .output()?;
    let generated = String::from_utf8_lossy(&generated.stdout).trim().to_owned();
    assert!(
        generated.starts_with("prax_") && generated.len() == 48,
        "{generated}"
    );
    Ok(())
}

#[tokio::test]
async fn keys_over_their_rate_limit_get_429_with_retry_after() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let cfg = write_config(work.path(), "[auth]\nrate_limit_per_minute = 4\n");
    let server = Server::start_in(work.path(), &work.path().join("data"), &["--config", &cfg])?;
    let (_, own) = create_key(
        &server,
        json!({"name": "slow", "role": "user", "rate_limit_per_minute": 2}),
    )
    .await;
    let (_, default) = create_key(&server, json!({"name": "default", "role": "user"})).await;
    let url = server.url("/api/v1/skills");
    let statuses = |key: String, n: usize| {
        let url = url.clone();
        async move {
            let http = client_with_key(Some(&key));
            let mut answers = Vec::new();
            for _ in 0..n {
                answers.push(send(&http, "GET", &url, &[], None).await);
            }
            answers
        }
    };
    let answers = statuses(own, 3).await;
    assert_eq!(
        answers.iter().map(|a| a.status).collect::<Vec<_>>(),
        [200, 200, 429]
    );
    let limited = &answers[2];
    let retry_after: u64 = limited.request_id.as_deref().unwrap_or("0").parse()?;
    assert!(
        (1..=30).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert!(
        limited.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Rate limit exceeded for the key 'slow'"),
        "{}",
        limited.text
    );
    // The default applies to keys without their own limit, and each key counts alone.
    let answers = statuses(default, 5).await;
    assert_eq!(
        answers.iter().map(|a| a.status).collect::<Vec<_>>(),
        [200, 200, 200, 200, 429]
    );
    Ok(())
}

#[tokio::test]
async fn the_first_start_makes_an_admin_key_and_prints_it_once() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let mut first = Server::start_with_keys(work.path(), &data, &[], None)?;
    let printed = first.stdout().join("\n");
    let key = printed
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("prax_"))
        .unwrap_or_else(|| panic!("no key printed: {printed}"))
        .to_owned();
    assert!(printed.contains("shown only this once"), "{printed}");
    let admin = client_with_key(Some(&key));
    let keys = send(&admin, "GET", &first.url("/api/v1/keys"), &[], None).await;
    assert_eq!(keys.status, 200, "{}", keys.text);
    assert_eq!(keys.json[0]["role"], "admin");
    assert_eq!(keys.json[0]["name"], "initial admin");
    first.stop();
    // It appears nowhere but on the console.
    let mut logs = first.log();
    for entry in std::fs::read_dir(data.join("logs"))? {
        logs.push_str(&std::fs::read_to_string(entry?.path())?);
    }
    assert!(
        !logs.is_empty() && !logs.contains(&key),
        "the key is in a log"
    );

    let second = Server::start_with_keys(work.path(), &data, &[], None)?;
    assert!(
        !second.stdout().join("\n").contains("prax_"),
        "a second key was made"
    );
    assert_eq!(
        send(&admin, "GET", &second.url("/api/v1/keys"), &[], None)
            .await
            .status,
        200
    );
    Ok(())
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_slowed_down_and_logged_by_prefix()
-> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let cfg = write_config(
        work.path(),
        "[auth]\nfailures_before_delay = 3\nmax_failure_delay_ms = 600\n",
    );
    let server = Server::start_in(work.path(), &work.path().join("data"), &["--config", &cfg])?;
    let wrong = "prax_WrongWrongWrongWrongWrongWrongWrongWrong1";
    let http = client_with_key(Some(wrong));
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(
            send(&http, "GET", &server.url("/api/v1/skills"), &[], None)
                .await
                .status,
            403
        );
        times.push(started.elapsed());
    }
    assert!(
        times[..3].iter().all(|t| *t < Duration::from_millis(300)),
        "{times:?}"
    );
    assert!(
        times[3..].iter().all(|t| *t >= Duration::from_millis(500)),
        "{times:?}"
    );
    // A good key from the same address is not slowed down.
    let started = Instant::now();
    assert_eq!(
        send(&client(), "GET", &server.url("/api/v1/skills"), &[], None)
            .await
            .status,
        200
    );
    assert!(started.elapsed() < Duration::from_millis(300));
    assert!(server.wait_for_log("API key rejected", Duration::from_secs(2)));
    let log = server.log();
    assert!(
        log.contains("prax_WrongW") && !log.contains(wrong),
        "only the prefix is logged"
    );
    let metrics = send(&client(), "GET", &server.url("/metrics"), &[], None)
        .await
        .text;
    assert!(
        metrics.contains("prax_auth_failures_total{reason=\"unknown\"} 5"),
        "{metrics}"
    );
    Ok(())
}

#[tokio::test]
async fn audit_records_name_the_key_and_analytics_filter_by_it() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let server = Server::start_in(work.path(), &work.path().join("data"), &[])?;
    let (alice_id, alice) = create_key(&server, json!({"name": "alice", "role": "user"})).await;
    let (bob_id, bob) = create_key(&server, json!({"name": "bob", "role": "user"})).await;
    let echo = json!({"task_type": "echo", "prompt": "hi"});
    for (key, n) in [(&alice, 2), (&bob, 3)] {
        let http = client_with_key(Some(key));
        for _ in 0..n {
            let answer = send(
                &http,
                "POST",
                &server.url("/api/v1/process"),
                &[],
                Some(&echo),
            )
            .await;
            assert_eq!(answer.status, 200, "{}", answer.text);
        }
    }
    for (id, name, n) in [(&alice_id, "alice", 2), (&bob_id, "bob", 3)] {
        let page = send(
            &client(),
            "GET",
            &server.url(&format!("/api/v1/analytics?api_key_id={id}")),
            &[],
            None,
        )
        .await;
        assert_eq!(page.json["total_matches"], n, "{}", page.text);
        for record in page.json["data"].as_array().into_iter().flatten() {
            assert_eq!(
                (&record["api_key_id"], &record["api_key_name"]),
                (&json!(id), &json!(name))
            );
        }
        // The aggregates read roll-ups that know the key too.
        let summary = send(
            &client(),
            "GET",
            &server.url(&format!("/api/v1/analytics/summary?api_key_id={id}")),
            &[],
            None,
        )
        .await;
        assert!(
            summary.text.contains(&format!("\"total_requests\":{n}")),
            "{}",
            summary.text
        );
        let export = send(
            &client(),
            "GET",
            &server.url(&format!(
                "/api/v1/analytics/export?format=csv&api_key_id={id}"
            )),
            &[],
            None,
        )
        .await;
        assert_eq!(export.text.lines().count(), n + 1, "{}", export.text);
        assert!(
            export.text.lines().skip(1).all(|line| line.ends_with(name)),
            "{}",
            export.text
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_key_made_while_the_server_runs_works_on_its_first_request() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    // Polling for new keys once a minute: the first request must find the key by asking the
    // store, not by waiting for a reload.
    let cfg = write_config(work.path(), "[auth]\nkey_refresh_ms = 60000\n");
    let server = Server::start_in(work.path(), &data, &["--config", &cfg])?;
    let (code, out, err) = prax_keys(
        &[
            "create", "--name", "late", "--role", "user", "--config", &cfg,
        ],
        work.path(),
        &data,
    );
    assert_eq!(code, 0, "{err}");
    let key = out.lines().last().unwrap_or_default().to_owned();
    let echo = json!({"task_type": "echo", "prompt": "first"});
    let first = send(
        &client_with_key(Some(&key)),
        "POST",
        &server.url("/api/v1/process"),
        &[],
        Some(&echo),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    // A key nobody made is still refused, and asking the store did not make it valid.
    let unknown = send(
        &client_with_key(Some("prax_0000000000000000000000000000000000000000000")),
        "POST",
        &server.url("/api/v1/process"),
        &[],
        Some(&echo),
    )
    .await;
    assert_refused(&unknown, 403, INVALID, "a key nobody made");
    Ok(())
}
