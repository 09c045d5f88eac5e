//! The install trust chain against registries that lie: what arrives must be what was asked
//! for, downloads and mirrors are bounded, consent covers exactly what a dry run showed, and a
//! change of publisher needs its own consent. Each refusal leaves the installed set as it was.

use std::collections::BTreeMap;
use std::path::Path;

use praximous_e2e::registry::{
    FakeRegistry, NO_PERMISSIONS, Registry, Reply, WIT, bundle_of, config, greeter, install,
    installed_files, keygen, path, public_key_id, sign, write_bundle,
};
use praximous_e2e::{Server, client, client_with_key, post_json};
use praximous_registry::bundle::Bundle;
use praximous_registry::index::{Index, IndexVersion};
use praximous_registry::signing::PublisherKey;
use serde_json::json;

/// `bundle` with its manifest rewritten by `edit` and signed again with the key in `key`.
fn resigned(bundle: &Bundle, key: &Path, edit: impl Fn(String) -> String) -> Bundle {
    let text = String::from_utf8_lossy(&bundle.manifest).into_owned();
    let key = std::fs::read_to_string(key).unwrap_or_else(|e| panic!("{e}"));
    let publisher = PublisherKey::parse(&key).unwrap_or_else(|e| panic!("{e}"));
    let manifest = edit(text).into_bytes();
    Bundle {
        signature: Some(publisher.sign(&manifest).to_bytes()),
        manifest,
        component: bundle.component.clone(),
    }
}

/// The files a registry serves for `versions` of greeter: its index (each entry as `entry`
/// makes it from the bundle's manifest) and each version's folder.
fn registry_files(
    versions: &[(&Bundle, &str)],
    entry: impl Fn(IndexVersion) -> IndexVersion,
) -> BTreeMap<String, Reply> {
    let mut index = Index::default();
    let mut files = BTreeMap::new();
    for (bundle, public) in versions {
        let manifest = bundle.parse_manifest().unwrap_or_else(|e| panic!("{e}"));
        let listed = entry(IndexVersion::new(
            &manifest,
            Some(public_key_id(public)),
            "2026-12-01T00:00:00Z".into(),
        ));
        let dir = format!("skills/greeter/{}", listed.version);
        files.insert(
            format!("{dir}/skill.yaml"),
            Reply::Body(bundle.manifest.clone()),
        );
        if let Some(signature) = &bundle.signature {
            files.insert(
                format!("{dir}/skill.yaml.sig"),
                Reply::Body(signature.clone()),
            );
        }
        files.insert(
            format!("{dir}/{}", listed.component),
            Reply::Body(bundle.component.clone()),
        );
        index.add("greeter", listed);
    }
    files.insert(
        "index.json".into(),
        Reply::Body(serde_json::to_vec(&index).unwrap_or_default()),
    );
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_arrives_is_what_was_asked_for_and_within_bounds() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "trusted");
    let cfg = config(work, "prax.toml", &[&public], "max_component_mb = 1\n");
    let data = work.join("data");
    let good = greeter(work, "good", "1.1.0", WIT, NO_PERMISSIONS);
    sign(work, &good, &key);
    install(
        work,
        &write_bundle(work, "good.tar", &bundle_of(&good)),
        &data,
        &cfg,
        &[],
    )
    .ok("baseline install");
    let before = installed_files(&data);
    let newer = bundle_of(&greeter(work, "newer", "1.2.0", WIT, NO_PERMISSIONS));
    let newer = resigned(&newer, &key, |m| m);

    let mut cases: Vec<(&str, FakeRegistry, &str)> = Vec::new();
    // The index lists greeter 1.2.0 and the folder holds `substitute`'s signed manifest.
    let serving_instead = |substitute: &Bundle| {
        let mut files = registry_files(&[(&newer, &public)], |e| e);
        files.insert(
            "skills/greeter/1.2.0/skill.yaml".into(),
            Reply::Body(substitute.manifest.clone()),
        );
        files.insert(
            "skills/greeter/1.2.0/skill.yaml.sig".into(),
            Reply::Body(substitute.signature.clone().unwrap_or_default()),
        );
        FakeRegistry::serve(files)
    };
    // Another trusted-signed skill under the name asked for...
    let impostor = resigned(&newer, &key, |m| {
        m.replace("name: greeter", "name: impostor")
    });
    cases.push((
        "another skill under the name asked for",
        serving_instead(&impostor)?,
        "and it sent impostor 1.2.0",
    ));
    // ... or an older signed release of the same skill, replayed as the newest.
    let older = resigned(&newer, &key, |m| {
        m.replace("version: 1.2.0", "version: 1.0.0")
    });
    cases.push((
        "an older release replayed",
        serving_instead(&older)?,
        "and it sent greeter 1.0.0",
    ));
    // A component sent chunked, with no length announced, past the configured limit.
    let mut files = registry_files(&[(&newer, &public)], |e| e);
    files.insert(
        "skills/greeter/1.2.0/skill.wasm".into(),
        Reply::Chunked(vec![0u8; 3 << 20]),
    );
    cases.push((
        "a chunked download past the limit",
        FakeRegistry::serve(files)?,
        "larger than 1048576 bytes",
    ));
    // An index naming a component outside the version's folder.
    let files = registry_files(&[(&newer, &public)], |mut e| {
        e.component = "../../../escape.wasm".into();
        e
    });
    cases.push((
        "a component path that climbs out",
        FakeRegistry::serve(files)?,
        "is not a plain file name",
    ));

    for (what, registry, error) in &cases {
        let refused = install(work, "greeter", &data, &cfg, &["--registry", &registry.url])
            .fails_with(error, what);
        eprintln!("{what}: {}", refused.stderr.trim());
        assert_eq!(
            installed_files(&data),
            before,
            "{what}: the installed set changed"
        );
    }

    // A mirror folder whose component is a symbolic link to a file outside it.
    let mirror = work.join("mirror");
    let version_dir = mirror.join("skills/greeter/1.2.0");
    std::fs::create_dir_all(&version_dir)?;
    for (file, reply) in registry_files(&[(&newer, &public)], |e| e) {
        if let Reply::Body(bytes) = reply {
            std::fs::write(mirror.join(&file), bytes)?;
        }
    }
    let outside = work.join("outside.wasm");
    std::fs::write(&outside, &newer.component)?;
    std::fs::remove_file(version_dir.join("skill.wasm"))?;
    std::os::unix::fs::symlink(&outside, version_dir.join("skill.wasm"))?;
    install(
        work,
        "greeter",
        &data,
        &cfg,
        &["--registry", &path(&mirror)],
    )
    .fails_with("symbolic link", "a symlinked component in a mirror");
    assert_eq!(installed_files(&data), before);
    // The same mirror with the real file installs: the refusals were refusals.
    std::fs::remove_file(version_dir.join("skill.wasm"))?;
    std::fs::write(version_dir.join("skill.wasm"), &newer.component)?;
    install(
        work,
        "greeter",
        &data,
        &cfg,
        &["--registry", &path(&mirror)],
    )
    .ok("a plain mirror");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_covers_exactly_the_version_and_component_a_dry_run_showed() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "trusted");
    let data = work.join("data");
    let good = greeter(work, "good", "1.1.0", WIT, NO_PERMISSIONS);
    sign(work, &good, &key);
    let baseline = bundle_of(&good);
    // The registry: the update the admin looks at (one host more), and the same number with
    // build metadata published after the dry run, asking for much more.
    let shown = resigned(&baseline, &key, |m| {
        m.replace("version: 1.1.0", "version: 1.2.0")
            .replace("network: []", "network: [api.example.com]")
    });
    let sneaky = resigned(&baseline, &key, |m| {
        m.replace("version: 1.1.0", "version: 1.2.0+later")
            .replace("llm: false, network: []", "llm: true, network: ['*']")
    });
    let registry = FakeRegistry::serve(registry_files(
        &[(&baseline, &public), (&shown, &public), (&sneaky, &public)],
        |e| e,
    ))?;
    let cfg = config(
        work,
        "prax.toml",
        &[&public],
        &format!("url = {:?}\n", registry.url),
    );
    install(work, "greeter@=1.1.0", &data, &cfg, &[]).ok("baseline install");
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let c = client();
    let update = server.url("/api/v1/skills/greeter/update");

    let dry = post_json(&c, &update, &json!({"dry_run": true, "version": "1.2.0"})).await?;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.json["version"], "1.2.0");
    let digest = dry.json["sha256"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        digest.len(),
        64,
        "the dry run names the component: {}",
        dry.text
    );

    let wrong = post_json(
        &c,
        &update,
        &json!({"version": "1.2.0", "accept_permissions": true, "sha256": "0".repeat(64)}),
    )
    .await?;
    assert_eq!(wrong.status, 409, "{}", wrong.text);
    assert!(
        wrong.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("that was shown")
    );

    let accepted = post_json(
        &c,
        &update,
        &json!({"version": "1.2.0", "accept_permissions": true, "sha256": digest}),
    )
    .await?;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.json["version"], "1.2.0", "not 1.2.0+later");
    let manifest = std::fs::read_to_string(data.join("skills/greeter/skill.yaml"))?;
    assert!(manifest.contains("version: 1.2.0\n"), "{manifest}");
    assert!(!manifest.contains("llm: true"), "{manifest}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrade_signed_by_another_publisher_needs_its_own_consent() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (first, first_public) = keygen(work, "first");
    let (second, second_public) = keygen(work, "second");
    let cfg = config(work, "prax.toml", &[&first_public, &second_public], "");
    let data = work.join("data");
    let old = greeter(work, "old", "1.1.0", WIT, NO_PERMISSIONS);
    sign(work, &old, &first);
    install(
        work,
        &write_bundle(work, "old.tar", &bundle_of(&old)),
        &data,
        &cfg,
        &[],
    )
    .ok("baseline install");
    let before = installed_files(&data);
    let new = greeter(work, "new", "1.2.0", WIT, NO_PERMISSIONS);
    sign(work, &new, &second);
    let new_tar = write_bundle(work, "new.tar", &bundle_of(&new));
    let refused = install(work, &new_tar, &data, &cfg, &[])
        .fails_with("--accept-publisher-change", "a new key");
    for key in [&first_public, &second_public] {
        assert!(
            refused.stderr.contains(&public_key_id(key)),
            "both keys are named: {}",
            refused.stderr
        );
    }
    assert_eq!(installed_files(&data), before);
    install(work, &new_tar, &data, &cfg, &["--accept-publisher-change"]).ok("accepted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_checks_the_token_first_and_scoped_tokens_stay_in_scope() -> anyhow::Result<()>
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, _) = keygen(work, "publisher");
    let registry = Registry::start(
        work,
        &work.join("registry"),
        "scope:acme_*|partner_tool:acme-token",
        &["--token", "full-token"],
    )?;
    let skill = greeter(work, "greeter", "1.0.0", WIT, NO_PERMISSIONS);
    sign(work, &skill, &key);
    let tar = std::fs::read(write_bundle(work, "greeter.tar", &bundle_of(&skill)))?;
    // client_with_key sets up the crypto provider reqwest needs; the token goes in as a bearer.
    let http = client_with_key(None);
    let put = |token: &str| {
        http.put(format!("{}/skills/greeter/1.0.0", registry.url))
            .bearer_auth(token)
            .body(tar.clone())
            .send()
    };
    let out_of_scope = put("acme-token").await?;
    assert_eq!(out_of_scope.status(), 403);
    let detail = out_of_scope.text().await?;
    assert!(
        detail.contains("acme_*, partner_tool") && detail.contains("`greeter`"),
        "{detail}"
    );
    assert_eq!(
        put("full-token").await?.status(),
        201,
        "an unscoped token may"
    );
    let yank = http
        .post(format!("{}/skills/greeter/1.0.0/yank", registry.url))
        .bearer_auth("acme-token")
        .send()
        .await?;
    assert_eq!(yank.status(), 403, "nor yank another's skill");

    // An upload announcing 100 MB without a token is refused at once, before its body.
    let address = registry.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await?;
    stream
        .write_all(
            format!(
                "PUT /skills/acme_big/1.0.0 HTTP/1.1\r\nHost: {address}\r\nContent-Length: 100000000\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut head = [0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut head))
        .await
        .map_err(|_| anyhow::anyhow!("the registry waited for the body before answering"))??;
    assert!(
        String::from_utf8_lossy(&head[..read]).starts_with("HTTP/1.1 401"),
        "{}",
        String::from_utf8_lossy(&head[..read])
    );
    Ok(())
}

/// A skill folder `weather_tool` at 2.0.0 around the built-in weather component, asking for
/// `llm` as well: a replacement for the built-in of that name.
fn weather_replacement(work: &Path) -> std::path::PathBuf {
    let dir = work.join("weather_replacement");
    let wasm = praximous_e2e::component("weather_tool");
    let manifest = format!(
        "name: weather_tool\nversion: 2.0.0\ndescription: The weather, from elsewhere.\nauthor: Someone else\n\
         license: MIT\nwit: {WIT}\ncomponent: skill.wasm\n\
         operations:\n  get_current_weather: {{ description: Weather., params: {{ type: object }} }}\n\
         permissions: {{ llm: true, network: [] }}\nlimits: {{ memory_mb: 32, timeout_ms: 5000 }}\n\
         sha256: {}\n",
        praximous_e2e::sha256_hex(&wasm)
    );
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("skill.wasm"), &wasm))
        .and_then(|()| std::fs::write(dir.join("skill.yaml"), manifest));
    written.unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_built_in_needs_consent_and_never_inherits_its_secrets() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let work = work.path();
    let (key, public) = keygen(work, "publisher");
    let table = "[skills.weather_tool]\napi_key = \"the-operators-weather-key\"\n";
    let cfg = config(work, "prax.toml", &[&public], &format!("\n{table}"));
    let data = work.join("data");
    let replacement = weather_replacement(work);
    sign(work, &replacement, &key);
    let tar = write_bundle(work, "weather.tar", &bundle_of(&replacement));

    install(work, &tar, &data, &cfg, &[]).fails_with("--replace-builtin", "replacing a built-in");
    // Compared with the built-in's manifest, it asks for more.
    install(work, &tar, &data, &cfg, &["--replace-builtin"])
        .fails_with("installed 1.0.0 (built-in)", "wider than the built-in");
    install(
        work,
        &tar,
        &data,
        &cfg,
        &["--replace-builtin", "--accept-permissions"],
    )
    .ok("replaced with consent");

    let ask = json!({"task_type": "weather_tool", "prompt": "", "location": "Paris,FR"});
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let answer = post_json(&client(), &server.url("/api/v1/process"), &ask).await?;
    assert_eq!(answer.status, 500, "{}", answer.text);
    assert!(
        answer.text.contains("has not set `api_key`"),
        "the replacement does not read the built-in's key: {}",
        answer.text
    );
    drop(server);

    // Unless the operator says so.
    let cfg = config(
        work,
        "trusting.toml",
        &[&public],
        &format!("\n{table}replacement_reads_settings = true\n"),
    );
    let server = Server::start_in(work, &data, &["--config", &cfg])?;
    let answer = post_json(&client(), &server.url("/api/v1/process"), &ask).await?;
    assert!(
        !answer.text.contains("has not set `api_key`"),
        "it reads the key now: {}",
        answer.text
    );
    Ok(())
}
