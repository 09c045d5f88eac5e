//! `prax skill new`: a new Rust skill folder that builds on this machine with nothing but
//! cargo and the `wasm32-wasip2` target. The guest SDK and the WIT package are copied into
//! the folder (`sdk/`), so the skill builds offline and against exactly the ABI this `prax`
//! runs.

use std::path::Path;

use praximous_registry::SkillName;

/// The SDK's sources and the WIT package, as this binary was built with them.
const SDK_FILES: &[(&str, &str)] = &[
    (
        "sdk/src/lib.rs",
        include_str!("../../../skills-wasm/sdk/src/lib.rs"),
    ),
    (
        "sdk/src/host.rs",
        include_str!("../../../skills-wasm/sdk/src/host.rs"),
    ),
    (
        "sdk/src/reply.rs",
        include_str!("../../../skills-wasm/sdk/src/reply.rs"),
    ),
    ("sdk/wit/skill.wit", include_str!("../../../wit/skill.wit")),
];

/// The dependency versions the built-in skills are built and tested with: a new skill starts
/// from them (cargo prunes what it does not use), so it builds as ours do.
const CARGO_LOCK: &str = include_str!("../../../skills-wasm/Cargo.lock");

const SDK_CARGO: &str = r#"[package]
name = "praximous-skill"
description = "Guest SDK for Praximous Smart Skills (copied by `prax skill new`)"
version = "0.1.0"
edition = "2024"
license = "Apache-2.0"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
wit-bindgen = "0.63.0"
"#;

fn cargo_toml(name: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
praximous-skill = {{ path = "sdk" }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

# Small, fast components: compiled once per host, instantiated per request.
[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true

# A skill is its own workspace, built for wasm32-wasip2 by `prax skill build`.
[workspace]
members = ["sdk"]
"#
    )
}

fn lib_rs(name: &str) -> String {
    format!(
        r#"//! `{name}`: a Praximous Smart Skill. `prax skill build` builds it; see docs/skills.md.

use praximous_skill::{{Reply, Request, Skill, SkillError, export_skill, json}};
use serde::Deserialize;

/// The request's extra fields (everything beside `task_type` and `prompt`).
#[derive(Deserialize)]
struct Params {{
    /// Answer in capitals.
    #[serde(default)]
    shout: bool,
}}

struct Main;

impl Skill for Main {{
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {{
        let prompt = request.prompt.trim();
        if prompt.is_empty() {{
            return Err(SkillError::bad_input("Input error").with_details("The prompt is empty: send some text."));
        }}
        let text = if request.params.shout {{ prompt.to_uppercase() }} else {{ prompt.to_owned() }};
        Ok(Reply::data(json!({{ "text": text }})).with_message("Done."))
    }}
}}

export_skill!(Main);
"#
    )
}

fn manifest(name: &str) -> String {
    format!(
        r#"name: {name}
version: 0.1.0
description: Repeats the prompt, optionally in capitals.
author: Your Name
license: Apache-2.0
wit: praximous:skill@0.1.0
component: skill.wasm
operations:
  repeat:
    description: Returns the prompt, in capitals if `shout` is true.
    params:
      type: object
      properties:
        shout: {{ type: boolean, description: Answer in capitals. }}
    example: {{ task_type: {name}, prompt: hello, shout: true }}
permissions:
  llm: false
  network: []
  knowledge: none
limits: {{ memory_mb: 32, timeout_ms: 1000 }}
tier: community
"#
    )
}

/// Why a skill folder could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The name is not a skill name.
    #[error("{0}")]
    BadName(String),
    /// The folder exists.
    #[error("{0} already exists; choose another name or remove it")]
    Exists(String),
    /// Only Rust is supported by this command so far.
    #[error("`--lang {0}` is not available in this version: use --lang rust")]
    Language(String),
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Create the skill `name` in `parent/name`, in `language`.
pub fn new_skill(
    parent: &Path,
    name: &str,
    language: &str,
) -> Result<std::path::PathBuf, ScaffoldError> {
    let name: SkillName = name.parse().map_err(ScaffoldError::BadName)?;
    if language != "rust" {
        return Err(ScaffoldError::Language(language.to_owned()));
    }
    let dir = parent.join(name.as_str());
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir.display().to_string()));
    }
    // Written beside the target, then renamed: an interrupted `new` leaves nothing behind.
    let staging = tempfile::Builder::new()
        .prefix(".prax-new-")
        .tempdir_in(parent)
        .map_err(|source| ScaffoldError::Io {
            path: parent.display().to_string(),
            source,
        })?;
    let mut files: Vec<(String, String)> = vec![
        ("Cargo.toml".into(), cargo_toml(name.as_str())),
        ("src/lib.rs".into(), lib_rs(name.as_str())),
        ("skill.yaml".into(), manifest(name.as_str())),
        (".gitignore".into(), "/target/\n".into()),
        ("Cargo.lock".into(), CARGO_LOCK.into()),
        ("sdk/Cargo.toml".into(), SDK_CARGO.into()),
    ];
    for (path, text) in SDK_FILES {
        // The copied SDK finds the WIT package inside its own folder.
        files.push((
            (*path).into(),
            text.replace(r#"path: "../../wit""#, r#"path: "wit""#),
        ));
    }
    for (relative, text) in files {
        let path = staging.path().join(&relative);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        written.map_err(|source| ScaffoldError::Io {
            path: dir.join(&relative).display().to_string(),
            source,
        })?;
    }
    let kept = staging.keep();
    std::fs::rename(&kept, &dir).map_err(|source| ScaffoldError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    Ok(dir)
}
