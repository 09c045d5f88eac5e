//! A skill on disk: a folder holding `skill.yaml` and the component it names.

use std::path::{Path, PathBuf};

use crate::{Manifest, ManifestError, Sha256Digest, WitVersion};

/// File name of the manifest inside a skill folder.
pub const MANIFEST_FILE: &str = "skill.yaml";

/// Why a skill folder cannot be loaded. Each message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum SkillDirError {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The manifest is invalid.
    #[error("{path}: {source}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong with it.
        source: ManifestError,
    },
    /// The component's bytes do not match the digest the manifest pins.
    #[error(
        "{path}: component `{component}` has sha256 {actual}, but the manifest pins {expected}; \
         rebuild the skill or reinstall it from its publisher"
    )]
    DigestMismatch {
        /// The manifest file.
        path: PathBuf,
        /// The component file name.
        component: String,
        /// The digest in the manifest.
        expected: Sha256Digest,
        /// The digest of the file on disk.
        actual: Sha256Digest,
    },
    /// The skill targets a WIT version this host does not run.
    #[error(
        "{path}: targets {wanted}, but this host runs only {supported}; rebuild the skill against a supported version"
    )]
    UnsupportedWit {
        /// The manifest file.
        path: PathBuf,
        /// The version the skill targets.
        wanted: WitVersion,
        /// The versions the host runs, comma-separated.
        supported: String,
    },
}

/// A manifest whose component matched its digest and whose WIT version the host runs.
#[derive(Debug)]
pub struct VerifiedSkill {
    /// The manifest.
    pub manifest: Manifest,
    /// The component's bytes.
    pub component: Vec<u8>,
}

/// Verify a manifest (given as text, with `path` naming it in errors) against its component.
pub fn verify_skill(
    path: &Path,
    manifest_text: &str,
    component: Vec<u8>,
    supported_wit: &[WitVersion],
) -> Result<VerifiedSkill, SkillDirError> {
    let manifest =
        Manifest::from_yaml(manifest_text).map_err(|source| SkillDirError::Manifest {
            path: path.to_owned(),
            source,
        })?;
    check_wit(path, &manifest, supported_wit)?;
    let actual = Sha256Digest::of(&component);
    if actual != manifest.sha256 {
        return Err(SkillDirError::DigestMismatch {
            path: path.to_owned(),
            component: manifest.component.clone(),
            expected: manifest.sha256.clone(),
            actual,
        });
    }
    Ok(VerifiedSkill {
        manifest,
        component,
    })
}

/// Load and verify the skill in `dir`: manifest schema, WIT version, component digest.
pub fn load_skill_dir(
    dir: &Path,
    supported_wit: &[WitVersion],
) -> Result<VerifiedSkill, SkillDirError> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| SkillDirError::Read {
        path: path.clone(),
        source,
    })?;
    // Parse first so that a bad manifest is reported as such, before any component I/O.
    let manifest = Manifest::from_yaml(&text).map_err(|source| SkillDirError::Manifest {
        path: path.clone(),
        source,
    })?;
    check_wit(&path, &manifest, supported_wit)?;
    let component_path = dir.join(&manifest.component);
    let component = std::fs::read(&component_path).map_err(|source| SkillDirError::Read {
        path: component_path,
        source,
    })?;
    verify_skill(&path, &text, component, supported_wit)
}

fn check_wit(
    path: &Path,
    manifest: &Manifest,
    supported: &[WitVersion],
) -> Result<(), SkillDirError> {
    if supported.contains(&manifest.wit) {
        return Ok(());
    }
    Err(SkillDirError::UnsupportedWit {
        path: path.to_owned(),
        wanted: manifest.wit.clone(),
        supported: supported
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    })
}
