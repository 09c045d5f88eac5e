//! The compilers `prax skill build` drives, one per language: cargo for Rust,
//! componentize-py for Python, componentize-js for JavaScript. Python and JavaScript skills are
//! built against the WIT package version their manifest declares (`wit:`), so a skill written
//! for an older version keeps building as written; a Rust skill carries its SDK's own copy.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::AuthorError;

/// The target Rust skills are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// The newest WIT package (`praximous:skill`) this binary runs.
pub const WIT_PACKAGE: &str = include_str!("../../../../wit/skill.wit");

/// Every WIT package version a skill can be built against, by its manifest's `wit:` value.
pub const WIT_PACKAGES: &[(&str, &str)] = &[
    ("praximous:skill@0.1.2", WIT_PACKAGE),
    (
        "praximous:skill@0.1.1",
        include_str!("../../../../wit/history/skill-0.1.1.wit"),
    ),
    (
        "praximous:skill@0.1.0",
        include_str!("../../../../wit/history/skill-0.1.0.wit"),
    ),
];

/// The WIT package a manifest that declares `wit` is built against.
pub fn wit_package(wit: &str) -> Result<&'static str, AuthorError> {
    WIT_PACKAGES
        .iter()
        .find(|(version, _)| *version == wit)
        .map(|(_, text)| *text)
        .ok_or_else(|| {
            let known: Vec<&str> = WIT_PACKAGES.iter().map(|(v, _)| *v).collect();
            AuthorError::Toolchain(format!(
                "the manifest declares `wit: {wit}`, which this prax cannot build for; use one of {}",
                known.join(", ")
            ))
        })
}

/// The componentize-py release the Python authoring path is tested with.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";
/// The componentize-js release the JavaScript authoring path is tested with.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// The Python module a Python skill's code lives in (`app.py`).
pub const PYTHON_MODULE: &str = "app";
/// The file a JavaScript skill's code lives in.
pub const JS_ENTRY: &str = "skill.js";

/// The languages skills are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// A cargo crate (`Cargo.toml`).
    Rust,
    /// `app.py`, built with componentize-py.
    Python,
    /// `skill.js`, built with componentize-js.
    JavaScript,
}

impl Language {
    /// The language of the skill folder `dir`, told by its files.
    pub fn of(dir: &Path) -> Result<Self, AuthorError> {
        if dir.join("Cargo.toml").is_file() {
            Ok(Self::Rust)
        } else if dir.join(format!("{PYTHON_MODULE}.py")).is_file() {
            Ok(Self::Python)
        } else if dir.join(JS_ENTRY).is_file() {
            Ok(Self::JavaScript)
        } else {
            Err(AuthorError::Toolchain(format!(
                "{} holds no Cargo.toml, {PYTHON_MODULE}.py or {JS_ENTRY}: is it a skill folder? \
                 (`prax skill new NAME --lang rust|python|js` makes one)",
                dir.display()
            )))
        }
    }
}

/// A built component: a file, removed when dropped if it was written to a scratch folder.
pub struct Built {
    path: PathBuf,
    _scratch: Option<tempfile::TempDir>,
}

impl Built {
    /// Where the component is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Compile the skill in `dir`, written in `language`, against the WIT package text `wit`.
pub fn compile(language: Language, dir: &Path, wit: &'static str) -> Result<Built, AuthorError> {
    match language {
        Language::Rust => cargo(dir),
        Language::Python => {
            let tool = find_tool(dir, "componentize-py").ok_or_else(|| {
                AuthorError::Toolchain(format!(
                    "componentize-py is not installed: `pip install componentize-py=={COMPONENTIZE_PY_VERSION}` \
                     (in this repository, `make authoring-tools` puts it in .tools/python/bin)"
                ))
            })?;
            with_wit(dir, wit, |wit, out| {
                let mut command = Command::new(tool);
                command
                    .arg("-d")
                    .arg(wit)
                    .args(["-w", "skill", "componentize", PYTHON_MODULE, "-p", "."])
                    .arg("-o")
                    .arg(out);
                (command, "componentize-py")
            })
        }
        Language::JavaScript => {
            let tool = find_tool(dir, "componentize-js").ok_or_else(|| {
                AuthorError::Toolchain(format!(
                    "componentize-js is not installed: run `npm install` in {} (its package.json \
                     lists @bytecodealliance/componentize-js@{COMPONENTIZE_JS_VERSION}), or install it \
                     globally (in this repository, `make authoring-tools` puts it in .tools/js)",
                    dir.display()
                ))
            })?;
            with_wit(dir, wit, |wit, out| {
                let mut command = Command::new(tool);
                command
                    .arg(JS_ENTRY)
                    .arg("--wit")
                    .arg(wit)
                    .args(["--world-name", "skill", "-o"])
                    .arg(out);
                (command, "componentize-js")
            })
        }
    }
}

/// `name` from the skill's own `node_modules/.bin`, else from `PATH`.
fn find_tool(dir: &Path, name: &str) -> Option<PathBuf> {
    let local = dir.join("node_modules/.bin").join(name);
    if local.is_file() {
        return Some(local);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}

/// Write the WIT package `package` and run the command `make(wit_dir, output)` builds in `dir`.
fn with_wit(
    dir: &Path,
    package: &str,
    make: impl FnOnce(&Path, &Path) -> (Command, &'static str),
) -> Result<Built, AuthorError> {
    let scratch = tempfile::tempdir().map_err(|source| AuthorError::Io {
        path: std::env::temp_dir().display().to_string(),
        source,
    })?;
    let wit = scratch.path().join("wit");
    let out = scratch.path().join("skill.wasm");
    std::fs::create_dir_all(&wit)
        .and_then(|()| std::fs::write(wit.join("skill.wit"), package))
        .map_err(|source| AuthorError::Io {
            path: wit.display().to_string(),
            source,
        })?;
    let (mut command, name) = make(&wit, &out);
    let status = command
        .current_dir(dir)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| AuthorError::Toolchain(format!("cannot run {name}: {e}")))?;
    if !status.success() || !out.is_file() {
        return Err(AuthorError::BuildFailed(name.into()));
    }
    Ok(Built {
        path: out,
        _scratch: Some(scratch),
    })
}

fn cargo(dir: &Path) -> Result<Built, AuthorError> {
    ensure_target()?;
    let output = Command::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(dir)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| {
            AuthorError::Toolchain(format!(
                "cannot run cargo ({e}); install Rust from rustup.rs"
            ))
        })?;
    if !output.status.success() {
        return Err(AuthorError::BuildFailed("cargo build".into()));
    }
    let path = built_component(&output.stdout).ok_or_else(|| {
        AuthorError::Toolchain(
            "cargo built no .wasm: is `[lib] crate-type = [\"cdylib\"]` in Cargo.toml?".into(),
        )
    })?;
    Ok(Built {
        path,
        _scratch: None,
    })
}

fn ensure_target() -> Result<(), AuthorError> {
    let Ok(output) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        // No rustup: a toolchain installed otherwise may still have the target.
        return Ok(());
    };
    let installed = String::from_utf8_lossy(&output.stdout);
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        Ok(())
    } else {
        Err(AuthorError::Toolchain(format!(
            "the Rust target {WASM_TARGET} is not installed; run `rustup target add {WASM_TARGET}`"
        )))
    }
}

/// The `.wasm` a cdylib build produced, from cargo's JSON messages.
fn built_component(messages: &[u8]) -> Option<PathBuf> {
    String::from_utf8_lossy(messages)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
        })
        .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .rfind(|f| f.extension().is_some_and(|e| e == "wasm"))
}
