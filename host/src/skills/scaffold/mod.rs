//! `prax skill new`: a new skill folder in Rust, Python or JavaScript, with a `skill.yaml`
//! and a source file that `prax skill build` turns into a component as it is.

mod javascript;
mod python;
mod rust;

use std::path::{Path, PathBuf};

use praximous_registry::SkillName;

/// The languages `prax skill new` writes.
pub const LANGUAGES: &[&str] = &["rust", "python", "js"];

/// The manifest of a new skill; Python and JavaScript carry an interpreter, so they get more
/// memory and time.
fn manifest(name: &str, language: &str) -> String {
    let limits = if language == "rust" {
        "{ memory_mb: 32, timeout_ms: 1000 }"
    } else {
        "{ memory_mb: 128, timeout_ms: 5000 }"
    };
    format!(
        r#"name: {name}
version: 0.1.0
description: Repeats the prompt, optionally in capitals.
author: Your Name
license: Apache-2.0
wit: praximous:skill@0.1.2
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
limits: {limits}
tier: community
"#
    )
}

/// The cases `prax skill test` runs on a new skill, whatever its language: they pass as made.
const CASES: &str = r#"# Cases for `prax skill test`: each request runs the skill in its sandbox, as the server
# would, and says what must come back (docs/skills.md, "Testing a skill").
cases:
  - name: repeats the prompt
    request: { prompt: hello }
    expect:
      result: { text: hello }
      message: Done.
  - name: shouts when asked
    request: { prompt: hello, shout: true }
    expect:
      result: { text: HELLO }
  - name: refuses an empty prompt
    request: { prompt: "  " }
    expect:
      error: { status: 400, contains: The prompt is empty }
"#;

/// Why a skill folder could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The name is not a skill name.
    #[error("{0}")]
    BadName(String),
    /// The folder exists.
    #[error("{0} already exists; choose another name or remove it")]
    Exists(String),
    /// Not a language `prax skill new` writes.
    #[error("`--lang {0}` is not a language skills are written in here: use rust, python or js")]
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
pub fn new_skill(parent: &Path, name: &str, language: &str) -> Result<PathBuf, ScaffoldError> {
    let name: SkillName = name.parse().map_err(ScaffoldError::BadName)?;
    let mut files = match language {
        "rust" => rust::files(name.as_str()),
        "python" | "py" => python::files(name.as_str()),
        "js" | "javascript" => javascript::files(name.as_str()),
        other => return Err(ScaffoldError::Language(other.to_owned())),
    };
    let language = match language {
        "py" => "python",
        "javascript" => "js",
        other => other,
    };
    files.push(("skill.yaml".into(), manifest(name.as_str(), language)));
    files.push(("tests/cases.yaml".into(), CASES.into()));
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
