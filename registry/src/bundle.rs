//! A skill bundle: manifest, signature and component together, as a plain tar file. It is
//! what `prax skill publish` uploads and what air-gapped sites install from.

use std::io::Read as _;
use std::path::Path;

use crate::Manifest;
use crate::signing::SIGNATURE_FILE;
use crate::skill_dir::MANIFEST_FILE;

/// Why a bundle (or a skill folder read as one) is not usable.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The tar file is damaged or truncated.
    #[error("the bundle is not a readable tar file ({0}); it may be truncated: download it again")]
    Tar(String),
    /// An entry that does not belong in a bundle.
    #[error(
        "the bundle holds `{0}`, which is not allowed: a bundle holds only skill.yaml, skill.yaml.sig and one .wasm component, with no folders"
    )]
    UnexpectedEntry(String),
    /// A part is larger than allowed.
    #[error("`{name}` is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The entry.
        name: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A part is missing.
    #[error("the bundle has no {0}")]
    Missing(String),
    /// The manifest is not valid.
    #[error("skill.yaml: {0}")]
    Manifest(#[from] crate::ManifestError),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// A skill's three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The exact bytes of `skill.yaml`.
    pub manifest: Vec<u8>,
    /// The exact bytes of `skill.yaml.sig`, if signed.
    pub signature: Option<Vec<u8>>,
    /// The component.
    pub component: Vec<u8>,
}

/// Largest manifest or signature accepted, in bytes.
const MAX_TEXT_BYTES: u64 = 1 << 20;

impl Bundle {
    /// The parsed manifest.
    pub fn parse_manifest(&self) -> Result<Manifest, BundleError> {
        let text = std::str::from_utf8(&self.manifest)
            .map_err(|_| crate::ManifestError::Schema("skill.yaml is not UTF-8 text".into()))?;
        Ok(Manifest::from_yaml(text)?)
    }

    /// Read a bundle from tar bytes, refusing a component over `max_component` bytes.
    pub fn from_tar(bytes: &[u8], max_component: u64) -> Result<Self, BundleError> {
        let tar_error = |e: std::io::Error| BundleError::Tar(e.to_string());
        let mut archive = tar::Archive::new(bytes);
        let (mut manifest, mut signature, mut component) = (None, None, None::<(String, Vec<u8>)>);
        for entry in archive.entries().map_err(tar_error)? {
            let mut entry = entry.map_err(tar_error)?;
            let name = entry
                .path()
                .map_err(tar_error)?
                .to_string_lossy()
                .into_owned();
            let plain = !name.contains(['/', '\\']) && name != ".." && name != ".";
            if !plain || !entry.header().entry_type().is_file() {
                return Err(BundleError::UnexpectedEntry(name));
            }
            let limit = if name.ends_with(".wasm") {
                max_component
            } else {
                MAX_TEXT_BYTES
            };
            let size = entry.size();
            if size > limit {
                return Err(BundleError::TooLarge { name, size, limit });
            }
            let mut data = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut data).map_err(tar_error)?;
            if data.len() as u64 != size {
                return Err(BundleError::Tar(format!("`{name}` ends early")));
            }
            match name.as_str() {
                MANIFEST_FILE if manifest.is_none() => manifest = Some(data),
                SIGNATURE_FILE if signature.is_none() => signature = Some(data),
                _ if name.ends_with(".wasm") && component.is_none() => {
                    component = Some((name, data))
                }
                _ => return Err(BundleError::UnexpectedEntry(name)),
            }
        }
        let manifest = manifest.ok_or_else(|| BundleError::Missing(MANIFEST_FILE.into()))?;
        let (component_name, component) =
            component.ok_or_else(|| BundleError::Missing("component (.wasm)".into()))?;
        let bundle = Self {
            manifest,
            signature,
            component,
        };
        let named = bundle.parse_manifest()?.component;
        if named != component_name {
            return Err(BundleError::Missing(format!(
                "component `{named}` (the manifest names it; the bundle holds `{component_name}`)"
            )));
        }
        Ok(bundle)
    }

    /// The bundle as tar bytes; the component is stored under `component_name`.
    pub fn to_tar(&self, component_name: &str) -> Result<Vec<u8>, BundleError> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |name: &str, data: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder
                .append_data(&mut header, name, data)
                .map_err(|e| BundleError::Tar(e.to_string()))
        };
        add(MANIFEST_FILE, &self.manifest)?;
        if let Some(signature) = &self.signature {
            add(SIGNATURE_FILE, signature)?;
        }
        add(component_name, &self.component)?;
        builder
            .into_inner()
            .map_err(|e| BundleError::Tar(e.to_string()))
    }

    /// Read a skill folder: `skill.yaml`, `skill.yaml.sig` if present, and the component the
    /// manifest names.
    pub fn from_dir(dir: &Path) -> Result<Self, BundleError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| BundleError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let manifest = read(MANIFEST_FILE)?;
        let signature = match read(SIGNATURE_FILE) {
            Ok(bytes) => Some(bytes),
            Err(BundleError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        let mut bundle = Self {
            manifest,
            signature,
            component: Vec::new(),
        };
        bundle.component = read(&bundle.parse_manifest()?.component)?;
        Ok(bundle)
    }
}
