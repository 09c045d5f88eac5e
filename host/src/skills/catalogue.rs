//! The catalogue: every skill that loaded, by name, and why the others did not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use praximous_registry::signing::{PublicKey, SIGNATURE_FILE, SignatureFile};
use praximous_registry::skill_dir::MANIFEST_FILE;
use praximous_registry::{Manifest, VerifiedSkill, WitVersion, load_skill_dir, verify_skill};
use serde::Serialize;

use super::acquire::is_listed;
use super::builtin::BuiltinSkill;
use super::lockfile::LockFile;
use crate::config::OperatorSettings;
use crate::runtime::{PreparedSkill, Runtime, supported_wit};

/// Where a skill came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillSource {
    /// Embedded in the binary.
    Builtin,
    /// A folder in the skills directory.
    Installed(PathBuf),
}

/// Whether a skill's manifest carries a trusted publisher's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SignatureState {
    /// Embedded in this binary.
    Builtin,
    /// Signed by a trusted publisher (its key id).
    Verified {
        /// The publisher's key id.
        publisher: String,
    },
    /// No signature (placed by hand, or installed from a development source).
    Unsigned,
    /// A signature that does not verify, or by a publisher no longer trusted: not loaded.
    Invalid {
        /// Why.
        reason: String,
    },
}

/// Whom installed skills must come from to load.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Publishers whose signatures are accepted.
    pub keys: Vec<PublicKey>,
    /// Sources whose unsigned skills may load (as the lock file records where each came from).
    pub development_sources: Vec<String>,
}

/// The signature state of the skill folder `dir`, whose manifest is `manifest_bytes`.
pub fn signature_state(dir: &Path, manifest_bytes: &[u8], trusted: &[PublicKey]) -> SignatureState {
    let Ok(signature) = std::fs::read(dir.join(SIGNATURE_FILE)) else {
        return SignatureState::Unsigned;
    };
    match SignatureFile::parse(&signature).and_then(|s| s.verify_trusted(manifest_bytes, trusted)) {
        Ok(key) => SignatureState::Verified {
            publisher: key.key_id(),
        },
        Err(e) => SignatureState::Invalid {
            reason: e.to_string(),
        },
    }
}

/// A skill ready to serve requests.
pub struct LoadedSkill {
    /// Its validated manifest.
    pub manifest: Manifest,
    /// Where it came from.
    pub source: SkillSource,
    /// Whether its publisher signed it.
    pub signature: SignatureState,
    /// Its compiled, pre-linked component.
    pub prepared: PreparedSkill,
}

/// A skill that was kept out, and why.
#[derive(Debug, Clone)]
pub struct LoadProblem {
    /// The manifest or folder concerned.
    pub origin: String,
    /// What went wrong, naming the file and the problem.
    pub reason: String,
}

/// The skills this server serves.
#[derive(Default)]
pub struct Catalogue {
    skills: BTreeMap<String, Arc<LoadedSkill>>,
    problems: Vec<LoadProblem>,
}

impl Catalogue {
    /// Load the built-ins, then every skill folder in `dir` (a missing `dir` holds none).
    /// A skill that fails any check is left out and its problem recorded; the rest load.
    /// An installed skill with a built-in's name replaces the built-in. An installed skill
    /// loads only with a signature that verifies against `trust`'s keys, or unsigned if the
    /// lock file records it as installed from one of `trust`'s development sources: deleting a
    /// signature (and editing the manifest) never makes a skill load with other permissions.
    /// Each skill gets the settings and network narrowing `operator` gives it.
    pub fn load(
        runtime: &Runtime,
        builtins: &[BuiltinSkill],
        dir: &Path,
        trust: &Trust,
        operator: &OperatorSettings,
    ) -> Self {
        let wit = supported_wit();
        let mut catalogue = Self::default();
        for builtin in builtins {
            let origin = format!("built-in skill `{}`", builtin.name);
            let path = PathBuf::from(format!("<built-in>/{}/{MANIFEST_FILE}", builtin.name));
            let verified = verify_skill(&path, builtin.manifest, builtin.component.to_vec(), &wit)
                .map_err(|e| e.to_string());
            catalogue.admit(
                runtime,
                operator,
                origin,
                SkillSource::Builtin,
                SignatureState::Builtin,
                verified,
            );
        }
        let lock = LockFile::read(dir).unwrap_or_default();
        for folder in skill_folders(dir, &mut catalogue.problems) {
            let origin = folder.display().to_string();
            let manifest_bytes = std::fs::read(folder.join(MANIFEST_FILE)).unwrap_or_default();
            let signature = signature_state(&folder, &manifest_bytes, &trust.keys);
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let from_development = lock
                .skills
                .get(&name)
                .is_some_and(|locked| is_listed(&locked.source, &trust.development_sources));
            let verified = match &signature {
                SignatureState::Invalid { reason } => Err(format!(
                    "{}: {reason}; reinstall the skill from its publisher",
                    folder.join(SIGNATURE_FILE).display()
                )),
                SignatureState::Unsigned if !from_development => Err(format!(
                    "{} is missing: installed skills load only when signed by a trusted publisher, or installed from a source in [registry] development_sources; reinstall it from its publisher",
                    folder.join(SIGNATURE_FILE).display()
                )),
                _ => load_installed(&folder, &wit),
            };
            catalogue.admit(
                runtime,
                operator,
                origin,
                SkillSource::Installed(folder),
                signature,
                verified,
            );
        }
        catalogue
    }

    fn admit(
        &mut self,
        runtime: &Runtime,
        operator: &OperatorSettings,
        origin: String,
        source: SkillSource,
        signature: SignatureState,
        verified: Result<VerifiedSkill, String>,
    ) {
        let result = verified.and_then(
            |VerifiedSkill {
                 manifest,
                 component,
             }| {
                let name = manifest.name.to_string();
                if let Some(existing) = self.skills.get(&name)
                    && existing.source != SkillSource::Builtin
                {
                    return Err(format!(
                        "a skill named `{name}` is already loaded from {}; remove one of them",
                        describe(&existing.source)
                    ));
                }
                // A skill installed under a built-in's name does not inherit the operator's
                // secrets for the built-in unless the operator says so.
                let replacing_builtin = source != SkillSource::Builtin
                    && self
                        .skills
                        .get(&name)
                        .is_some_and(|existing| existing.source == SkillSource::Builtin);
                let replacement_settings =
                    replacing_builtin.then(|| operator.get(&name).map(|s| s.for_replacement()));
                let settings = match &replacement_settings {
                    Some(narrowed) => narrowed.as_ref(),
                    None => operator.get(&name),
                };
                runtime
                    .prepare(&manifest, settings, &component)
                    .map(|prepared| (name, manifest, prepared))
                    .map_err(|e| format!("{origin}: {e}"))
            },
        );
        match result {
            Ok((name, manifest, prepared)) => {
                tracing::info!(skill = %name, version = %manifest.version, source = %describe(&source), cache = ?prepared.cache, "skill loaded");
                if self.skills.contains_key(&name) {
                    tracing::info!(skill = %name, "installed skill replaces the built-in of the same name");
                }
                self.skills.insert(
                    name,
                    Arc::new(LoadedSkill {
                        manifest,
                        source,
                        signature,
                        prepared,
                    }),
                );
            }
            Err(reason) => {
                tracing::error!(%origin, %reason, "skill not loaded");
                self.problems.push(LoadProblem { origin, reason });
            }
        }
    }

    /// The skill named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<LoadedSkill>> {
        self.skills.get(name).cloned()
    }

    /// Every loaded skill, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<LoadedSkill>> {
        self.skills.values()
    }

    /// Number of loaded skills.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    /// Whether no skill loaded.
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    /// The skills that were kept out, and why.
    pub fn problems(&self) -> &[LoadProblem] {
        &self.problems
    }
}

fn describe(source: &SkillSource) -> String {
    match source {
        SkillSource::Builtin => "the built-ins".to_owned(),
        SkillSource::Installed(path) => path.display().to_string(),
    }
}

fn load_installed(folder: &Path, wit: &[WitVersion]) -> Result<VerifiedSkill, String> {
    let verified = load_skill_dir(folder, wit).map_err(|e| e.to_string())?;
    let folder_name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if folder_name != verified.manifest.name.as_str() {
        return Err(format!(
            "{}: the folder is named `{folder_name}` but the manifest names the skill `{}`; rename the folder to match",
            folder.join(MANIFEST_FILE).display(),
            verified.manifest.name
        ));
    }
    Ok(verified)
}

/// The sub-folders of `dir` that hold a `skill.yaml`, sorted; other entries are ignored, and
/// so are hidden folders (installs and removals in progress).
fn skill_folders(dir: &Path, problems: &mut Vec<LoadProblem>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            problems.push(LoadProblem {
                origin: dir.display().to_string(),
                reason: format!("{}: cannot list the skills directory: {e}", dir.display()),
            });
            return Vec::new();
        }
    };
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
        .map(|entry| entry.path())
        .filter(|path| path.join(MANIFEST_FILE).is_file())
        .collect();
    folders.sort();
    folders
}
