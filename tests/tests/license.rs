//! Licences end to end: the evaluation and what follows it, a licence installed while the
//! server runs, expiring and expired licences, keys that must never be accepted, and the gates
//! (a skill of a higher tier, seats) answering with the feature and the tier that has it.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use praximous_e2e::licence::{issue, text};
use praximous_e2e::{
    Answer, Server, TEST_ADMIN_KEY, client, client_with_key, get, post_json, prax_on, store,
};
use serde_json::{Value, json};

/// `prax license ARGS` on `data` with the configuration `config`.
fn license(
    data: &Path,
    config: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> anyhow::Result<Output> {
    let mut command = prax_on(data)?;
    command
        .arg("license")
        .args(args)
        .args(["--config", config, "--data-dir"])
        .arg(data)
        .env_remove("PRAXIMOUS_LICENSE");
    match stdin {
        None => Ok(command.output()?),
        Some(input) => {
            use std::io::Write as _;
            let mut child = command
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()?;
            if let Some(mut pipe) = child.stdin.take() {
                pipe.write_all(input.as_bytes())?;
            }
            Ok(child.wait_with_output()?)
        }
    }
}

fn write_config(work: &Path, body: &str) -> anyhow::Result<String> {
    let path = work.join("prax.toml");
    std::fs::write(&path, format!("[license]\nrefresh_ms = 200\n{body}"))?;
    Ok(path.display().to_string())
}

async fn licence_of(server: &Server, key: Option<&str>) -> anyhow::Result<Value> {
    let answer = get(&client_with_key(key), &server.url("/api/v1/license")).await?;
    anyhow::ensure!(answer.status == 200, "{}", answer.text);
    Ok(answer.json)
}

async fn redact(server: &Server) -> anyhow::Result<Answer> {
    post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": "pii_redactor", "prompt": "mail me at jane@example.com"}),
    )
    .await
}

/// Wait until the server's licence state is `state`.
async fn until_state(server: &Server, state: &str) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let licence = licence_of(server, Some(TEST_ADMIN_KEY)).await?;
        if licence["state"] == state || Instant::now() > deadline {
            return Ok(licence);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_evaluation_unlocks_everything_for_30_days_once() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config = write_config(work.path(), "")?;
    let mut server = Server::start_in(work.path(), &data, &["--config", &config])?;
    let licence = licence_of(&server, Some(TEST_ADMIN_KEY)).await?;
    assert_eq!(licence["state"], "evaluation", "{licence}");
    assert_eq!(licence["tier"], "enterprise");
    let ends = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    assert_eq!(licence["evaluation_ends"], ends.as_str());
    assert!(
        server.log().contains("evaluation: every feature until"),
        "{}",
        server.log()
    );
    assert_eq!(redact(&server).await?.status, 200);
    server.stop();

    // The evaluation began long ago (as the store records it): Standard, and a restart does
    // not start another.
    store::execute(
        &data,
        "UPDATE license_facts SET at = '2020-01-01T00:00:00Z' WHERE name = 'evaluation_started'",
        &[],
    )?;
    for _ in 0..2 {
        let server = Server::start_in(work.path(), &data, &["--config", &config])?;
        let licence = licence_of(&server, Some(TEST_ADMIN_KEY)).await?;
        assert_eq!(licence["state"], "unlicensed", "{licence}");
        assert_eq!(licence["tier"], "standard");
        let refused = redact(&server).await?;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert_eq!(refused.json["code"], "not_licensed");
        let detail = refused.json["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("PII redaction")
                && detail.contains("Standard tier")
                && detail.contains("Pro tier"),
            "{detail}"
        );
        // A gated skill is listed with its tier, not hidden.
        let listed = get(&client(), &server.url("/api/v1/skills")).await?;
        assert_eq!(
            listed.json["pii_redactor"]["licence_tier"], "pro",
            "{}",
            listed.text
        );
        assert_eq!(listed.json["pii_redactor"]["unlocked"], false);
    }
    Ok(())
}

#[tokio::test]
async fn a_licence_installed_while_running_takes_effect_and_expires_honestly() -> anyhow::Result<()>
{
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config = write_config(work.path(), "evaluation = false\n")?;
    let server = Server::start_in(work.path(), &data, &["--config", &config])?;
    let licence = licence_of(&server, Some(TEST_ADMIN_KEY)).await?;
    assert_eq!(licence["state"], "unlicensed", "{licence}");

    // Everyone sees the tier and state; only admins see the licence.
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "u", "role": "user"}),
    )
    .await?;
    let user = made.json["key"].as_str().unwrap_or_default().to_owned();

    let pro = issue(&data, &["--tier", "pro", "--days", "365", "--seats", "20"])?;
    let file = work.path().join("licence.txt");
    std::fs::write(&file, &pro)?;
    let installed = license(
        &data,
        &config,
        &["install", &file.display().to_string()],
        None,
    )?;
    assert!(installed.status.success(), "{}", text(&installed));
    assert!(
        text(&installed).contains("Pro tier"),
        "{}",
        text(&installed)
    );
    let licence = until_state(&server, "valid").await?;
    assert_eq!(licence["state"], "valid", "{licence}");
    assert_eq!(licence["tier"], "pro");
    assert_eq!(licence["licence"]["customer"], "Acme Corp");
    assert_eq!(licence["seats"], 20);
    assert!(licence["activated_at"].is_string(), "{licence}");
    assert_eq!(redact(&server).await?.status, 200);
    let seen_by_user = licence_of(&server, Some(&user)).await?;
    assert_eq!(seen_by_user["tier"], "pro");
    assert!(seen_by_user.get("licence").is_none(), "{seen_by_user}");

    let shown = license(&data, &config, &["show"], None)?;
    assert!(shown.status.success(), "{}", text(&shown));
    assert!(
        text(&shown).contains("licence valid until") && text(&shown).contains("[x] PII redaction"),
        "{}",
        text(&shown)
    );

    // Ten days left: it works, with a warning.
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(10))
        .format(&time::format_description::well_known::Rfc3339)?;
    let expiring = issue(&data, &["--tier", "pro", "--until", &soon])?;
    let installed = license(&data, &config, &["install", "-"], Some(&expiring))?;
    assert!(installed.status.success(), "{}", text(&installed));
    let licence = until_state(&server, "expiring").await?;
    assert_eq!(licence["state"], "expiring", "{licence}");
    assert_eq!(licence["tier"], "pro");
    assert!(
        server.wait_for_log("licence expires on", Duration::from_secs(5)),
        "{}",
        server.log()
    );

    // Past its end: the Standard tier, said in the log; installing a renewal brings it back.
    let expired = issue(&data, &["--tier", "pro", "--until", "2026-01-01T00:00:00Z"])?;
    license(&data, &config, &["install", "-"], Some(&expired))?;
    let licence = until_state(&server, "expired").await?;
    assert_eq!(licence["state"], "expired", "{licence}");
    assert_eq!(licence["tier"], "standard");
    assert!(
        server.wait_for_log("licence EXPIRED", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    assert_eq!(redact(&server).await?.status, 403);
    license(&data, &config, &["install", "-"], Some(&pro))?;
    assert_eq!(until_state(&server, "valid").await?["tier"], "pro");
    Ok(())
}

#[tokio::test]
async fn invalid_tampered_and_foreign_keys_are_never_accepted() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config = write_config(work.path(), "")?;
    let good = issue(&data, &["--tier", "team", "--days", "30"])?;

    // The payload edited to a higher tier after signing.
    let parts: Vec<&str> = good.split('.').collect();
    let payload =
        String::from_utf8(B64URL.decode(parts[1])?)?.replace("\"team\"", "\"enterprise\"");
    let tampered = format!("{}.{}.{}", parts[0], B64URL.encode(payload), parts[2]);
    let other_product = issue(
        &data,
        &["--tier", "team", "--days", "30", "--product", "other"],
    )?;
    let keygen = prax_on(&data)?
        .args(["license", "keygen", "--out"])
        .arg(work.path().join("rogue"))
        .output()?;
    assert!(keygen.status.success(), "{}", text(&keygen));
    let rogue = {
        let key = work.path().join("rogue/vendor.key").display().to_string();
        let out = prax_on(&data)?
            .args([
                "license",
                "issue",
                "--key",
                &key,
                "--customer",
                "X",
                "--email",
                "x@x.example",
                "--tier",
                "enterprise",
                "--days",
                "30",
            ])
            .output()?;
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    for (key, why) in [
        (tampered.as_str(), "signature does not match"),
        (other_product.as_str(), "is for `other`, not Praximous"),
        (rogue.as_str(), "which this prax does not trust"),
        ("prax-license-v1.garbage", "malformed"),
    ] {
        let refused = license(&data, &config, &["install", "-"], Some(key))?;
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
        assert!(text(&refused).contains(why), "{why}: {}", text(&refused));
        assert!(
            text(&refused).contains("licensing@"),
            "says whom to ask: {}",
            text(&refused)
        );
        assert!(!data.join("license.key").exists(), "nothing installed");

        // Given to `prax serve`, it stops the start (`timeout`: a server that did start would
        // otherwise hold the test forever).
        let mut serve = std::process::Command::new("timeout");
        serve
            .arg("120")
            .arg(praximous_e2e::prax_binary())
            .env("PRAXIMOUS_LICENSE", key)
            .env_remove("PRAXIMOUS_CONFIG")
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--config",
                &config,
                "--data-dir",
            ])
            .arg(&data);
        if let Some(url) = store::store_url(&data)? {
            serve.env("PRAXIMOUS_STORE_URL", url);
        }
        let served = serve.output()?;
        assert_eq!(served.status.code(), Some(1), "{}", text(&served));
        assert!(text(&served).contains(why), "{why}: {}", text(&served));
    }
    Ok(())
}

#[tokio::test]
async fn seats_are_counted_and_the_last_one_says_so() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config = write_config(work.path(), "evaluation = false\n")?;
    let server = Server::start_in(work.path(), &data, &["--config", &config])?;
    // The environment's admin key is one of Standard's five seats.
    for n in 0..4 {
        let made = post_json(
            &client(),
            &server.url("/api/v1/keys"),
            &json!({"name": format!("k{n}"), "role": "user"}),
        )
        .await?;
        assert_eq!(made.status, 201, "{}", made.text);
    }
    let refused = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "sixth", "role": "user"}),
    )
    .await?;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json["code"], "not_licensed");
    assert!(
        refused.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("allows 5 seats"),
        "{}",
        refused.text
    );
    Ok(())
}

#[tokio::test]
async fn admins_check_a_key_before_installing_it_over_http() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config = write_config(work.path(), "evaluation = false\n")?;
    let server = Server::start_in(work.path(), &data, &["--config", &config])?;
    let team = issue(&data, &["--tier", "team", "--days", "90"])?;
    let url = server.url("/api/v1/license");

    // A dry run says what the key gives and changes nothing.
    let checked = post_json(&client(), &url, &json!({"key": team, "dry_run": true})).await?;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert_eq!(checked.json["installed"], false);
    assert_eq!(checked.json["tier"], "team");
    assert_eq!(checked.json["licence"]["customer"], "Acme Corp");
    assert_eq!(
        licence_of(&server, Some(TEST_ADMIN_KEY)).await?["state"],
        "unlicensed"
    );
    assert!(!data.join("license.key").exists());

    // A bad key is refused with the check that failed; a user may not install.
    // (One character of the signature changed: still base64url, no longer the vendor's.)
    let at = team.len() - 10;
    let flipped = if &team[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{flipped}{}", &team[..at], &team[at + 1..]);
    let bad = post_json(&client(), &url, &json!({"key": forged})).await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text.contains("signature does not match"),
        "{}",
        bad.text
    );
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "u", "role": "user"}),
    )
    .await?;
    let user = made.json["key"].as_str().unwrap_or_default().to_owned();
    let refused = post_json(&client_with_key(Some(&user)), &url, &json!({"key": team})).await?;
    assert_eq!(refused.status, 403, "{}", refused.text);

    // Installed: in force at once, and kept in the data directory.
    let installed = post_json(&client(), &url, &json!({"key": team})).await?;
    assert_eq!(installed.status, 200, "{}", installed.text);
    assert_eq!(installed.json["installed"], true);
    let licence = licence_of(&server, Some(TEST_ADMIN_KEY)).await?;
    assert_eq!(
        (licence["state"].as_str(), licence["tier"].as_str()),
        (Some("valid"), Some("team"))
    );
    assert!(std::fs::read_to_string(data.join("license.key"))?.starts_with("prax-license-v1."));
    Ok(())
}
