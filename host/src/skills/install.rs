//! Installing a skill into the skills directory, with every check on every path (registry,
//! mirror folder, bundle): the publisher's signature against the trusted keys (unsigned only
//! from development sources), the component's digest, the WIT version, downgrades and
//! widened permissions. Nothing is written until every check passes, and the switch to the
//! new version is one atomic rename, so a crash or a full disk never leaves half a skill.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use praximous_registry::bundle::{Bundle, BundleError};
use praximous_registry::signing::{PublicKey, SIGNATURE_FILE, SignatureFile};
use praximous_registry::skill_dir::MANIFEST_FILE;
use praximous_registry::{Manifest, WitVersion, verify_skill};
use serde::Serialize;

use super::lockfile::{LockFile, Locked};
use super::permissions::widening;

/// Why nothing was installed. Each says exactly what failed and what to do.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The bundle or its manifest is unusable.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The signature is bad or by an untrusted publisher.
    #[error("{name} {version}: {reason}")]
    Signature {
        /// The skill.
        name: String,
        /// Its version.
        version: String,
        /// What is wrong.
        reason: String,
    },
    /// Unsigned, from a development source, which the licence does not include.
    #[error("{0}")]
    NotLicensed(crate::license::gate::Locked),
    /// Unsigned, from a source not marked for development.
    #[error(
        "{name} {version} is not signed, and {origin} is not in [registry] development_sources; ask its publisher for a signed release (or, for your own development builds only, list the source there)"
    )]
    Unsigned {
        /// The skill.
        name: String,
        /// Its version.
        version: String,
        /// Where it came from.
        origin: String,
    },
    /// Digest or WIT version check failed.
    #[error("{0}")]
    Verify(String),
    /// An older version than the installed one.
    #[error(
        "{name} {installed} is installed; installing {requested} would be a downgrade: pass --allow-downgrade if that is what you want"
    )]
    Downgrade {
        /// The skill.
        name: String,
        /// What is installed.
        installed: String,
        /// What was asked for.
        requested: String,
    },
    /// The new version asks for more than the installed one.
    #[error("{name} {requested} asks for more than the installed {installed}: {}; accept with --accept-permissions", .changes.join("; "))]
    PermissionsWiden {
        /// The skill.
        name: String,
        /// What is installed.
        installed: String,
        /// What was asked for.
        requested: String,
        /// Each widening.
        changes: Vec<String>,
    },
    /// The component is not the one the admin was shown (and consented to) in a dry run.
    #[error(
        "{name} {version} has component sha256 {found}, not the {shown} that was shown; nothing was installed: look at it again before accepting"
    )]
    NotAsShown {
        /// The skill.
        name: String,
        /// Its version.
        version: String,
        /// The digest the consent named.
        shown: String,
        /// The digest that arrived.
        found: String,
    },
    /// The new version is signed by another publisher than the installed one.
    #[error(
        "{name} {version} is signed by {new}, but the installed version was signed by {installed}; if the publisher really changed keys, accept with --accept-publisher-change"
    )]
    PublisherChanged {
        /// The skill.
        name: String,
        /// The version offered.
        version: String,
        /// Who signed the installed version (`unsigned` if nobody).
        installed: String,
        /// Who signed this one.
        new: String,
    },
    /// The skill would replace the built-in of the same name.
    #[error(
        "{name} is a built-in skill; installing {name} {version} would replace it (and it would not read the built-in's [skills.{name}] settings unless the operator sets replacement_reads_settings = true there); accept with --replace-builtin"
    )]
    ReplacesBuiltin {
        /// The skill.
        name: String,
        /// The version offered.
        version: String,
    },
    /// Writing the skill failed; nothing was changed.
    #[error("cannot install into {path}: {reason}; nothing was changed")]
    Io {
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
}

/// How an install may proceed.
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    /// Install even if the new version asks for more permissions.
    pub accept_permissions: bool,
    /// Install even if it is older than the installed version.
    pub allow_downgrade: bool,
    /// Install even if another publisher signed it than the installed version.
    pub accept_publisher_change: bool,
    /// Install even if it replaces the built-in skill of the same name.
    pub replace_builtin: bool,
    /// Install only this component (the digest a dry run showed).
    pub expected_sha256: Option<praximous_registry::Sha256Digest>,
    /// Run every check and report what would change, but write nothing.
    pub dry_run: bool,
}

/// What is trusted, and where skills go.
#[derive(Clone, Copy)]
pub struct InstallTarget<'a> {
    /// The skills directory.
    pub skills_dir: &'a Path,
    /// Publishers whose signatures are accepted.
    pub trusted: &'a [PublicKey],
    /// Sources that may install unsigned skills.
    pub development_sources: &'a [String],
    /// Set when the licence in force does not include installing from them.
    pub development_locked: Option<&'a crate::license::gate::Locked>,
    /// WIT versions this host runs.
    pub supported_wit: &'a [WitVersion],
    /// Largest component accepted, counted as it is read.
    pub max_component_bytes: usize,
}

/// What an install did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallReport {
    /// The skill.
    pub name: String,
    /// The version now installed.
    pub version: String,
    /// The version it replaced, if any.
    #[schema(required = true)]
    pub previous: Option<String>,
    /// The component's SHA-256: what to name when consenting to a dry run's report.
    pub sha256: String,
    /// The signing publisher's key id, if signed.
    #[schema(required = true)]
    pub publisher: Option<String>,
    /// Who signed the installed version, when that is someone else.
    #[schema(required = true)]
    pub previous_publisher: Option<String>,
    /// Whether it replaces (or would replace) the built-in skill of the same name.
    pub replaces_builtin: bool,
    /// Permissions the new version gained over the old (accepted).
    pub widened: Vec<String>,
    /// False when nothing was written: this exact version was already installed, or it was
    /// a dry run.
    pub changed: bool,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> InstallError + '_ {
    move |e| InstallError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Check the signature: the signer's key id if signed and trusted, `None` if unsigned and
/// the source allows it.
pub fn check_signature(
    bundle: &Bundle,
    manifest: &Manifest,
    source: &str,
    target: &InstallTarget<'_>,
) -> Result<Option<String>, InstallError> {
    let (name, version) = (manifest.name.to_string(), manifest.version.to_string());
    match &bundle.signature {
        Some(bytes) => SignatureFile::parse(bytes)
            .and_then(|file| file.verify_trusted(&bundle.manifest, target.trusted))
            .map(|key| Some(key.key_id()))
            .map_err(|e| InstallError::Signature {
                name,
                version,
                reason: e.to_string(),
            }),
        None if target.development_sources.iter().any(|s| s == source) => {
            match target.development_locked {
                Some(locked) => Err(InstallError::NotLicensed(locked.clone())),
                None => Ok(None),
            }
        }
        None => Err(InstallError::Unsigned {
            name,
            version,
            origin: source.to_owned(),
        }),
    }
}

/// Install `bundle`, which came from `source`, into `target`.
pub fn install(
    bundle: &Bundle,
    source: &str,
    target: &InstallTarget<'_>,
    options: &InstallOptions,
) -> Result<InstallReport, InstallError> {
    let manifest = bundle.parse_manifest()?;
    let publisher = check_signature(bundle, &manifest, source, target)?;
    let manifest_text = std::str::from_utf8(&bundle.manifest).unwrap_or_default();
    let verified = verify_skill(
        Path::new(MANIFEST_FILE),
        manifest_text,
        bundle.component.clone(),
        target.supported_wit,
    )
    .map_err(|e| InstallError::Verify(format!("{} {}: {e}", manifest.name, manifest.version)))?;
    let name = verified.manifest.name.to_string();
    let version = manifest.version.to_string();
    let sha256 = manifest.sha256.to_string();
    if let Some(shown) = &options.expected_sha256
        && *shown != manifest.sha256
    {
        return Err(InstallError::NotAsShown {
            name,
            version,
            shown: shown.to_string(),
            found: sha256,
        });
    }
    // Everything that depends on what is installed, and the swap, under one lock: two
    // installs never both check against the same old version.
    let _guard = exclusive(target.skills_dir)?;
    let live = target.skills_dir.join(&name);
    let installed = std::fs::read_to_string(live.join(MANIFEST_FILE))
        .ok()
        .and_then(|text| Manifest::from_yaml(&text).ok());
    // With nothing installed, a built-in of the same name is what the new skill replaces: it is
    // compared with that, and replacing it needs its own consent.
    let builtin = installed
        .is_none()
        .then(|| builtin_manifest(&name))
        .flatten();
    let replaces_builtin = builtin.is_some();
    let mut lock = LockFile::read(target.skills_dir).map_err(io_error(target.skills_dir))?;
    let previous_publisher = match lock.skills.get(&name) {
        Some(locked) if installed.is_some() && locked.publisher != publisher => Some(
            locked
                .publisher
                .clone()
                .unwrap_or_else(|| "unsigned".into()),
        ),
        _ => None,
    };
    let report = |previous: Option<String>, widened: Vec<String>, changed: bool| InstallReport {
        name: name.clone(),
        version: version.clone(),
        sha256: sha256.clone(),
        previous,
        publisher: publisher.clone(),
        previous_publisher: previous_publisher.clone(),
        replaces_builtin,
        widened,
        changed,
    };
    if replaces_builtin && !options.replace_builtin && !options.dry_run {
        return Err(InstallError::ReplacesBuiltin { name, version });
    }
    let mut widened = Vec::new();
    if let Some(old) = installed.as_ref().or(builtin.as_ref()) {
        let old_label = if replaces_builtin {
            format!("{} (built-in)", old.version)
        } else {
            old.version.to_string()
        };
        if old.version == manifest.version && old.sha256 == manifest.sha256 {
            return Ok(report(Some(old.version.to_string()), widened, false));
        }
        if let Some(installed_by) = &previous_publisher
            && !options.accept_publisher_change
            && !options.dry_run
        {
            return Err(InstallError::PublisherChanged {
                name,
                version,
                installed: installed_by.clone(),
                new: publisher.unwrap_or_else(|| "nobody (unsigned)".into()),
            });
        }
        if manifest.version < old.version && !options.allow_downgrade {
            return Err(InstallError::Downgrade {
                name,
                installed: old_label,
                requested: version,
            });
        }
        widened = widening(old, &manifest);
        if !widened.is_empty() && !options.accept_permissions && !options.dry_run {
            return Err(InstallError::PermissionsWiden {
                name,
                installed: old_label,
                requested: version,
                changes: widened,
            });
        }
    }
    let previous = installed
        .map(|m| m.version.to_string())
        .or_else(|| builtin.map(|m| format!("{} (built-in)", m.version)));
    if options.dry_run {
        return Ok(report(previous, widened, false));
    }
    write_atomically(target.skills_dir, &live, bundle, &manifest.component)?;
    lock.skills.insert(
        name.clone(),
        Locked {
            version: manifest.version.to_string(),
            sha256: manifest.sha256.to_string(),
            publisher: publisher.clone(),
            source: source.to_owned(),
            installed_at: praximous_registry::server::now(),
        },
    );
    lock.write(target.skills_dir)
        .map_err(io_error(target.skills_dir))?;
    Ok(report(previous, widened, true))
}

/// The manifest of the built-in skill called `name`, if this binary has one.
fn builtin_manifest(name: &str) -> Option<Manifest> {
    super::BUILTIN_SKILLS
        .iter()
        .filter_map(|builtin| Manifest::from_yaml(builtin.manifest).ok())
        .find(|manifest| manifest.name.as_str() == name)
}

/// Hidden, so the catalogue never mistakes it for a skill.
const GUARD_FILE: &str = ".prax-skills.guard";

/// Hold the skills directory for one change: installs and removals by the CLI and by the
/// server (or two servers sharing the directory) take turns, so none loses another's entry
/// in the lock file. Released when the file is closed.
fn exclusive(skills_dir: &Path) -> Result<std::fs::File, InstallError> {
    std::fs::create_dir_all(skills_dir).map_err(io_error(skills_dir))?;
    let path = skills_dir.join(GUARD_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| io_error(&path)(e.into()))?;
    Ok(file)
}

/// Write the skill into a hidden folder beside `live`, sync it, then swap it into place in
/// one step (or rename it there if nothing is installed yet).
fn write_atomically(
    skills_dir: &Path,
    live: &Path,
    bundle: &Bundle,
    component: &str,
) -> Result<(), InstallError> {
    std::fs::create_dir_all(skills_dir).map_err(io_error(skills_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".installing-")
        .tempdir_in(skills_dir)
        .map_err(io_error(skills_dir))?;
    let mut files = vec![
        (MANIFEST_FILE, &bundle.manifest),
        (component, &bundle.component),
    ];
    if let Some(signature) = &bundle.signature {
        files.push((SIGNATURE_FILE, signature));
    }
    for (file, bytes) in files {
        let path = staging.path().join(file);
        let mut out = std::fs::File::create(&path).map_err(io_error(&path))?;
        out.write_all(bytes).map_err(io_error(&path))?;
        out.sync_all().map_err(io_error(&path))?;
    }
    if live.exists() {
        // The old version ends up in the staging folder, removed when it is dropped.
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            staging.path(),
            rustix::fs::CWD,
            live,
            rustix::fs::RenameFlags::EXCHANGE,
        )
        .map_err(|e| io_error(live)(e.into()))?;
    } else {
        let kept: PathBuf = staging.keep();
        std::fs::rename(&kept, live).map_err(|e| {
            let _ = std::fs::remove_dir_all(&kept);
            io_error(live)(e)
        })?;
    }
    if let Ok(dir) = std::fs::File::open(skills_dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Remove the installed skill `name`; false if it was not installed.
pub fn remove(skills_dir: &Path, name: &str) -> Result<bool, InstallError> {
    if name.parse::<praximous_registry::SkillName>().is_err() {
        return Ok(false);
    }
    let live = skills_dir.join(name);
    if !live.join(MANIFEST_FILE).is_file() {
        return Ok(false);
    }
    let _guard = exclusive(skills_dir)?;
    // Renamed out of sight first, so the server never loads half-deleted files.
    let doomed = tempfile::Builder::new()
        .prefix(".removing-")
        .tempdir_in(skills_dir)
        .map_err(io_error(skills_dir))?;
    let target = doomed.path().join(name);
    std::fs::rename(&live, &target).map_err(io_error(&live))?;
    let mut lock = LockFile::read(skills_dir).map_err(io_error(skills_dir))?;
    lock.skills.remove(name);
    lock.write(skills_dir).map_err(io_error(skills_dir))?;
    Ok(true)
}
