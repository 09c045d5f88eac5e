//! Where an install comes from: `NAME[@SEMVER_REQ]` from a registry (URL or mirror folder),
//! or a bundle file. Both end in the same checks ([`super::install`]).

use std::path::{Path, PathBuf};

use praximous_registry::SkillName;
use praximous_registry::bundle::Bundle;
use praximous_registry::client::{Client, FetchError, Source};
use praximous_registry::index::ResolveError;

use super::install::{InstallError, InstallOptions, InstallReport, InstallTarget, install};

/// Why nothing could be fetched, or installed.
#[derive(Debug, thiserror::Error)]
pub enum AcquireError {
    /// The request is not `NAME[@REQ]` or a bundle.
    #[error("{0}")]
    Spec(String),
    /// No registry was given or configured.
    #[error("no registry to install `{0}` from: pass --registry URL_OR_DIR, or set [registry] url")]
    NoRegistry(String),
    /// The registry could not be read.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// No version matches.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The checks refused it.
    #[error(transparent)]
    Install(#[from] InstallError),
    /// The install task stopped before it finished; installs are atomic, so nothing changed.
    #[error("the install stopped before it finished ({0}); nothing was changed")]
    Interrupted(String),
}

/// What to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A bundle file.
    Bundle(PathBuf),
    /// A skill from a registry.
    Registry {
        /// Its name.
        name: String,
        /// Which versions will do.
        requirement: semver::VersionReq,
    },
    /// Exactly one version of a skill from a registry, build metadata included.
    Exact {
        /// Its name.
        name: String,
        /// The version.
        version: semver::Version,
    },
}

impl Spec {
    /// `BUNDLE.tar`, or `NAME` / `NAME@REQ` (`@1.2` means `^1.2`; `@=1.2.0` one version).
    pub fn parse(text: &str) -> Result<Self, AcquireError> {
        if text.ends_with(".tar") {
            return Ok(Self::Bundle(PathBuf::from(text)));
        }
        let (name, requirement) = text.split_once('@').unwrap_or((text, "*"));
        let name: SkillName = name.parse().map_err(AcquireError::Spec)?;
        let requirement = requirement.parse().map_err(|e| {
            AcquireError::Spec(format!("`{requirement}` is not a version requirement ({e}); write e.g. `{name}@1.2` or `{name}@=1.2.0`"))
        })?;
        Ok(Self::Registry {
            name: name.to_string(),
            requirement,
        })
    }
}

/// Fetch what `spec` names, with a component of at most `max_component` bytes; the bundle
/// and the source it came from (as the operator wrote it, for the lock file and the
/// development-source check).
pub async fn fetch(
    spec: &Spec,
    registry: Option<&str>,
    max_component: usize,
) -> Result<(Bundle, String), AcquireError> {
    let client = |registry: &str| {
        Client::new(Source::parse(registry)).map(|c| c.with_component_limit(max_component))
    };
    match spec {
        Spec::Bundle(path) => {
            let bytes = tokio::fs::read(path).await.map_err(|e| FetchError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let bundle =
                Bundle::from_tar(&bytes, max_component as u64).map_err(InstallError::from)?;
            Ok((bundle, path.display().to_string()))
        }
        Spec::Registry { name, requirement } => {
            let registry = registry.ok_or_else(|| AcquireError::NoRegistry(name.clone()))?;
            let client = client(registry)?;
            let index = client.index().await?;
            let version = index.resolve(name, requirement)?;
            let bundle = client.bundle(name, version).await?;
            Ok((bundle, registry.to_owned()))
        }
        Spec::Exact { name, version } => {
            let registry = registry.ok_or_else(|| AcquireError::NoRegistry(name.clone()))?;
            let client = client(registry)?;
            let index = client.index().await?;
            let entry = index.exact(name, version)?;
            let bundle = client.bundle(name, entry).await?;
            Ok((bundle, registry.to_owned()))
        }
    }
}

/// Whether `source` is one of `development` (compared as written, and as resolved paths).
pub fn is_listed(source: &str, development: &[String]) -> bool {
    let resolved = |s: &str| std::fs::canonicalize(Path::new(s)).ok();
    development.iter().any(|d| {
        d.trim_end_matches('/') == source.trim_end_matches('/')
            || resolved(d).is_some_and(|d| resolved(source).is_some_and(|s| s == d))
    })
}

/// Fetch and install `spec` into `target`.
pub async fn fetch_and_install(
    spec: &Spec,
    registry: Option<&str>,
    target: &InstallTarget<'_>,
    options: InstallOptions,
) -> Result<InstallReport, AcquireError> {
    let (bundle, source) = fetch(spec, registry, target.max_component_bytes).await?;
    let development: Vec<String> = if is_listed(&source, target.development_sources) {
        vec![source.clone()]
    } else {
        Vec::new()
    };
    // Writing files, renaming them into place and waiting for the install lock all block:
    // they run on the blocking pool, not on the async workers serving requests.
    let skills_dir = target.skills_dir.to_owned();
    let trusted = target.trusted.to_vec();
    let options = options.clone();
    let supported_wit = target.supported_wit.to_vec();
    let max_component_bytes = target.max_component_bytes;
    let development_locked = target.development_locked.cloned();
    tokio::task::spawn_blocking(move || {
        let target = InstallTarget {
            skills_dir: &skills_dir,
            trusted: &trusted,
            development_sources: &development,
            development_locked: development_locked.as_ref(),
            supported_wit: &supported_wit,
            max_component_bytes,
        };
        install(&bundle, &source, &target, &options)
    })
    .await
    .map_err(|e| AcquireError::Interrupted(e.to_string()))?
    .map_err(AcquireError::from)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Spec;

    proptest! {
        #[test]
        fn install_requests_parse_or_refuse_without_panicking(text in "\\PC{0,80}") {
            let _ = Spec::parse(&text);
        }

        #[test]
        fn name_at_requirement_reads_back(name in "[a-z][a-z0-9_]{0,20}", major in 0u64..50, minor in 0u64..50) {
            let spec = Spec::parse(&format!("{name}@{major}.{minor}"))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            match spec {
                Spec::Registry { name: parsed, requirement } => {
                    prop_assert_eq!(parsed, name);
                    let version = semver::Version::new(major, minor, 0);
                    prop_assert!(requirement.matches(&version));
                }
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
