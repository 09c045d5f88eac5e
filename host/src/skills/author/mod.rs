//! `prax skill build`, `check` and `test`: turn a skill folder into a component whose digest
//! is pinned in its manifest, check a folder the way the host will load it, and run its cases
//! in the sandbox without a server.

pub mod cases;
pub mod skill_test;
pub mod stand_ins;
pub mod toolchain;

use std::path::Path;

use praximous_registry::signing::{SIGNATURE_FILE, SignatureFile};
use praximous_registry::skill_dir::MANIFEST_FILE;
use praximous_registry::{Sha256Digest, load_skill_dir};

use crate::runtime::{HostServices, Runtime, RuntimeSettings, supported_wit};
use crate::secret_file::Secret;

/// Why a build or check failed. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AuthorError {
    /// A tool is missing.
    #[error("{0}")]
    Toolchain(String),
    /// The language's compiler failed.
    #[error("{0} failed (its errors are above); fix them and run `prax skill build` again")]
    BuildFailed(String),
    /// The manifest cannot be read or fixed up.
    #[error("{path}: {reason}")]
    Manifest {
        /// The manifest.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The folder does not pass the host's checks.
    #[error("{0}")]
    Check(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> AuthorError + '_ {
    move |source| AuthorError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What a check found.
#[derive(Debug)]
pub struct CheckReport {
    /// `name version`.
    pub skill: String,
    /// The component's digest.
    pub sha256: String,
    /// The signing key's id, if the folder is signed (by a key that verifies).
    pub signed_by: Option<String>,
}

/// Build the skill in `dir` (Rust, Python or JavaScript, told by its files) into a
/// component, copy it beside the manifest, pin its digest in `skill.yaml`, and check the result.
pub fn build(dir: &Path) -> Result<CheckReport, AuthorError> {
    let language = toolchain::Language::of(dir)?;
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let field = |name: &str| {
        manifest_field(&text, name).map_err(|reason| AuthorError::Manifest {
            path: manifest_path.display().to_string(),
            reason,
        })
    };
    let component = field("component")?;
    let wit = toolchain::wit_package(&field("wit")?)?;
    let wasm = toolchain::compile(language, dir, wit)?;
    let bytes = std::fs::read(wasm.path()).map_err(io(wasm.path()))?;
    let target = dir.join(&component);
    crate::fs_atomic::write_atomic(&target, &bytes, 0o644).map_err(io(&target))?;
    let pinned = pin_digest(&text, &Sha256Digest::of(&bytes).to_string());
    if pinned != text {
        crate::fs_atomic::write_atomic(&manifest_path, pinned.as_bytes(), 0o644)
            .map_err(io(&manifest_path))?;
        // A signature over the old manifest would now fail every install: drop it.
        let signature = dir.join(SIGNATURE_FILE);
        if signature.exists() {
            std::fs::remove_file(&signature).map_err(io(&signature))?;
            eprintln!(
                "note: the manifest changed, so {} was removed; sign again before publishing",
                signature.display()
            );
        }
    }
    check(dir)
}

/// The manifest's text field `name` (`component`, `wit`), or what to add when it is missing.
fn manifest_field(manifest: &str, name: &str) -> Result<String, String> {
    let value: serde_norway::Value = serde_norway::from_str(manifest).map_err(|e| e.to_string())?;
    let example = match name {
        "component" => "skill.wasm",
        _ => "praximous:skill@0.1.2",
    };
    value
        .get(name)
        .and_then(|c| c.as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("no `{name}:` in the manifest; add `{name}: {example}`"))
}

/// `manifest` with its `sha256:` line set to `digest` (added at the end if absent); every
/// other line, comments included, is kept as written.
pub fn pin_digest(manifest: &str, digest: &str) -> String {
    let line = format!("sha256: {digest}");
    let mut found = false;
    let mut lines: Vec<String> = manifest
        .lines()
        .map(|l| {
            if l.starts_with("sha256:") {
                found = true;
                line.clone()
            } else {
                l.to_owned()
            }
        })
        .collect();
    if !found {
        lines.push(line);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A runtime for one skill with `limits`, one instance at a time, whose pool is sized for
/// `pool` concurrent instances (Python and JavaScript components hold many core instances
/// each), compiling into `cache`.
fn sandbox(
    limits: &praximous_registry::manifest::Limits,
    pool: u32,
    cache: &Path,
    services: HostServices,
) -> Result<Runtime, AuthorError> {
    Runtime::new(
        RuntimeSettings {
            max_concurrent: pool,
            max_concurrent_per_key: 1,
            max_concurrent_per_skill: 1,
            max_memory_mb: limits.memory_mb.max(1),
            max_timeout_ms: limits.timeout_ms,
            max_output_bytes: 1 << 20,
            max_emit_bytes: 1 << 20,
            max_log_lines: 1000,
            cache_dir: cache.to_owned(),
            cache_key: Secret::random()
                .map_err(|_| AuthorError::Check("the system's random source failed".into()))?,
        },
        services,
    )
    .map_err(|e| AuthorError::Check(e.to_string()))
}

/// Check the skill folder `dir` as the host will load it: manifest schema, WIT version,
/// component digest, and that the component compiles and links against this host with the
/// `run` export. A signature, if present, must verify.
pub fn check(dir: &Path) -> Result<CheckReport, AuthorError> {
    let verified =
        load_skill_dir(dir, &supported_wit()).map_err(|e| AuthorError::Check(e.to_string()))?;
    let cache = tempfile::tempdir().map_err(io(dir))?;
    let runtime = sandbox(
        &verified.manifest.limits,
        1,
        cache.path(),
        HostServices::offline(),
    )?;
    let manifest = &verified.manifest;
    runtime
        .prepare(manifest, None, &verified.component)
        .map_err(|e| {
            AuthorError::Check(format!("{}: {e}", dir.join(&manifest.component).display()))
        })?;
    let signed_by = match std::fs::read(dir.join(SIGNATURE_FILE)) {
        Err(_) => None,
        Ok(bytes) => {
            let manifest_bytes = std::fs::read(dir.join(MANIFEST_FILE)).map_err(io(dir))?;
            let key = SignatureFile::parse(&bytes)
                .and_then(|s| s.verify(&manifest_bytes))
                .map_err(|e| {
                    AuthorError::Check(format!("{}: {e}", dir.join(SIGNATURE_FILE).display()))
                })?;
            Some(key.key_id())
        }
    };
    Ok(CheckReport {
        skill: format!("{} {}", manifest.name, manifest.version),
        sha256: manifest.sha256.to_string(),
        signed_by,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn pinning_replaces_or_adds_the_digest_line_only() {
        let with = "name: a\n# keep me\nsha256: old\nversion: 1.0.0\n";
        assert_eq!(
            super::pin_digest(with, "new"),
            "name: a\n# keep me\nsha256: new\nversion: 1.0.0\n"
        );
        assert_eq!(
            super::pin_digest("name: a\n", "new"),
            "name: a\nsha256: new\n"
        );
    }
}
