//! `prax-skills.lock` in the skills directory: what was installed, from where, by whom.
//! Rewritten atomically after every install and removal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name of the lock file in the skills directory.
pub const LOCK_FILE: &str = "prax-skills.lock";

/// One installed skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locked {
    /// Its version.
    pub version: String,
    /// Its component's SHA-256.
    pub sha256: String,
    /// The key id of the publisher that signed it, if signed.
    pub publisher: Option<String>,
    /// Where it came from: registry URL, mirror folder or bundle file.
    pub source: String,
    /// When it was installed (RFC 3339).
    pub installed_at: String,
}

/// The lock file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockFile {
    /// Installed skills, by name.
    pub skills: BTreeMap<String, Locked>,
}

/// The lock file of `skills_dir`.
pub fn path(skills_dir: &Path) -> PathBuf {
    skills_dir.join(LOCK_FILE)
}

impl LockFile {
    /// Read the lock file (none yet: empty).
    pub fn read(skills_dir: &Path) -> std::io::Result<Self> {
        match std::fs::read(path(skills_dir)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(std::io::Error::other),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e),
        }
    }

    /// Replace the lock file atomically.
    pub fn write(&self, skills_dir: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        text.push(b'\n');
        crate::fs_atomic::write_atomic(&path(skills_dir), &text, 0o644)
    }
}
