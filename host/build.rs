//! Embeds the built-in skills (`skills-wasm/<name>/`, built for wasm32-wasip2 by `make build`)
//! into the `prax` binary, each with its manifest completed by the component's digest.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let skills_root = manifest_dir.join("../skills-wasm");
    let wasm_dir = skills_root.join("target/wasm32-wasip2/release");
    let required = std::env::var_os("PRAX_REQUIRE_BUILTINS").is_some_and(|v| v == "1");
    println!("cargo:rerun-if-env-changed=PRAX_REQUIRE_BUILTINS");
    // The workspace manifest lists every built-in's crate (a new skill is added there), and
    // each skill's manifest and component are watched below. Not the whole folder: its
    // `target/` changes on every cargo run there, which would rebuild and relink `prax`.
    println!(
        "cargo:rerun-if-changed={}",
        skills_root.join("Cargo.toml").display()
    );

    let mut table = String::from("&[\n");
    let mut missing = Vec::new();
    for name in builtin_names(&skills_root) {
        let manifest_path = skills_root.join(&name).join("skill.yaml");
        let wasm_path = wasm_dir.join(format!("{name}.wasm"));
        println!("cargo:rerun-if-changed={}", manifest_path.display());
        println!("cargo:rerun-if-changed={}", wasm_path.display());
        let (Ok(manifest), Ok(wasm)) = (
            std::fs::read_to_string(&manifest_path),
            std::fs::read(&wasm_path),
        ) else {
            missing.push(name);
            continue;
        };
        let digest = hex::encode(Sha256::digest(&wasm));
        let dest = out_dir.join("builtin").join(&name);
        let written = std::fs::create_dir_all(&dest)
            .and_then(|()| {
                write_if_changed(
                    &dest.join("skill.yaml"),
                    format!("{}\nsha256: {digest}\n", manifest.trim_end()).as_bytes(),
                )
            })
            .and_then(|()| write_if_changed(&dest.join("skill.wasm"), &wasm));
        if let Err(e) = written {
            panic!(
                "cannot write the embedded copy of built-in skill `{name}` to {}: {e}",
                dest.display()
            );
        }
        let _ = writeln!(
            table,
            "    BuiltinSkill {{ name: {name:?}, manifest: include_str!({m:?}), component: include_bytes!({c:?}) }},",
            m = dest.join("skill.yaml"),
            c = dest.join("skill.wasm"),
        );
    }
    table.push(']');
    if !missing.is_empty() {
        let message = format!(
            "built-in skills not built, so not embedded: {}; run `make build` (or `make skills`) first",
            missing.join(", ")
        );
        if required {
            panic!("{message}");
        }
        println!("cargo:warning={message}");
    }
    if let Err(e) = write_if_changed(&out_dir.join("builtin_skills.rs"), table.as_bytes()) {
        panic!("cannot write builtin_skills.rs: {e}");
    }
    check_web_ui(&manifest_dir.join("../ui/dist"));
}

/// Write `bytes` to `path` unless it holds them already: an unchanged file keeps its time, so
/// the `include_bytes!` of it does not make cargo recompile the crate.
fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::read(path).is_ok_and(|current| current == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes)
}

/// The web UI (`ui/dist`, built by `make ui`) is embedded by `api::ui`; a build that must have
/// it (`PRAX_REQUIRE_UI=1`, as `make` sets) fails without it, and any build notices a new one.
fn check_web_ui(dist: &Path) {
    println!("cargo:rerun-if-env-changed=PRAX_REQUIRE_UI");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    if !dist.join("index.html").is_file() {
        let message = format!(
            "the web UI is not built ({} is missing), so not embedded; run `make ui` (or `make build`) first",
            dist.join("index.html").display()
        );
        if std::env::var_os("PRAX_REQUIRE_UI").is_some_and(|v| v == "1") {
            panic!("{message}");
        }
        println!("cargo:warning={message}");
    }
}

/// Every folder directly under `skills-wasm/` with a `skill.yaml` is a built-in skill whose
/// crate has the folder's name. (`sdk/` has no manifest; test fixtures live deeper.)
fn builtin_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("skill.yaml").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}
