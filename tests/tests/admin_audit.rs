//! The admin audit log end to end: keys, licences and skills changed over the API and on the
//! command line each leave an entry (who, from where, before and after, never a secret);
//! admins list, filter and page them, and export them on the Enterprise tier; an entry edited
//! or deleted in the database makes `prax audit verify` fail, naming it.

use std::path::Path;

use praximous_e2e::licence::{issue, text};
use praximous_e2e::registry::{NO_PERMISSIONS, WIT, bundle_of, greeter, path, write_bundle};
use praximous_e2e::{Server, TEST_ADMIN_KEY, client, delete, get, post_json, prax_on, store};
use serde_json::{Value, json};

/// `prax ARGS --config CONFIG --data-dir DATA`.
fn prax(data: &Path, config: &Path, args: &[&str]) -> anyhow::Result<std::process::Output> {
    Ok(prax_on(data)?
        .args(args)
        .args(["--config", &path(config), "--data-dir", &path(data)])
        .env_remove("PRAXIMOUS_API_KEYS")
        .env_remove("PRAXIMOUS_LICENSE")
        .env("USER", "ops-on-call")
        .output()?)
}

async fn entries(server: &Server, query: &str) -> anyhow::Result<Value> {
    let answer = get(
        &client(),
        &server.url(&format!("/api/v1/admin-audit{query}")),
    )
    .await?;
    anyhow::ensure!(answer.status == 200, "{}", answer.text);
    Ok(answer.json)
}

fn actions(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn every_administrative_change_is_chained_and_tampering_is_named() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let data = work.join("data");
    let bundle = write_bundle(
        work,
        "greeter.tar",
        &bundle_of(&greeter(work, "greeter", "1.0.0", WIT, NO_PERMISSIONS)),
    );
    let config = work.join("praximous.toml");
    std::fs::write(
        &config,
        format!(
            "[license]\nrefresh_ms = 200\n[skills]\nreload_interval_ms = 100\n\
             [registry]\ndevelopment_sources = [\"{bundle}\"]\n"
        ),
    )?;
    let server = Server::start_in(work, &data, &["--config", &path(&config)])?;

    // Over the API: a key made and revoked.
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "ci-bot", "role": "operator"}),
    )
    .await?;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.json["key"].as_str().unwrap_or_default().to_owned();
    let key_id = made.json["id"].as_str().unwrap_or_default().to_owned();
    let revoked = delete(&client(), &server.url(&format!("/api/v1/keys/{key_id}"))).await?;
    assert_eq!(revoked.status, 200, "{}", revoked.text);

    // The evaluation is Enterprise: the export works.
    let export = get(
        &client(),
        &server.url("/api/v1/admin-audit/export?format=csv"),
    )
    .await?;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(
        export.text.starts_with(
            "seq,at,actor,actor_name,source,action,target,before,after,prev_hash,hash"
        ),
        "{}",
        export.text
    );
    assert_eq!(
        export.text.lines().count(),
        3,
        "a header and two entries: {}",
        export.text
    );

    // A Pro licence over the API; then the export is locked (an Enterprise feature).
    let pro = issue(&data, &["--tier", "pro", "--days", "30"])?;
    let installed = post_json(
        &client(),
        &server.url("/api/v1/license"),
        &json!({"key": pro}),
    )
    .await?;
    assert_eq!(installed.status, 200, "{}", installed.text);
    let locked = get(&client(), &server.url("/api/v1/admin-audit/export")).await?;
    assert_eq!(locked.status, 403, "{}", locked.text);
    assert_eq!(locked.json["code"], "not_licensed");

    // On the command line: a skill installed and a key made, as the machine's user.
    let skill = prax(&data, &config, &["skill", "install", &bundle])?;
    assert!(skill.status.success(), "{}", text(&skill));
    let cli_key = prax(
        &data,
        &config,
        &["keys", "create", "--name", "nightly", "--role", "user"],
    )?;
    assert!(cli_key.status.success(), "{}", text(&cli_key));

    let page = entries(&server, "").await?;
    assert_eq!(page["total"], 5, "{page}");
    assert_eq!(
        actions(&page),
        [
            "key.created",
            "skill.installed",
            "licence.installed",
            "key.revoked",
            "key.created"
        ],
        "newest first: {page}"
    );
    let all = page["entries"].as_array().cloned().unwrap_or_default();
    let by_api = &all[4];
    assert_eq!(by_api["source"], "127.0.0.1");
    assert!(
        by_api["actor"]
            .as_str()
            .unwrap_or_default()
            .starts_with("key:env-"),
        "{by_api}"
    );
    assert_eq!(by_api["target"], key_id.as_str());
    let after: Value = serde_json::from_str(by_api["after"].as_str().unwrap_or("null"))?;
    assert_eq!(
        (after["name"].as_str(), after["role"].as_str()),
        (Some("ci-bot"), Some("operator"))
    );
    let licence = &all[2];
    let before: Value = serde_json::from_str(licence["before"].as_str().unwrap_or("null"))?;
    let now: Value = serde_json::from_str(licence["after"].as_str().unwrap_or("null"))?;
    assert_eq!(
        (before["tier"].as_str(), now["tier"].as_str()),
        (Some("enterprise"), Some("pro"))
    );
    let by_cli = &all[0];
    assert_eq!(
        (by_cli["actor"].as_str(), by_cli["source"].as_str()),
        (Some("cli:ops-on-call"), Some("cli"))
    );
    assert_eq!(all[1]["target"], "greeter");
    let everything = page.to_string();
    assert!(
        !everything.contains(&secret),
        "a key's secret is in the admin audit log"
    );
    assert!(
        !everything.contains(&pro),
        "the licence key is in the admin audit log"
    );
    assert!(!everything.contains(TEST_ADMIN_KEY));

    // Filters and paging.
    let keys_only = entries(&server, "?action=key.&limit=2").await?;
    assert_eq!(keys_only["total"], 3);
    assert_eq!(actions(&keys_only), ["key.created", "key.revoked"]);
    let second_page = entries(&server, "?action=key.&limit=2&offset=2").await?;
    assert_eq!(actions(&second_page), ["key.created"]);
    let by_me = entries(&server, "?actor=cli:ops-on-call").await?;
    assert_eq!(by_me["total"], 2);

    // The chain verifies, over the API and on the command line.
    let state = get(&client(), &server.url("/api/v1/admin-audit/verify")).await?;
    assert_eq!(
        (
            state.json["intact"].as_bool(),
            state.json["entries"].as_u64()
        ),
        (Some(true), Some(5)),
        "{}",
        state.text
    );
    let verified = prax(&data, &config, &["audit", "verify"])?;
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        text(&verified).contains("intact: 5 entries"),
        "{}",
        text(&verified)
    );

    // An entry edited in the database is named ...
    let original = store::query(
        &data,
        "SELECT after_values FROM admin_audit WHERE seq = 2",
        &[],
    )?;
    let original = original
        .first()
        .and_then(|r| r.first().cloned().flatten())
        .unwrap_or_default();
    store::execute(
        &data,
        "UPDATE admin_audit SET after_values = '{\"state\":\"active\"}' WHERE seq = 2",
        &[],
    )?;
    let broken = prax(&data, &config, &["audit", "verify"])?;
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(
        text(&broken).contains("entry #2 was changed"),
        "{}",
        text(&broken)
    );
    let state = get(&client(), &server.url("/api/v1/admin-audit/verify")).await?;
    assert_eq!(state.json["intact"], false, "{}", state.text);

    // ... and so is one deleted (once the edit is undone).
    store::execute(
        &data,
        "UPDATE admin_audit SET after_values = $1 WHERE seq = 2",
        &[&original],
    )?;
    assert!(prax(&data, &config, &["audit", "verify"])?.status.success());
    store::execute(&data, "DELETE FROM admin_audit WHERE seq = 3", &[])?;
    let gap = prax(&data, &config, &["audit", "verify"])?;
    assert_eq!(gap.status.code(), Some(1), "{}", text(&gap));
    assert!(
        text(&gap).contains("entries before #4 are missing"),
        "{}",
        text(&gap)
    );
    Ok(())
}
