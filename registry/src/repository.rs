//! A registry's storage: a plain directory that any static file server (or a copy on a USB
//! stick) can serve read-only.
//!
//! ```text
//! index.json
//! skills/<name>/<version>/skill.yaml
//! skills/<name>/<version>/skill.yaml.sig
//! skills/<name>/<version>/<component>.wasm
//! ```
//!
//! Publishing writes a version's files into a hidden folder, renames it into place, then
//! replaces `index.json` atomically: a crash leaves either the old index or the new one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::bundle::{Bundle, BundleError};
use crate::index::{INDEX_FILE, Index, IndexVersion, version_dir};
use crate::signing::{SIGNATURE_FILE, SignatureFile, SigningError};
use crate::skill_dir::MANIFEST_FILE;
use crate::{Sha256Digest, SkillName};

/// Why a publish or yank was refused. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The name is not a skill name (or tries to leave the registry's folder).
    #[error("{0}")]
    BadName(String),
    /// The version is not semver.
    #[error("`{0}` is not a semantic version such as 1.2.0")]
    BadVersion(String),
    /// The version exists already.
    #[error("{name} {version} is already published; versions are immutable: publish a new version")]
    Exists {
        /// The skill.
        name: String,
        /// The version.
        version: String,
    },
    /// No such version.
    #[error("{name} {version} is not published here")]
    NotFound {
        /// The skill.
        name: String,
        /// The version.
        version: String,
    },
    /// The bundle is unusable.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The upload's URL and its manifest disagree.
    #[error(
        "the manifest is for {manifest}, but the upload was for {url}; publish it under its own name and version"
    )]
    Mismatch {
        /// What the manifest says.
        manifest: String,
        /// What the URL says.
        url: String,
    },
    /// The component does not match the manifest's digest.
    #[error(
        "the component's sha256 is {actual}, but the manifest pins {expected}; rebuild with `prax skill build` and sign again"
    )]
    Digest {
        /// Pinned.
        expected: String,
        /// Found.
        actual: String,
    },
    /// The bundle is not signed, or its signature is wrong.
    #[error("signature: {0}")]
    Signature(String),
    /// The storage failed.
    #[error("registry storage error: {0}")]
    Io(String),
}

impl From<SigningError> for PublishError {
    fn from(e: SigningError) -> Self {
        Self::Signature(e.to_string())
    }
}

fn io(e: impl std::fmt::Display) -> PublishError {
    PublishError::Io(e.to_string())
}

/// A registry directory.
pub struct Repository {
    dir: PathBuf,
    max_component_bytes: u64,
    write: Mutex<()>,
}

impl Repository {
    /// Open (creating if needed) the registry in `dir`.
    pub fn open(dir: &Path, max_component_bytes: u64) -> Result<Self, PublishError> {
        std::fs::create_dir_all(dir.join("skills")).map_err(io)?;
        let repository = Self {
            dir: dir.to_owned(),
            max_component_bytes,
            write: Mutex::new(()),
        };
        if !dir.join(INDEX_FILE).exists() {
            repository.write_index(&Index::default())?;
        }
        Ok(repository)
    }

    /// The registry's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Largest component accepted.
    pub fn max_component_bytes(&self) -> u64 {
        self.max_component_bytes
    }

    /// The current index.
    pub fn index(&self) -> Result<Index, PublishError> {
        let bytes = std::fs::read(self.dir.join(INDEX_FILE)).map_err(io)?;
        serde_json::from_slice(&bytes).map_err(io)
    }

    fn write_index(&self, index: &Index) -> Result<(), PublishError> {
        let mut file = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        let text = serde_json::to_vec_pretty(index).map_err(io)?;
        file.write_all(&text).map_err(io)?;
        file.as_file().sync_all().map_err(io)?;
        file.persist(self.dir.join(INDEX_FILE)).map_err(io)?;
        Ok(())
    }

    /// Store the bundle `tar` as `name` `version`: it must be signed, its manifest must name
    /// that skill and version, and its component must match the manifest's digest.
    pub fn publish(
        &self,
        name: &str,
        version: &str,
        tar: &[u8],
        published_at: String,
    ) -> Result<IndexVersion, PublishError> {
        let name: SkillName = name.parse().map_err(PublishError::BadName)?;
        let version: semver::Version = version
            .parse()
            .map_err(|_| PublishError::BadVersion(version.to_owned()))?;
        let bundle = Bundle::from_tar(tar, self.max_component_bytes)?;
        let manifest = bundle.parse_manifest()?;
        if manifest.name != name || manifest.version != version {
            return Err(PublishError::Mismatch {
                manifest: format!("{} {}", manifest.name, manifest.version),
                url: format!("{name} {version}"),
            });
        }
        let actual = Sha256Digest::of(&bundle.component);
        if actual != manifest.sha256 {
            return Err(PublishError::Digest {
                expected: manifest.sha256.to_string(),
                actual: actual.to_string(),
            });
        }
        let signature = bundle.signature.as_deref().ok_or_else(|| {
            PublishError::Signature(
                "the bundle is not signed; sign it with `prax skill sign DIR --key publisher.key`"
                    .into(),
            )
        })?;
        let publisher = SignatureFile::parse(signature)?.verify(&bundle.manifest)?;

        let _guard = self
            .write
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut index = self.index()?;
        let exists = index
            .skills
            .get(name.as_str())
            .is_some_and(|s| s.versions.iter().any(|v| v.version == version));
        let final_dir = self.dir.join(version_dir(name.as_str(), &version));
        if exists || final_dir.exists() {
            return Err(PublishError::Exists {
                name: name.to_string(),
                version: version.to_string(),
            });
        }
        let parent = final_dir
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(|| self.dir.clone());
        std::fs::create_dir_all(&parent).map_err(io)?;
        let staging = tempfile::Builder::new()
            .prefix(".publishing-")
            .tempdir_in(&parent)
            .map_err(io)?;
        for (file, bytes) in [
            (MANIFEST_FILE, &bundle.manifest),
            (SIGNATURE_FILE, &signature.to_vec()),
            (manifest.component.as_str(), &bundle.component),
        ] {
            let mut out = std::fs::File::create(staging.path().join(file)).map_err(io)?;
            out.write_all(bytes).map_err(io)?;
            out.sync_all().map_err(io)?;
        }
        std::fs::rename(staging.path(), &final_dir).map_err(io)?;
        let entry = IndexVersion::new(&manifest, Some(publisher.key_id()), published_at);
        index.add(name.as_str(), entry.clone());
        if let Err(e) = self.write_index(&index) {
            // Not in the index, so not published: take the files back out.
            let _ = std::fs::remove_dir_all(&final_dir);
            return Err(e);
        }
        Ok(entry)
    }

    /// Hide `name` `version` from resolution (or show it again), keeping its files.
    pub fn set_yanked(
        &self,
        name: &str,
        version: &str,
        yanked: bool,
    ) -> Result<IndexVersion, PublishError> {
        let name: SkillName = name.parse().map_err(PublishError::BadName)?;
        let version: semver::Version = version
            .parse()
            .map_err(|_| PublishError::BadVersion(version.to_owned()))?;
        let _guard = self
            .write
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut index = self.index()?;
        let entry = index
            .skills
            .get_mut(name.as_str())
            .and_then(|s| s.versions.iter_mut().find(|v| v.version == version))
            .ok_or_else(|| PublishError::NotFound {
                name: name.to_string(),
                version: version.to_string(),
            })?;
        entry.yanked = yanked;
        let entry = entry.clone();
        self.write_index(&index)?;
        Ok(entry)
    }
}
