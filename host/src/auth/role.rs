//! Roles: what a key may do. Each role includes everything the roles below it may do.

use serde::{Deserialize, Serialize};

/// A key's role, from least to most privileged.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Run tasks and list skills.
    User,
    /// Also: analytics, providers, system status and metrics (read-only).
    Operator,
    /// Everything, including API keys and configuration.
    Admin,
}

impl Role {
    /// Every role, least privileged first.
    pub const ALL: [Role; 3] = [Role::User, Role::Operator, Role::Admin];

    /// As written in configuration, the CLI, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }

    /// Whether a key with this role may use something that requires `required`.
    pub fn grants(self, required: Role) -> bool {
        self >= required
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': use admin, operator or user")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn each_role_grants_itself_and_those_below() {
        assert!(Role::Admin.grants(Role::Operator) && Role::Admin.grants(Role::User));
        assert!(Role::Operator.grants(Role::User) && !Role::Operator.grants(Role::Admin));
        assert!(Role::User.grants(Role::User) && !Role::User.grants(Role::Operator));
    }

    #[test]
    fn names_round_trip_and_unknown_names_say_the_choices() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        let err = "root".parse::<Role>().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("unknown role 'root': use admin, operator or user")
        );
    }
}
