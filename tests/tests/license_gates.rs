//! The licence's gates beyond skills, end to end: the Standard tier's one external LLM provider
//! (local ones always allowed; a Team licence unlocks the rest without a restart), installing
//! unsigned skills from development sources (Pro), and seats when keys are made on the command
//! line as over the API.

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};

use praximous_e2e::dns::TestDns;
use praximous_e2e::licence::{issue, text};
use praximous_e2e::registry::{NO_PERMISSIONS, WIT, bundle_of, greeter, path, write_bundle};
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Answer, Server, client, get, post_json, prax_on};
use serde_json::{Value, json};

async fn ask(server: &Server, route: &str) -> anyhow::Result<Answer> {
    post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": route, "prompt": "hello"}),
    )
    .await
}

fn providers_of(answer: &Answer) -> Vec<(String, String)> {
    answer.json["result"]["attempts"]
        .as_array()
        .or(answer.json["detail"].as_array())
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|a| {
            (
                a["provider"].as_str().unwrap_or_default().to_owned(),
                a["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_standard_tier_uses_local_providers_and_one_external_one() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    let port = standin
        .base_url
        .rsplit(':')
        .next()
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_owned();
    // Two public-looking names (external providers) and the stand-in's own address (local).
    let dns = TestDns::start(|name, _| {
        name.ends_with(".example.com")
            .then_some(Ipv4Addr::LOCALHOST)
    })?;
    let provider = |name: &str, url: &str, priority: u32| {
        format!(
            "[[providers]]\nname = \"{name}\"\ntype = \"openai\"\nmodel = \"m\"\nbase_url = \"{url}\"\n\
             priority = {priority}\nallow_cidrs = [\"127.0.0.0/8\"]\n"
        )
    };
    let config = format!(
        "[license]\nevaluation = false\nrefresh_ms = 200\n{}{}{}{}\
         [routing.rules]\nask_first = [\"first\"]\nask_second = [\"second\"]\n\
         ask_second_then_first = [\"second\", \"first\"]\nask_local = [\"local\"]\n",
        dns.config(),
        provider("first", &format!("http://llm-one.example.com:{port}/v1"), 1),
        provider(
            "second",
            &format!("http://llm-two.example.com:{port}/v1"),
            2
        ),
        provider("local", &standin.base_url, 3),
    );
    let work = tempfile::tempdir()?;
    let file = work.path().join("praximous.toml");
    std::fs::write(&file, &config)?;
    let data = work.path().join("data");
    let server = Server::start_in(work.path(), &data, &["--config", &path(&file)])?;

    // Standard: the first external provider by priority and any local one serve.
    assert_eq!(ask(&server, "ask_first").await?.status, 200);
    assert_eq!(ask(&server, "ask_local").await?.status, 200);
    // The second external one is locked: alone, a 403 naming the feature and its tier ...
    let locked = ask(&server, "ask_second").await?;
    assert_eq!(locked.status, 403, "{}", locked.text);
    assert_eq!(locked.json["code"], "not_licensed");
    let detail = locked.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("More than one external LLM provider") && detail.contains("Team tier"),
        "{detail}"
    );
    // ... and on a route with others, skipped (said so) in favour of the next.
    let failed_over = ask(&server, "ask_second_then_first").await?;
    assert_eq!(failed_over.status, 200, "{}", failed_over.text);
    assert_eq!(
        providers_of(&failed_over),
        vec![
            ("second".to_owned(), "not_licensed".to_owned()),
            ("first".to_owned(), "ok".to_owned())
        ]
    );
    let listed = get(&client(), &server.url("/api/v1/providers")).await?;
    let second = listed.json["providers"]
        .as_array()
        .or(listed.json.as_array())
        .and_then(|all| all.iter().find(|p| p["name"] == "second").cloned())
        .unwrap_or(Value::Null);
    assert_eq!(second["available"], false, "{}", listed.text);
    assert!(
        second["unavailable_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("Team tier"),
        "{second}"
    );

    // A Team licence, installed while it runs: every provider serves.
    let team = issue(&data, &["--tier", "team", "--days", "30"])?;
    std::fs::write(data.join("license.key"), format!("{team}\n"))?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut answer = ask(&server, "ask_second").await?;
    while answer.status != 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = ask(&server, "ask_second").await?;
    }
    assert_eq!(answer.status, 200, "{}", answer.text);
    Ok(())
}

/// `prax ARGS` on `data` with the configuration file `config`; `licence` in the environment.
fn prax(
    data: &Path,
    config: &Path,
    args: &[&str],
    licence: Option<&str>,
) -> anyhow::Result<std::process::Output> {
    let mut command = prax_on(data)?;
    command
        .args(args)
        .args(["--config", &path(config), "--data-dir", &path(data)])
        .env_remove("PRAXIMOUS_API_KEYS");
    match licence {
        Some(key) => command.env("PRAXIMOUS_LICENSE", key),
        None => command.env_remove("PRAXIMOUS_LICENSE"),
    };
    Ok(command.output()?)
}

#[test]
fn development_sources_need_pro_and_command_line_keys_take_seats() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let data = work.join("data");
    let unsigned = greeter(work, "greeter", "1.0.0", WIT, NO_PERMISSIONS);
    let bundle = write_bundle(work, "greeter.tar", &bundle_of(&unsigned));
    let config = work.join("praximous.toml");
    std::fs::write(
        &config,
        format!(
            "[license]\nevaluation = false\n[registry]\ndevelopment_sources = [\"{bundle}\"]\n"
        ),
    )?;

    // Standard: an unsigned skill from a development source is refused, naming the tier.
    let refused = prax(&data, &config, &["skill", "install", &bundle], None)?;
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("Installing from registry development sources")
            && text(&refused).contains("Pro tier"),
        "{}",
        text(&refused)
    );
    assert!(!data.join("skills/greeter").exists());
    // Pro: it installs.
    let pro = issue(&data, &["--tier", "pro", "--days", "30"])?;
    let installed = prax(&data, &config, &["skill", "install", &bundle], Some(&pro))?;
    assert!(installed.status.success(), "{}", text(&installed));

    // Standard's five seats, counted on the command line too.
    for n in 1..=5 {
        let name = format!("key-{n}");
        let made = prax(
            &data,
            &config,
            &["keys", "create", "--name", &name, "--role", "user"],
            None,
        )?;
        assert!(made.status.success(), "key {n}: {}", text(&made));
    }
    let sixth = prax(
        &data,
        &config,
        &["keys", "create", "--name", "sixth", "--role", "user"],
        None,
    )?;
    assert!(!sixth.status.success());
    assert!(text(&sixth).contains("allows 5 seats"), "{}", text(&sixth));
    let listed = prax(&data, &config, &["keys", "list", "--json"], None)?;
    let keys: Value = serde_json::from_slice(&listed.stdout)?;
    assert_eq!(keys.as_array().map(Vec::len), Some(5), "{keys}");
    Ok(())
}
