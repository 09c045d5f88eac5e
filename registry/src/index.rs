//! The registry's index (`index.json`): every skill, its versions, who published each, and
//! which are yanked. With the per-version files beside it, it is all a mirror needs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Manifest, Tier};

/// File name of the index at the registry's root.
pub const INDEX_FILE: &str = "index.json";

/// Where a version's files live, relative to the registry's root.
pub fn version_dir(name: &str, version: &semver::Version) -> String {
    format!("skills/{name}/{version}")
}

/// The whole index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Index {
    /// Every skill, by name.
    pub skills: BTreeMap<String, IndexSkill>,
}

/// One skill in the index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexSkill {
    /// The newest version's description.
    pub description: String,
    /// Every version published, oldest first.
    pub versions: Vec<IndexVersion>,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexVersion {
    /// The version.
    pub version: semver::Version,
    /// Its description.
    pub description: String,
    /// The component's file name in the version's folder.
    pub component: String,
    /// The component's SHA-256 (as the manifest pins it).
    pub sha256: String,
    /// The WIT package it targets.
    pub wit: String,
    /// The licence tier that unlocks it.
    pub tier: Tier,
    /// The key id of the publisher who signed it.
    pub publisher: Option<String>,
    /// Hidden from resolution, kept for those who pinned it.
    #[serde(default)]
    pub yanked: bool,
    /// When it was published (RFC 3339).
    pub published_at: String,
}

impl IndexVersion {
    /// The entry for `manifest`, signed by `publisher`.
    pub fn new(manifest: &Manifest, publisher: Option<String>, published_at: String) -> Self {
        Self {
            version: manifest.version.clone(),
            description: manifest.description.clone(),
            component: manifest.component.clone(),
            sha256: manifest.sha256.to_string(),
            wit: manifest.wit.to_string(),
            tier: manifest.tier,
            publisher,
            yanked: false,
            published_at,
        }
    }
}

/// Why no version could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The registry has no skill of this name.
    #[error("the registry has no skill named `{0}`")]
    UnknownSkill(String),
    /// No version satisfies the request.
    #[error("no version of `{name}` matches `{requested}` (available: {available})")]
    NoMatch {
        /// The skill.
        name: String,
        /// The version requirement.
        requested: String,
        /// Versions that are not yanked.
        available: String,
    },
}

impl Index {
    /// The newest version of `name` that matches `requirement` and is not yanked.
    pub fn resolve(
        &self,
        name: &str,
        requirement: &semver::VersionReq,
    ) -> Result<&IndexVersion, ResolveError> {
        let skill = self
            .skills
            .get(name)
            .ok_or_else(|| ResolveError::UnknownSkill(name.to_owned()))?;
        let live = || skill.versions.iter().filter(|v| !v.yanked);
        live()
            .filter(|v| requirement.matches(&v.version))
            .max_by(|a, b| a.version.cmp(&b.version))
            .ok_or_else(|| ResolveError::NoMatch {
                name: name.to_owned(),
                requested: requirement.to_string(),
                available: {
                    let listed: Vec<String> = live().map(|v| v.version.to_string()).collect();
                    if listed.is_empty() {
                        "none".into()
                    } else {
                        listed.join(", ")
                    }
                },
            })
    }

    /// Exactly `version` of `name` (build metadata included), if it is published and not
    /// yanked: what an admin saw in a dry run, and nothing published since.
    pub fn exact(
        &self,
        name: &str,
        version: &semver::Version,
    ) -> Result<&IndexVersion, ResolveError> {
        let skill = self
            .skills
            .get(name)
            .ok_or_else(|| ResolveError::UnknownSkill(name.to_owned()))?;
        skill
            .versions
            .iter()
            .find(|v| !v.yanked && v.version == *version)
            .ok_or_else(|| ResolveError::NoMatch {
                name: name.to_owned(),
                requested: format!("exactly {version}"),
                available: skill
                    .versions
                    .iter()
                    .filter(|v| !v.yanked)
                    .map(|v| v.version.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Add a version (the caller checked it is new).
    pub fn add(&mut self, name: &str, entry: IndexVersion) {
        let skill = self.skills.entry(name.to_owned()).or_default();
        skill.versions.push(entry);
        skill.versions.sort_by(|a, b| a.version.cmp(&b.version));
        if let Some(newest) = skill.versions.last() {
            skill.description = newest.description.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(v: &str, yanked: bool) -> IndexVersion {
        IndexVersion {
            version: v.parse().unwrap_or_else(|e| panic!("{e}")),
            description: "d".into(),
            component: "skill.wasm".into(),
            sha256: "00".into(),
            wit: "praximous:skill@0.1.0".into(),
            tier: Tier::Community,
            publisher: None,
            yanked,
            published_at: "2026-11-25T00:00:00Z".into(),
        }
    }

    #[test]
    fn resolution_takes_the_newest_match_and_skips_yanked_versions() {
        let mut index = Index::default();
        for (v, yanked) in [
            ("1.0.0", false),
            ("1.2.0", true),
            ("1.1.0", false),
            ("2.0.0", false),
        ] {
            index.add("demo", version(v, yanked));
        }
        let req = |r: &str| {
            r.parse::<semver::VersionReq>()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let resolved = |r: &str| {
            index
                .resolve("demo", &req(r))
                .map(|v| v.version.to_string())
        };
        assert_eq!(resolved("^1"), Ok("1.1.0".into()));
        assert_eq!(resolved("*"), Ok("2.0.0".into()));
        assert_eq!(
            resolved("=1.2.0").map_err(|e| e.to_string()),
            Err("no version of `demo` matches `=1.2.0` (available: 1.0.0, 1.1.0, 2.0.0)".into())
        );
        assert_eq!(
            index.resolve("nope", &req("*")),
            Err(ResolveError::UnknownSkill("nope".into()))
        );
    }
}
