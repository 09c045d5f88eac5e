//! The WIT package a skill was built against, e.g. `praximous:skill@0.1.0`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The only WIT package name skills may target.
pub const SKILL_PACKAGE: &str = "praximous:skill";

/// A version of the `praximous:skill` WIT package.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WitVersion(semver::Version);

impl WitVersion {
    /// The package version.
    pub fn version(&self) -> &semver::Version {
        &self.0
    }
}

impl fmt::Display for WitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SKILL_PACKAGE}@{}", self.0)
    }
}

impl FromStr for WitVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let version = s
            .strip_prefix(SKILL_PACKAGE)
            .and_then(|rest| rest.strip_prefix('@'))
            .ok_or_else(|| format!("`{s}` is not a `{SKILL_PACKAGE}@<version>` WIT package"))?;
        semver::Version::parse(version)
            .map(Self)
            .map_err(|e| format!("`{s}` has an invalid version: {e}"))
    }
}

impl TryFrom<String> for WitVersion {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<WitVersion> for String {
    fn from(v: WitVersion) -> Self {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let v: WitVersion = "praximous:skill@0.1.0"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.version(), &semver::Version::new(0, 1, 0));
        assert_eq!(v.to_string(), "praximous:skill@0.1.0");
    }

    #[test]
    fn rejects_other_packages() {
        assert!("wasi:http@0.2.0".parse::<WitVersion>().is_err());
        assert!("praximous:skill".parse::<WitVersion>().is_err());
        assert!("praximous:skill@one".parse::<WitVersion>().is_err());
    }
}
