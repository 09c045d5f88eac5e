//! The skill registry end to end: write, build, sign and publish a skill to a real
//! `prax registry serve`, install it into a running `prax` and call it; the tamper suite
//! (every bad download leaves the installed set as it was, with an error that says what
//! failed); the same install from a registry URL, a mirrored folder and a bundle; and the
//! admin-only HTTP routes the web UI uses.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use praximous_e2e::registry::{
    FakeRegistry, NO_PERMISSIONS, Registry, Reply, TOKEN, WIT, bundle_of, config, greeter,
    index_json, install, installed_files, keygen, path, prax, public_key_id, publish, sign,
    tar_with_entry, write_bundle,
};
use praximous_e2e::{Server, client, client_with_key, get, post_json, sha256_hex};
use praximous_registry::signing::PublisherKey;
use serde_json::{Value, json};

/// POST a task until it answers 200 (the server picks installs up within its reload
/// interval), or give up after `wait`.
async fn process_until_served(server: &Server, body: &Value, wait: Duration) -> Value {
    let deadline = Instant::now() + wait;
    loop {
        let answer = post_json(&client(), &server.url("/api/v1/process"), body).await;
        match answer {
            Ok(answer) if answer.status == 200 => return answer.json,
            Ok(answer) if Instant::now() > deadline => {
                panic!(
                    "not served within {wait:?}: {} {}",
                    answer.status, answer.text
                )
            }
            Err(e) if Instant::now() > deadline => panic!("not served: {e}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_skill_goes_from_scaffold_to_a_running_server_through_a_registry()
-> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    prax(
        work,
        &["skill", "new", "hello_skill", "--lang", "rust"],
        &[],
    )
    .ok("skill new");
    let skill = work.join("hello_skill");
    // One target folder across runs keeps the guest's dependencies compiled.
    let target = praximous_e2e::repo_root().join("target/skill-authoring");
    let built = prax(
        work,
        &["skill", "build", &path(&skill)],
        &[("CARGO_TARGET_DIR", &path(&target))],
    )
    .ok("skill build");
    assert!(
        built.stdout.contains("hello_skill 0.1.0"),
        "{}",
        built.stdout
    );
    let manifest = std::fs::read_to_string(skill.join("skill.yaml"))?;
    let wasm = std::fs::read(skill.join("skill.wasm"))?;
    assert!(
        manifest.contains(&format!("sha256: {}", sha256_hex(&wasm))),
        "build pins the digest:\n{manifest}"
    );
    prax(work, &["skill", "check", &path(&skill)], &[]).ok("skill check");
    // The scaffold's own cases pass in the sandbox, without a server.
    let tested = prax(work, &["skill", "test", &path(&skill)], &[]).ok("skill test");
    assert!(
        tested.stdout.contains("4 passed, 0 failed"),
        "{}",
        tested.stdout
    );

    let (key, public) = keygen(work, "publisher");
    sign(work, &skill, &key);
    let checked = prax(work, &["skill", "check", &path(&skill)], &[]).ok("check signed");
    assert!(checked.stdout.contains("signed by"), "{}", checked.stdout);

    let registry = Registry::start(work, &work.join("registry"), TOKEN, &[])?;
    publish(work, &skill, &registry.url).ok("publish");

    let cfg = config(work, "prax.toml", &[&public], "");
    let data = work.join("data");
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let installed = install(
        work,
        "hello_skill@^0.1",
        &data,
        &cfg,
        &["--registry", &registry.url],
    )
    .ok("install");
    assert!(
        installed.stdout.contains("installed hello_skill 0.1.0"),
        "{}",
        installed.stdout
    );

    // Loaded by the running server without a restart.
    let task = json!({"task_type": "hello_skill", "prompt": "hello there", "shout": true});
    let answer = process_until_served(&server, &task, Duration::from_secs(20)).await;
    assert_eq!(answer["result"]["text"], "HELLO THERE", "{answer}");

    let listed = prax(
        work,
        &[
            "skill",
            "list",
            "--json",
            "--data-dir",
            &path(&data),
            "--config",
            &cfg,
        ],
        &[],
    )
    .ok("list");
    let rows: Value = serde_json::from_str(&listed.stdout)?;
    let row = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["name"] == "hello_skill"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["version"], "0.1.0", "{rows}");
    assert_eq!(row["signature"], "Verified", "{rows}");
    assert_eq!(row["source"], registry.url.as_str(), "{rows}");
    let key_id = public_key_id(&public);
    assert_eq!(row["publisher"], key_id.as_str(), "{rows}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tampered_or_failed_install_leaves_the_installed_set_unchanged() -> anyhow::Result<()>
{
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "trusted");
    let (stranger, _) = keygen(work, "stranger");
    let cfg = config(work, "prax.toml", &[&public], "");
    let data = work.join("data");

    // The installed set: greeter 1.1.0, signed by a trusted publisher.
    let good = greeter(work, "good", "1.1.0", WIT, NO_PERMISSIONS);
    sign(work, &good, &key);
    let good_tar = write_bundle(work, "good.tar", &bundle_of(&good));
    install(work, &good_tar, &data, &cfg, &[]).ok("baseline install");
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let before = installed_files(&data);
    assert!(before.contains_key("greeter/skill.yaml.sig"), "{before:?}");

    let newer = greeter(work, "newer", "1.2.0", WIT, NO_PERMISSIONS);
    sign(work, &newer, &key);
    let signed_newer = bundle_of(&newer);

    // Each case: (what, what to install, extra arguments, what the error must say).
    let mut cases: Vec<(&str, String, Vec<String>, &str)> = Vec::new();

    let mut flipped = signed_newer.clone();
    if let Some(byte) = flipped.component.get_mut(1000) {
        *byte ^= 0x01;
    }
    cases.push((
        "one byte of the component changed",
        write_bundle(work, "flipped.tar", &flipped),
        vec![],
        "sha256",
    ));

    let mut edited = signed_newer.clone();
    edited.manifest = String::from_utf8_lossy(&edited.manifest)
        .replace("Greets, by echoing.", "Greets, and more.")
        .into_bytes();
    cases.push((
        "the manifest changed after signing",
        write_bundle(work, "edited.tar", &edited),
        vec![],
        "the signature does not match skill.yaml",
    ));

    let by_stranger = greeter(work, "stranger-signed", "1.2.0", WIT, NO_PERMISSIONS);
    sign(work, &by_stranger, &stranger);
    cases.push((
        "a signature by an untrusted key",
        write_bundle(work, "stranger.tar", &bundle_of(&by_stranger)),
        vec![],
        "not in [registry] trusted_publishers",
    ));

    let unsigned = greeter(work, "unsigned", "1.2.0", WIT, NO_PERMISSIONS);
    cases.push((
        "an unsigned skill from a source not marked for development",
        write_bundle(work, "unsigned.tar", &bundle_of(&unsigned)),
        vec![],
        "is not signed",
    ));

    let whole = std::fs::read(write_bundle(work, "whole.tar", &signed_newer))?;
    let truncated = work.join("truncated.tar");
    std::fs::write(&truncated, &whole[..whole.len() / 2])?;
    cases.push(("a truncated bundle", path(&truncated), vec![], "truncated"));

    // `prax skill sign` refuses a WIT version this host does not run, so sign it as an
    // outside tool would.
    let future = greeter(
        work,
        "future",
        "1.2.0",
        "praximous:skill@9.0.0",
        NO_PERMISSIONS,
    );
    let key_text = std::fs::read_to_string(&key)?;
    let publisher = PublisherKey::parse(&key_text)?;
    let mut future_bundle = bundle_of(&future);
    future_bundle.signature = Some(publisher.sign(&future_bundle.manifest).to_bytes());
    cases.push((
        "an unsupported WIT version",
        write_bundle(work, "future.tar", &future_bundle),
        vec![],
        "9.0.0",
    ));

    let older = greeter(work, "older", "1.0.0", WIT, NO_PERMISSIONS);
    sign(work, &older, &key);
    cases.push((
        "an older version replayed as an upgrade",
        write_bundle(work, "older.tar", &bundle_of(&older)),
        vec![],
        "would be a downgrade",
    ));

    let wider = greeter(
        work,
        "wider",
        "1.3.0",
        WIT,
        "{ llm: true, network: [api.example.com] }",
    );
    sign(work, &wider, &key);
    cases.push((
        "wider permissions not accepted",
        write_bundle(work, "wider.tar", &bundle_of(&wider)),
        vec![],
        "network: + api.example.com",
    ));

    let mut sneaky = tar_with_entry("../skill.yaml", &signed_newer.manifest);
    sneaky.extend_from_slice(&[0u8; 1024]);
    let sneaky_file = work.join("sneaky.tar");
    std::fs::write(&sneaky_file, sneaky)?;
    cases.push((
        "a bundle entry with ../",
        path(&sneaky_file),
        vec![],
        "not allowed",
    ));
    cases.push((
        "a name with ../",
        "../greeter".into(),
        vec!["--registry".into(), path(&work.join("nowhere"))],
        "is not a valid skill name",
    ));

    // A registry whose component download is cut short.
    let mut files = BTreeMap::new();
    let version_dir = "skills/greeter/1.2.0";
    files.insert(
        "index.json".to_owned(),
        Reply::Body(index_json(&signed_newer, &public)?),
    );
    files.insert(
        format!("{version_dir}/skill.yaml"),
        Reply::Body(signed_newer.manifest.clone()),
    );
    files.insert(
        format!("{version_dir}/skill.yaml.sig"),
        Reply::Body(signed_newer.signature.clone().unwrap_or_default()),
    );
    files.insert(
        format!("{version_dir}/skill.wasm"),
        Reply::CutShort(signed_newer.component.clone(), 4096),
    );
    let cut = FakeRegistry::serve(files)?;
    cases.push((
        "a download cut short",
        "greeter".into(),
        vec!["--registry".into(), cut.url.clone()],
        "ended early",
    ));
    let failing = FakeRegistry::failing()?;
    cases.push((
        "the registry answering 500",
        "greeter".into(),
        vec!["--registry".into(), failing.url.clone()],
        "answered 500",
    ));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    cases.push((
        "the registry not answering at all",
        "greeter".into(),
        vec!["--registry".into(), format!("http://{closed}")],
        "cannot reach the registry",
    ));

    for (what, spec, extra, error) in &cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let refused = install(work, spec, &data, &cfg, &extra).fails_with(error, what);
        eprintln!("{what}: {}", refused.stderr.trim());
        assert_eq!(
            installed_files(&data),
            before,
            "{what}: the installed set changed"
        );
    }

    // The server still serves the installed version.
    let skills = get(&client(), &server.url("/api/v1/skills")).await?;
    assert_eq!(
        skills.json["greeter"]["version"], "1.1.0",
        "{}",
        skills.text
    );
    assert_eq!(skills.json["greeter"]["signature"]["state"], "verified");

    // And the refusals were refusals: with consent, the same upgrade goes in.
    install(
        work,
        &path(&work.join("wider.tar")),
        &data,
        &cfg,
        &["--accept-permissions"],
    )
    .ok("accepted upgrade");
    install(
        work,
        &path(&work.join("older.tar")),
        &data,
        &cfg,
        &["--allow-downgrade"],
    )
    .ok("allowed downgrade");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_refuses_bad_publishes_and_yanked_versions_do_not_resolve()
-> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "publisher");
    let small = config(work, "registry.toml", &[], "max_component_mb = 1\n");
    let registry = Registry::start(work, &work.join("registry"), TOKEN, &["--config", &small])?;

    let v1 = greeter(work, "v1", "1.0.0", WIT, NO_PERMISSIONS);
    publish(work, &v1, &registry.url).fails_with("is not signed", "an unsigned publish");
    sign(work, &v1, &key);
    publish(work, &v1, &registry.url).ok("publish 1.0.0");
    publish(work, &v1, &registry.url).fails_with("already published", "a republish");
    let wrong_token = prax(
        work,
        &[
            "skill",
            "publish",
            &path(&v1),
            "--registry",
            &registry.url,
            "--token",
            "not-the-token",
        ],
        &[],
    );
    wrong_token.fails_with("403", "a wrong token");

    // A manifest whose digest does not match its component.
    let lying = greeter(work, "lying", "1.1.0", WIT, NO_PERMISSIONS);
    std::fs::write(lying.join("skill.wasm"), b"\0asm not the component")?;
    let mut lying_bundle = bundle_of(&lying);
    let publisher = PublisherKey::parse(&std::fs::read_to_string(&key)?)?;
    lying_bundle.signature = Some(publisher.sign(&lying_bundle.manifest).to_bytes());
    let http = reqwest::Client::new();
    let put = |name: &str, version: &str, body: Vec<u8>| {
        http.put(format!("{}/skills/{name}/{version}", registry.url))
            .bearer_auth(TOKEN)
            .body(body)
            .send()
    };
    let lying_tar = lying_bundle.to_tar("skill.wasm")?;
    let answer = put("greeter", "1.1.0", lying_tar).await?;
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await?.contains("but the manifest pins"));

    // Names that try to leave the registry's folder.
    let good_tar = bundle_of(&v1).to_tar("skill.wasm")?;
    for name in ["..%2F..%2Fescaped", "..", "Bad.Name"] {
        let answer = put(name, "1.0.0", good_tar.clone()).await?;
        assert!(
            matches!(answer.status().as_u16(), 400 | 404),
            "{name}: {}",
            answer.status()
        );
    }
    assert!(!work.join("escaped").exists());

    // An oversized upload (the limit here is 1 MiB).
    let big = greeter(work, "big", "2.0.0", WIT, NO_PERMISSIONS);
    let mut huge = std::fs::read(big.join("skill.wasm"))?;
    huge.resize(2 << 20, 0);
    std::fs::write(big.join("skill.wasm"), &huge)?;
    let manifest = std::fs::read_to_string(big.join("skill.yaml"))?;
    let repinned: String = manifest
        .lines()
        .map(|l| {
            if l.starts_with("sha256:") {
                format!("sha256: {}\n", sha256_hex(&huge))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(big.join("skill.yaml"), repinned)?;
    let mut big_bundle = bundle_of(&big);
    big_bundle.signature = Some(publisher.sign(&big_bundle.manifest).to_bytes());
    let answer = put("greeter", "2.0.0", big_bundle.to_tar("skill.wasm")?).await?;
    assert_eq!(answer.status(), 413);

    let index = get(&client(), &format!("{}/index.json", registry.url)).await?;
    let versions = &index.json["skills"]["greeter"]["versions"];
    assert_eq!(versions.as_array().map(Vec::len), Some(1), "{}", index.text);
    assert_eq!(versions[0]["publisher"], public_key_id(&public).as_str());

    // Yanked: kept on disk, but no longer resolved.
    let v11 = greeter(work, "v11", "1.1.0", WIT, NO_PERMISSIONS);
    sign(work, &v11, &key);
    publish(work, &v11, &registry.url).ok("publish 1.1.0");
    let answer = http
        .post(format!("{}/skills/greeter/1.1.0/yank", registry.url))
        .bearer_auth(TOKEN)
        .send()
        .await?;
    assert_eq!(answer.status(), 200);
    let cfg = config(work, "prax.toml", &[&public], "");
    let data = work.join("data");
    let run = install(work, "greeter", &data, &cfg, &["--registry", &registry.url]).ok("install");
    assert!(
        run.stdout.contains("installed greeter 1.0.0"),
        "{}",
        run.stdout
    );
    install(
        work,
        "greeter@=1.1.0",
        &data,
        &cfg,
        &["--registry", &registry.url],
    )
    .fails_with("no version of `greeter` matches", "a yanked version");
    assert!(
        work.join("registry/skills/greeter/1.1.0/skill.wasm")
            .is_file()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_install_from_a_registry_a_mirror_folder_and_a_bundle() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "publisher");
    let cfg = config(work, "prax.toml", &[&public], "");
    let skill = greeter(work, "greeter-src", "1.4.0", WIT, NO_PERMISSIONS);
    sign(work, &skill, &key);
    let registry = Registry::start(work, &work.join("registry"), TOKEN, &[])?;
    publish(work, &skill, &registry.url).ok("publish");

    // A mirror: the registry's folder copied elsewhere, as onto a USB stick.
    let mirror = work.join("usb/mirror");
    copy_tree(&registry.dir, &mirror)?;
    let bundle = work.join("greeter-1.4.0.tar");
    prax(
        work,
        &["skill", "bundle", &path(&skill), "--out", &path(&bundle)],
        &[],
    )
    .ok("bundle");

    let sources = [
        (
            "url",
            vec![
                "greeter".to_owned(),
                "--registry".into(),
                registry.url.clone(),
            ],
        ),
        (
            "mirror",
            vec!["greeter@1".to_owned(), "--registry".into(), path(&mirror)],
        ),
        ("bundle", vec![path(&bundle)]),
    ];
    let mut installs = Vec::new();
    for (name, args) in &sources {
        let data = work.join(format!("data-{name}"));
        let extra: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        install(work, &args[0], &data, &cfg, &extra).ok(name);
        let lock: Value =
            serde_json::from_slice(&std::fs::read(data.join("skills/prax-skills.lock"))?)?;
        let entry = lock["skills"]["greeter"].clone();
        assert_eq!(entry["version"], "1.4.0", "{name}: {lock}");
        assert_eq!(
            entry["publisher"],
            public_key_id(&public).as_str(),
            "{name}"
        );
        // The lock file records where each came from, and when; the skill itself is the same.
        let mut files = installed_files(&data);
        files.remove("prax-skills.lock");
        installs.push((files, entry["sha256"].clone()));
    }
    assert!(
        installs.windows(2).all(|pair| pair[0] == pair[1]),
        "the three installs differ"
    );

    // `prax skill update` follows each skill to where it came from; `remove` takes it out.
    let newer = greeter(work, "greeter-next", "1.5.0", WIT, NO_PERMISSIONS);
    sign(work, &newer, &key);
    publish(work, &newer, &registry.url).ok("publish 1.5.0");
    let store = |name: &str| {
        let data = work.join(format!("data-{name}"));
        vec![
            "--data-dir".to_owned(),
            data.display().to_string(),
            "--config".to_owned(),
            cfg.clone(),
        ]
    };
    let run = |args: &[&str], name: &str| {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(store(name));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        prax(work, &all, &[])
    };
    let updated = run(&["skill", "update"], "url").ok("update from the registry");
    assert!(
        updated.stdout.contains("updated greeter 1.4.0 -> 1.5.0"),
        "{}",
        updated.stdout
    );
    let again = run(&["skill", "update", "greeter"], "url").ok("update again");
    assert!(
        again.stdout.contains("greeter 1.5.0 is already installed"),
        "{}",
        again.stdout
    );
    let from_bundle = run(&["skill", "update"], "bundle").ok("update a bundle install");
    assert!(
        from_bundle.stdout.contains("installed from a bundle"),
        "{}",
        from_bundle.stdout
    );
    run(&["skill", "remove", "greeter"], "mirror").ok("remove");
    let listed = run(&["skill", "list", "--json"], "mirror").ok("list");
    assert!(!listed.stdout.contains("\"greeter\""), "{}", listed.stdout);
    run(&["skill", "remove", "greeter"], "mirror")
        .fails_with("is not installed", "a second remove");

    // And a mirror folder serves the installed skill to a running server.
    let data = work.join("data-bundle");
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let echoed = process_until_served(
        &server,
        &json!({"task_type": "greeter", "prompt": "from the bundle"}),
        Duration::from_secs(10),
    )
    .await;
    assert!(
        echoed["result"].to_string().contains("from the bundle"),
        "{echoed}"
    );
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_browse_install_update_and_remove_skills_over_http() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "publisher");
    let registry = Registry::start(work, &work.join("registry"), TOKEN, &[])?;
    for (folder, version, permissions) in [
        ("g1", "1.0.0", NO_PERMISSIONS),
        ("g2", "1.1.0", "{ llm: true, network: [] }"),
    ] {
        let dir = greeter(work, folder, version, WIT, permissions);
        sign(work, &dir, &key);
        publish(work, &dir, &registry.url).ok("publish");
    }
    let cfg = config(
        work,
        "prax.toml",
        &[&public],
        &format!("url = {:?}\n", registry.url),
    );
    let data = work.join("data");
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let admin = client();

    let browse = get(&admin, &server.url("/api/v1/registry/skills")).await?;
    assert_eq!(browse.status, 200, "{}", browse.text);
    assert_eq!(browse.json[0]["name"], "greeter");
    assert_eq!(browse.json[0]["latest"], "1.1.0");
    assert!(browse.json[0]["installed"].is_null());

    // Only admins may change what is installed.
    let (secret, _) = make_key(&server, "operator").await;
    let operator = client_with_key(Some(&secret));
    let refused = post_json(
        &operator,
        &server.url("/api/v1/skills/install"),
        &json!({"skill": "greeter@1.0"}),
    )
    .await?;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(refused.text.contains("'admin' role"), "{}", refused.text);

    let installed = post_json(
        &admin,
        &server.url("/api/v1/skills/install"),
        &json!({"skill": "greeter@=1.0.0"}),
    )
    .await?;
    assert_eq!(installed.status, 200, "{}", installed.text);
    assert_eq!(installed.json["version"], "1.0.0");
    // Loaded before the answer: the very next request is served.
    let task = json!({"task_type": "greeter", "prompt": "over http"});
    let served = post_json(&admin, &server.url("/api/v1/process"), &task).await?;
    assert_eq!(served.status, 200, "{}", served.text);

    let update = server.url("/api/v1/skills/greeter/update");
    let widening = post_json(&admin, &update, &json!({})).await?;
    assert_eq!(widening.status, 409, "{}", widening.text);
    assert!(
        widening.text.contains("llm: may now call"),
        "{}",
        widening.text
    );
    let preview = post_json(&admin, &update, &json!({"dry_run": true})).await?;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.json["changed"], false);
    assert_eq!(
        preview.json["widened"][0],
        "llm: may now call the LLM router"
    );
    // A version published after the preview is not what the admin accepted: naming the
    // previewed version installs exactly that one.
    let g3 = greeter(
        work,
        "g3",
        "1.2.0",
        WIT,
        "{ llm: true, network: [example.com] }",
    );
    sign(work, &g3, &key);
    publish(work, &g3, &registry.url).ok("publish 1.2.0 after the preview");
    let not_exact = post_json(&admin, &update, &json!({"version": "1.1"})).await?;
    assert_eq!(not_exact.status, 422, "{}", not_exact.text);
    let updated = post_json(
        &admin,
        &update,
        &json!({"accept_permissions": true, "version": preview.json["version"]}),
    )
    .await?;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(
        (
            updated.json["previous"].clone(),
            updated.json["version"].clone()
        ),
        (json!("1.0.0"), json!("1.1.0"))
    );
    let skills = get(&admin, &server.url("/api/v1/skills")).await?;
    assert_eq!(skills.json["greeter"]["version"], "1.1.0");

    let removed = admin
        .delete(server.url("/api/v1/skills/greeter"))
        .send()
        .await?;
    assert_eq!(removed.status(), 204);
    let gone = post_json(&admin, &server.url("/api/v1/process"), &task).await?;
    assert_eq!(gone.status, 404, "{}", gone.text);
    let again = admin
        .delete(server.url("/api/v1/skills/greeter"))
        .send()
        .await?;
    assert_eq!(again.status(), 404);
    let builtin = admin
        .delete(server.url("/api/v1/skills/echo"))
        .send()
        .await?;
    assert_eq!(builtin.status(), 404, "built-ins cannot be removed");
    Ok(())
}

/// A new key with `role`, made by the admin: (secret, id).
async fn make_key(server: &Server, role: &str) -> (String, String) {
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": format!("a {role}"), "role": role}),
    )
    .await
    .unwrap_or_else(|e| panic!("cannot make a key: {e}"));
    assert_eq!(made.status, 201, "{}", made.text);
    (
        made.json["key"].as_str().unwrap_or_default().to_owned(),
        made.json["id"].as_str().unwrap_or_default().to_owned(),
    )
}

/// An upload to a path no route serves is answered 404 after its body is read, so the
/// connection stays usable: a client that sends its next request on it is answered.
#[tokio::test]
async fn an_upload_to_an_unknown_path_leaves_the_connection_usable() -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let work = tempfile::tempdir()?;
    let work = work.path();
    let registry = Registry::start(work, &work.join("registry"), TOKEN, &[])?;
    let address = registry.url.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address).await?;
    let body = vec![b'x'; 256 << 10];
    socket
        .write_all(
            format!(
                "PUT /1.0.0 HTTP/1.1\r\nHost: r\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await?;
    socket.write_all(&body).await?;
    socket
        .write_all(b"GET /index.json HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n")
        .await?;
    let mut answers = String::new();
    tokio::time::timeout(Duration::from_secs(10), socket.read_to_string(&mut answers)).await??;
    assert!(answers.starts_with("HTTP/1.1 404"), "{answers}");
    assert_eq!(
        answers.matches("HTTP/1.1 ").count(),
        2,
        "the second request on the connection was answered too: {answers}"
    );
    Ok(())
}
