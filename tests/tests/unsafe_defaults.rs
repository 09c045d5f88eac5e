//! Defaults that would be unsafe, made safe, through the real binary: identifiers of
//! environment keys that reveal nothing about the keys, and a warning about short ones.

use praximous_e2e::{Server, TEST_ADMIN_KEY, client, get, sha256_hex};

async fn env_key_id(server: &Server) -> anyhow::Result<String> {
    let keys = get(&client(), &server.url("/api/v1/keys")).await?;
    assert_eq!(keys.status, 200, "{}", keys.text);
    let env = keys.json.as_array().and_then(|all| {
        all.iter()
            .find(|k| k["source"] == "environment")
            .map(|k| k["id"].as_str().unwrap_or_default().to_owned())
    });
    env.ok_or_else(|| anyhow::anyhow!("no environment key listed: {}", keys.text))
}

#[tokio::test]
async fn environment_key_ids_are_keyed_per_installation_and_short_keys_are_warned_about()
-> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let mut first = Server::start_in(work.path(), &data, &[])?;
    let id = env_key_id(&first).await?;
    assert!(id.starts_with("env-") && id.len() == 16, "{id}");
    let bare_hash = format!("env-{}", &sha256_hex(TEST_ADMIN_KEY.as_bytes())[..12]);
    assert_ne!(id, bare_hash, "the id is not a bare hash of the key");
    let log = first.log();
    assert!(
        log.contains("environment key #1 is only 25 characters long"),
        "{log}"
    );
    assert!(
        !log.contains(TEST_ADMIN_KEY),
        "the key itself is never logged"
    );
    first.stop();

    let again = Server::start_in(work.path(), &data, &[])?;
    assert_eq!(env_key_id(&again).await?, id, "stable across restarts");
    let elsewhere = Server::start()?;
    assert_ne!(
        env_key_id(&elsewhere).await?,
        id,
        "another installation's secret gives another id"
    );
    Ok(())
}
