//! Skill discovery through the real binary: bad skills are kept out with a logged reason that
//! names the file and the problem, the rest load; compiled skills are cached across restarts
//! and a damaged cache entry is recompiled, never loaded.

use std::time::Duration;

use praximous_e2e::{
    Server, builtin_skill_names, client, component, get, install_skill, post_json,
};
use serde_json::json;

fn echo_manifest(name: &str, extra: &str) -> String {
    format!(
        "name: {name}\nversion: 2.0.0\ndescription: Echo, installed.\nauthor: Tests\nlicense: MIT\n\
         wit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
         operations:\n  echo_operation: {{ description: Echo., params: {{ type: object }} }}\n{extra}"
    )
}

#[tokio::test]
async fn bad_skills_are_kept_out_and_the_rest_load() -> anyhow::Result<()> {
    let echo = component("echo");
    let server = Server::start_with(|data| {
        // Loads: a valid installed copy of echo under another name.
        install_skill(data, "echo_two", &echo_manifest("echo_two", ""), &echo);
        // Digest mismatch: the component changed after the manifest was written.
        let tampered = install_skill(data, "tampered", &echo_manifest("tampered", ""), &echo);
        std::fs::write(tampered.join("skill.wasm"), b"\0asm\x0d\x00\x01\x00").ok();
        // Unsupported WIT version.
        install_skill(
            data,
            "future",
            &echo_manifest("future", "").replace("@0.1.0", "@9.0.0"),
            &echo,
        );
        // Missing field.
        install_skill(
            data,
            "incomplete",
            &echo_manifest("incomplete", "").replace("author: Tests\n", ""),
            &echo,
        );
        // Folder and manifest disagree on the name.
        install_skill(
            data,
            "wrong_folder",
            &echo_manifest("other_name", ""),
            &echo,
        );
        // Not a component at all.
        install_skill(data, "garbage", &echo_manifest("garbage", ""), b"not wasm");
    })?;

    let skills = get(&client(), &server.url("/api/v1/skills")).await?;
    let names: Vec<&String> = skills
        .json
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let mut expected = builtin_skill_names();
    expected.push("echo_two".to_owned());
    expected.sort();
    assert_eq!(names, expected.iter().collect::<Vec<_>>());
    assert_eq!(skills.json["echo_two"]["source"], "installed");
    assert_eq!(skills.json["echo_two"]["version"], "2.0.0");

    let answer = post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": "echo_two", "prompt": "hi"}),
    )
    .await?;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json["result"]["echoed_prompt"], "hi");

    let log = server.log();
    let expect = [
        (
            "tampered/skill.yaml: component `skill.wasm` has sha256",
            "the manifest pins",
        ),
        (
            "future/skill.yaml: targets praximous:skill@9.0.0",
            "this host runs only praximous:skill@0.1.0, praximous:skill@0.1.1, praximous:skill@0.1.2",
        ),
        (
            "incomplete/skill.yaml: missing field `author`",
            "skill not loaded",
        ),
        (
            "wrong_folder/skill.yaml: the folder is named `wrong_folder`",
            "rename the folder",
        ),
        (
            "garbage: the component does not compile",
            "skill not loaded",
        ),
    ];
    for (reason, also) in expect {
        let line = log.lines().find(|l| l.contains(reason));
        assert!(
            line.is_some_and(|l| l.contains(also)),
            "log names `{reason}` with `{also}`:\n{log}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_installed_skill_replaces_the_builtin_of_the_same_name() -> anyhow::Result<()> {
    let echo = component("echo");
    let server = Server::start_with(|data| {
        install_skill(data, "echo", &echo_manifest("echo", ""), &echo);
    })?;
    let caps = get(&client(), &server.url("/api/v1/skills/echo/capabilities")).await?;
    assert_eq!(caps.json["source"], "installed");
    assert_eq!(caps.json["version"], "2.0.0");
    Ok(())
}

#[tokio::test]
async fn compiled_skills_are_cached_and_damaged_entries_recompiled() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");

    let mut first = Server::start_in(work.path(), &data, &[])?;
    assert!(first.log().contains("cache=Miss"), "{}", first.log());
    first.stop();

    let entries: Vec<_> = std::fs::read_dir(data.join("cache"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    let builtins = builtin_skill_names().len();
    assert_eq!(
        entries.len(),
        builtins,
        "one entry per built-in: {entries:?}"
    );

    let mut second = Server::start_in(work.path(), &data, &[])?;
    let log = second.log();
    assert_eq!(
        log.matches("cache=Hit").count(),
        builtins,
        "a restart recompiles nothing:\n{log}"
    );
    second.stop();

    // Damage every entry, in turn by truncation, a flipped byte and garbage.
    for (i, entry) in entries.iter().enumerate() {
        match i % 3 {
            0 => std::fs::write(entry, b"PRAX")?,
            1 => {
                let mut bytes = std::fs::read(entry)?;
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x55;
                std::fs::write(entry, &bytes)?;
            }
            _ => std::fs::write(entry, vec![0u8; 4096])?,
        }
    }

    let third = Server::start_in(work.path(), &data, &[])?;
    assert!(third.wait_for_log("serving", Duration::from_secs(10)));
    let log = third.log();
    assert_eq!(
        log.matches("failed its integrity check; recompiling")
            .count(),
        builtins,
        "{log}"
    );
    assert_eq!(log.matches("cache=Replaced").count(), builtins, "{log}");
    for (task, body) in [
        ("echo", json!({"task_type": "echo", "prompt": "x"})),
        (
            "simple_math",
            json!({"task_type": "simple_math", "prompt": "", "num1": 1, "num2": 2}),
        ),
        (
            "text_manipulation",
            json!({"task_type": "text_manipulation", "prompt": "a", "operation": "reverse"}),
        ),
    ] {
        let answer = post_json(&client(), &third.url("/api/v1/process"), &body).await?;
        assert_eq!(answer.status, 200, "{task} works after recompiling");
    }
    Ok(())
}

#[tokio::test]
async fn a_cache_entry_swapped_for_another_skills_is_recompiled_not_run() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let mut first = Server::start_in(work.path(), &data, &[])?;
    first.stop();
    let entry_of = |skill: &str| -> anyhow::Result<std::path::PathBuf> {
        let digest = praximous_e2e::sha256_hex(&component(skill));
        std::fs::read_dir(data.join("cache"))?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&digest))
            })
            .ok_or_else(|| anyhow::anyhow!("no cache entry for {skill}"))
    };
    // A valid entry, made by this very installation, but for simple_math: as echo's, it would
    // run simple_math's native code under echo's signed name.
    std::fs::copy(entry_of("simple_math")?, entry_of("echo")?)?;
    let key = data.join("secrets/cache.key");
    assert!(key.is_file(), "the cache key lives outside the cache");
    assert!(!data.join("cache").join("cache.key").exists());

    let second = Server::start_in(work.path(), &data, &[])?;
    let log = second.log();
    assert_eq!(
        log.matches("failed its integrity check; recompiling")
            .count(),
        1,
        "{log}"
    );
    let answer = post_json(
        &client(),
        &second.url("/api/v1/process"),
        &json!({"task_type": "echo", "prompt": "still echo"}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["result"]["echoed_prompt"], "still echo");
    Ok(())
}

#[tokio::test]
async fn installed_skills_load_only_signed_or_from_a_development_source() -> anyhow::Result<()> {
    let echo = component("echo");
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    std::fs::create_dir_all(&data)?;
    // Placed by hand, unsigned.
    praximous_e2e::install_unsigned_skill(&data, "by_hand", &echo_manifest("by_hand", ""), &echo);
    // Installed signed, then its signature deleted and its manifest widened.
    let widened = install_skill(&data, "widened", &echo_manifest("widened", ""), &echo);
    std::fs::remove_file(widened.join("skill.yaml.sig"))?;
    let manifest = std::fs::read_to_string(widened.join("skill.yaml"))?;
    std::fs::write(
        widened.join("skill.yaml"),
        format!("{manifest}permissions: {{ llm: true, network: ['*'] }}\n"),
    )?;
    // Unsigned, but recorded as installed from a development source the operator lists.
    praximous_e2e::install_unsigned_skill(
        &data,
        "dev_build",
        &echo_manifest("dev_build", ""),
        &echo,
    );
    std::fs::write(
        data.join("skills/prax-skills.lock"),
        serde_json::to_vec(&json!({"skills": {"dev_build": {
            "version": "2.0.0", "sha256": "x", "publisher": null, "source": "/builds",
            "installed_at": "2026-12-01T00:00:00Z"
        }}}))?,
    )?;
    let config = work.path().join("praximous.toml");
    std::fs::write(&config, "[registry]\ndevelopment_sources = [\"/builds\"]\n")?;
    let server = Server::start_in(
        work.path(),
        &data,
        &["--config", &config.display().to_string()],
    )?;
    let skills = get(&client(), &server.url("/api/v1/skills")).await?;
    assert!(skills.json["dev_build"].is_object(), "{}", skills.text);
    assert_eq!(skills.json["dev_build"]["signature"]["state"], "unsigned");
    for refused in ["by_hand", "widened"] {
        assert!(
            skills.json[refused].is_null(),
            "{refused} loaded: {}",
            skills.text
        );
        let reason = format!("{refused}/skill.yaml.sig is missing");
        assert!(
            server.log().lines().any(|l| l.contains(&reason)),
            "the log says why {refused} was left out:\n{}",
            server.log()
        );
    }
    Ok(())
}
