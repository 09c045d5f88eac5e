//! Writing skills in Rust, Python and JavaScript: the three examples in `examples/` are built
//! with `prax skill build` (cargo, componentize-py, componentize-js), served by a running
//! `prax`, and answer the same request the same way; `prax skill new` makes a Python and a
//! JavaScript skill that build, check and pass their own `prax skill test` cases as they are.
//!
//! The Python and JavaScript examples declare `wit: praximous:skill@0.1.0` (the JavaScript one
//! imports `praximous:skill/log@0.1.0`), so they are built against the 0.1.0 package in
//! `wit/history/` and run on this 0.1.1 host unchanged; the Rust one targets 0.1.1.
//!
//! The Python and JavaScript toolchains come from `tools/authoring.sh` (`make test` runs it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::Mutex;

use praximous_e2e::registry::{Run, prax};
use praximous_e2e::{Server, client, post_json, repo_root};
use serde_json::{Value, json};

/// Python and JavaScript components take seconds of both cores to compile: one test at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// `PATH` with the project's authoring tools in front, or why they are missing.
fn tool_path() -> Result<String, String> {
    let tools = repo_root().join(".tools");
    let python = tools.join("python/bin");
    let js = tools.join("js/node_modules/.bin");
    for (tool, dir) in [("componentize-py", &python), ("componentize-js", &js)] {
        if !dir.join(tool).is_file() {
            return Err(format!(
                "{tool} is not in {}: run tools/authoring.sh (`make test` does)",
                dir.display()
            ));
        }
    }
    let path = std::env::var("PATH").unwrap_or_default();
    Ok(format!("{}:{}:{path}", python.display(), js.display()))
}

/// The tools' `PATH`; `None` (with a note) when they are missing outside CI. In CI a missing
/// tool fails the test: it never passes by skipping.
fn tools_or_skip() -> Option<String> {
    match tool_path() {
        Ok(path) => Some(path),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{why}"),
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    let copied = std::fs::create_dir_all(to).and_then(|()| {
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            let name = entry.file_name();
            if ["target", "node_modules"].contains(&name.to_string_lossy().as_ref()) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                copy_tree(&entry.path(), &to.join(&name));
            } else {
                std::fs::copy(entry.path(), to.join(&name))?;
            }
        }
        Ok(())
    });
    copied.unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
}

/// `prax skill build DIR` with the authoring tools, and the Rust target folder kept warm.
fn build(work: &Path, dir: &Path, path: &str) -> Run {
    let target = repo_root().join("target/skill-authoring");
    prax(
        work,
        &["skill", "build", &dir.display().to_string()],
        &[
            ("PATH", path),
            ("CARGO_TARGET_DIR", &target.display().to_string()),
        ],
    )
}

/// Install the built skill folder `dir` into `data` by hand, as an operator may: signed by a
/// publisher the server trusts (the tests' own).
fn place(dir: &Path, data: &Path) -> PathBuf {
    let name = dir.file_name().unwrap_or_default();
    let into = data.join("skills").join(name);
    for file in ["skill.yaml", "skill.wasm"] {
        let copied = std::fs::create_dir_all(&into)
            .and_then(|()| std::fs::copy(dir.join(file), into.join(file)));
        copied.unwrap_or_else(|e| panic!("cannot install {}: {e}", dir.display()));
    }
    praximous_e2e::sign_with_test_publisher(&into);
    into
}

#[tokio::test]
async fn the_examples_in_three_languages_build_run_and_agree() -> anyhow::Result<()> {
    let _serial = ONE_AT_A_TIME.lock().await;
    let Some(path) = tools_or_skip() else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let work = work.path();
    let data = work.join("data");
    let examples = [
        ("rust", "word_stats_rust"),
        ("python", "word_stats_python"),
        ("javascript", "word_stats_js"),
    ];
    for (language, name) in examples {
        let dir = work.join(name);
        copy_tree(
            &repo_root().join("examples").join(language).join(name),
            &dir,
        );
        if language == "rust" {
            // Outside the repository, the example's relative path to the SDK needs anchoring.
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
            let sdk = repo_root().join("skills-wasm/sdk");
            std::fs::write(
                dir.join("Cargo.toml"),
                manifest.replace("../../../skills-wasm/sdk", &sdk.display().to_string()),
            )?;
            std::fs::copy(
                repo_root().join("skills-wasm/Cargo.lock"),
                dir.join("Cargo.lock"),
            )?;
        }
        let built = build(work, &dir, &path).ok(&format!("building the {language} example"));
        assert!(
            built.stdout.contains(&format!("built {name} 1.0.0")),
            "{}",
            built.stdout
        );
        place(&dir, &data);
    }

    let server = Server::start_in(work, &data, &[])?;
    let task = |name: &str| json!({"task_type": name, "prompt": "The cat sat. The cat ran! Émile's dog barked?", "top": 3});
    let mut answers: Vec<Value> = Vec::new();
    for (language, name) in examples {
        let answer = post_json(&client(), &server.url("/api/v1/process"), &task(name)).await?;
        assert_eq!(answer.status, 200, "{language}: {}", answer.text);
        let mut result = answer.json["result"].clone();
        assert_eq!(result["language"], language);
        if let Some(result) = result.as_object_mut() {
            result.remove("language");
        }
        answers.push(result);
        // Errors come back as the caller's mistake, in every language.
        let refused = post_json(
            &client(),
            &server.url("/api/v1/process"),
            &json!({"task_type": name, "prompt": "?!"}),
        )
        .await?;
        assert_eq!(
            (refused.status, refused.json["detail"].clone()),
            (
                400,
                json!("Input error (Details: The prompt has no words to count.)")
            ),
            "{language}"
        );
    }
    assert_eq!(
        answers[0],
        json!({
            "words": 9, "characters": 45, "sentences": 3,
            "average_word_length": 34.0 / 9.0,
            "top_words": [{"word": "cat", "count": 2}, {"word": "the", "count": 2}, {"word": "barked", "count": 1}],
        }),
        "the Rust example"
    );
    assert_eq!(answers[1], answers[0], "Python agrees with Rust");
    assert_eq!(answers[2], answers[0], "JavaScript agrees with Rust");
    // Each example's log line reached the host's log.
    let logged = |log: &str| log.matches("counted 9 words").count();
    assert!(
        server.wait_for_log("counted 9 words", Duration::from_secs(5))
            && logged(&server.log()) >= 3,
        "every example logs through the host: {} lines",
        logged(&server.log())
    );
    Ok(())
}

#[tokio::test]
async fn new_python_and_javascript_skills_build_and_check_as_made() -> anyhow::Result<()> {
    let _serial = ONE_AT_A_TIME.lock().await;
    let Some(path) = tools_or_skip() else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let work = work.path();
    for (language, name, source) in [
        ("python", "py_hello", "app.py"),
        ("js", "js_hello", "skill.js"),
    ] {
        prax(work, &["skill", "new", name, "--lang", language], &[]).ok("skill new");
        let dir = work.join(name);
        assert!(dir.join(source).is_file() && dir.join("skill.yaml").is_file());
        // The build ends with the same check `prax skill check` runs.
        let built = build(work, &dir, &path).ok(&format!("building a new {language} skill"));
        assert!(
            built.stdout.contains(&format!("built {name} 0.1.0"))
                && built.stdout.contains("check passed"),
            "{}",
            built.stdout
        );
        // Its example and its scaffolded cases pass in the sandbox, as made.
        let tested = prax(work, &["skill", "test", name], &[]).ok("skill test");
        assert!(
            tested.stdout.contains("4 passed, 0 failed"),
            "{language}: {}",
            tested.stdout
        );
    }
    prax(
        work,
        &["skill", "new", "cobol_hello", "--lang", "cobol"],
        &[],
    )
    .fails_with("use rust, python or js", "an unknown language");
    // Without its toolchain, the build says what to install.
    let bare = prax(
        work,
        &["skill", "build", "py_hello"],
        &[("PATH", "/usr/bin:/bin")],
    );
    bare.fails_with(
        "pip install componentize-py==0.25.1",
        "a build without componentize-py",
    );
    Ok(())
}
