//! A user's groups, from the ID token or the userinfo answer, and the role they map to.
//! Providers that send a reference instead of the groups when there are too many (Entra ID
//! past 200: `_claim_names` / `_claim_sources`, or `hasgroups`) are refused with a message,
//! never read as "no groups" and so given the default role.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::SsoError;
use crate::auth::Role;

/// What the claims say about groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Groups {
    /// The claim is there: these groups (perhaps none).
    Listed(Vec<String>),
    /// The claim is absent, and nothing says it overflowed.
    Absent,
}

/// The groups in `claims` under `claim`.
pub fn read(claims: &Map<String, Value>, claim: &str) -> Result<Groups, SsoError> {
    let overflowed = claims
        .get("_claim_names")
        .and_then(Value::as_object)
        .is_some_and(|names| names.contains_key(claim))
        || claims.get("hasgroups").and_then(Value::as_bool) == Some(true);
    match claims.get(claim) {
        Some(Value::Array(items)) => Ok(Groups::Listed(
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
        )),
        // Some providers send a single group as a string, or a space-separated list.
        Some(Value::String(text)) => Ok(Groups::Listed(
            text.split_whitespace().map(str::to_owned).collect(),
        )),
        Some(Value::Null) | None if overflowed => Err(SsoError::Refused(format!(
            "your identity provider sent a reference to your groups instead of the groups themselves (you are in more groups than it puts in a token), so your role cannot be decided. Ask its administrator to send only the groups assigned to this application (Entra ID: Token configuration → groups claim → \"Groups assigned to the application\"), or to reduce the '{claim}' claim"
        ))),
        Some(Value::Null) | None => Ok(Groups::Absent),
        Some(other) => Err(SsoError::Refused(format!(
            "the '{claim}' claim is neither a list nor a string ({other}); set [sso] groups_claim to the claim that lists groups"
        ))),
    }
}

/// The role `groups` map to through `mapping` (the highest of them), else `default`; with
/// who granted it.
pub fn role_for(
    groups: &[String],
    mapping: &BTreeMap<String, Role>,
    default: Option<Role>,
) -> (Option<Role>, &'static str) {
    let mapped = groups.iter().filter_map(|g| mapping.get(g)).copied().max();
    match mapped {
        Some(role) => (Some(role), "sso:groups"),
        None => (default, "sso:default_role"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Groups, read, role_for};
    use crate::auth::Role;
    use serde_json::json;

    fn claims(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn groups_are_read_from_a_list_or_a_string() -> Result<(), crate::sso::SsoError> {
        assert_eq!(
            read(&claims(json!({"groups": ["a", "b"]})), "groups")?,
            Groups::Listed(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            read(&claims(json!({"roles": "a b"})), "roles")?,
            Groups::Listed(vec!["a".into(), "b".into()])
        );
        assert_eq!(read(&claims(json!({})), "groups")?, Groups::Absent);
        Ok(())
    }

    #[test]
    fn an_overflow_is_refused_not_read_as_no_groups() {
        let entra = claims(json!({
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {"src1": {"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}}
        }));
        let refused = read(&entra, "groups").err().map(|e| e.to_string());
        assert!(refused.is_some_and(|e| e.contains("reference to your groups")));
        assert!(read(&claims(json!({"hasgroups": true})), "groups").is_err());
    }

    #[test]
    fn the_highest_mapped_role_wins_else_the_default() {
        let mapping = [
            ("ops".to_owned(), Role::Operator),
            ("admins".to_owned(), Role::Admin),
        ]
        .into_iter()
        .collect();
        let groups = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            role_for(&groups(&["ops", "admins", "x"]), &mapping, None),
            (Some(Role::Admin), "sso:groups")
        );
        assert_eq!(
            role_for(&groups(&["x"]), &mapping, Some(Role::User)),
            (Some(Role::User), "sso:default_role")
        );
        assert_eq!(role_for(&groups(&[]), &mapping, None).0, None);
    }
}
