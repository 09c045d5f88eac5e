//! What a key may use beyond what its role allows: named skills (or single operations of a
//! skill) and named LLM routes. The same limit holds at every ingress — `/api/v1/process`,
//! the WebSocket, `/v1/*` and MCP — when listing and when calling.

use serde::{Deserialize, Serialize};

/// The skills and routes a key may use. A list that is absent leaves that kind unlimited; an
/// empty list allows none of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyScope {
    /// Skills the key may run, by name (`weather_tool`: every operation), or single
    /// operations of one (`text_manipulation/manipulate`: that MCP tool only). Absent: every
    /// skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    /// LLM routes the key may use, by name: what `task_type` names at `/api/v1/process` and
    /// `model` at `/v1/*` (a routing rule, an embedding model, or a pinned `provider/model`;
    /// `provider/*` pins any model of that provider). Absent: every route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<String>>,
}

/// A scope entry that cannot name anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid scope entry `{entry}` in `{list}`: {reason}")]
pub struct InvalidScope {
    /// `skills` or `routes`.
    pub list: &'static str,
    /// The entry.
    pub entry: String,
    /// What is wrong with it and what to write instead.
    pub reason: &'static str,
}

/// Longest scope entry accepted.
const MAX_ENTRY_CHARS: usize = 200;
/// Most entries in one list.
const MAX_ENTRIES: usize = 500;

impl KeyScope {
    /// Whether nothing is limited.
    pub fn is_unlimited(&self) -> bool {
        self.skills.is_none() && self.routes.is_none()
    }

    /// Whether the key may run the skill `skill` as a whole (every operation), as
    /// `/api/v1/process` runs it.
    pub fn allows_skill(&self, skill: &str) -> bool {
        match &self.skills {
            None => true,
            Some(entries) => entries.iter().any(|entry| entry == skill),
        }
    }

    /// Whether the key may call the operation `operation` of `skill` (an MCP tool).
    pub fn allows_operation(&self, skill: &str, operation: &str) -> bool {
        match &self.skills {
            None => true,
            Some(entries) => entries.iter().any(|entry| {
                entry == skill
                    || entry
                        .split_once('/')
                        .is_some_and(|(s, op)| s == skill && op == operation)
            }),
        }
    }

    /// The operations of `skill` the key is granted one by one (not the whole skill).
    pub fn operations_of<'a>(&'a self, skill: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.skills
            .iter()
            .flatten()
            .filter_map(move |entry| match entry.split_once('/') {
                Some((s, op)) if s == skill => Some(op),
                _ => None,
            })
    }

    /// Whether the key may use the route (or pinned model, or embedding model) `name`.
    pub fn allows_route(&self, name: &str) -> bool {
        match &self.routes {
            None => true,
            Some(entries) => entries.iter().any(|entry| {
                entry == name
                    || entry.strip_suffix("/*").is_some_and(|provider| {
                        name.split_once('/').is_some_and(|(p, _)| p == provider)
                    })
            }),
        }
    }

    /// The scope with its entries trimmed, or what is wrong with one.
    pub fn checked(self) -> Result<Self, InvalidScope> {
        Ok(Self {
            skills: check_list("skills", self.skills, check_skill_entry)?,
            routes: check_list("routes", self.routes, check_route_entry)?,
        })
    }

    /// As one line for people: `skills a, b; routes c`, or `unlimited`.
    pub fn describe(&self) -> String {
        let part = |label: &str, list: &Option<Vec<String>>| {
            list.as_ref().map(|entries| {
                if entries.is_empty() {
                    format!("no {label}")
                } else {
                    format!("{label} {}", entries.join(", "))
                }
            })
        };
        let parts: Vec<String> = [part("skills", &self.skills), part("routes", &self.routes)]
            .into_iter()
            .flatten()
            .collect();
        if parts.is_empty() {
            "unlimited".into()
        } else {
            parts.join("; ")
        }
    }
}

fn check_list(
    list: &'static str,
    entries: Option<Vec<String>>,
    check: fn(&str) -> Result<(), &'static str>,
) -> Result<Option<Vec<String>>, InvalidScope> {
    let Some(entries) = entries else {
        return Ok(None);
    };
    if entries.len() > MAX_ENTRIES {
        return Err(InvalidScope {
            list,
            entry: format!("({} entries)", entries.len()),
            reason: "a list holds at most 500 entries",
        });
    }
    let mut checked: Vec<String> = Vec::with_capacity(entries.len());
    for entry in entries {
        let entry = entry.trim().to_owned();
        let refuse = |reason| InvalidScope {
            list,
            entry: entry.clone(),
            reason,
        };
        if entry.is_empty() {
            return Err(refuse("it is empty"));
        }
        if entry.chars().count() > MAX_ENTRY_CHARS {
            return Err(refuse("it is longer than 200 characters"));
        }
        if entry.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(refuse("it contains spaces or control characters"));
        }
        check(&entry).map_err(refuse)?;
        if !checked.contains(&entry) {
            checked.push(entry);
        }
    }
    Ok(Some(checked))
}

fn check_skill_entry(entry: &str) -> Result<(), &'static str> {
    let (skill, operation) = match entry.split_once('/') {
        Some((skill, operation)) => (skill, Some(operation)),
        None => (entry, None),
    };
    if skill
        .parse::<praximous_registry::manifest::SkillName>()
        .is_err()
    {
        return Err(
            "write a skill name (lowercase letters, digits, `_` and `-`, starting with a letter), or `skill/operation`",
        );
    }
    if operation.is_some_and(|op| op.is_empty() || op.contains('/')) {
        return Err("write `skill/operation` with one operation name after the `/`");
    }
    Ok(())
}

fn check_route_entry(entry: &str) -> Result<(), &'static str> {
    if entry.starts_with('/') || entry.ends_with('/') || entry.matches('/').count() > 1 {
        return Err("write a route name, `provider/model`, or `provider/*`, with at most one `/`");
    }
    if entry.contains('*') && !entry.ends_with("/*") {
        return Err("`*` is only allowed as `provider/*`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(skills: Option<&[&str]>, routes: Option<&[&str]>) -> KeyScope {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        KeyScope {
            skills: skills.map(owned),
            routes: routes.map(owned),
        }
    }

    #[test]
    fn absent_lists_allow_everything_and_empty_ones_nothing() {
        let open = KeyScope::default();
        assert!(open.is_unlimited());
        assert!(open.allows_skill("echo") && open.allows_route("default"));
        let closed = scope(Some(&[]), Some(&[]));
        assert!(!closed.allows_skill("echo"));
        assert!(!closed.allows_operation("echo", "echo"));
        assert!(!closed.allows_route("default"));
    }

    #[test]
    fn an_operation_grant_opens_that_tool_and_not_the_whole_skill() {
        let s = scope(Some(&["echo", "text_manipulation/manipulate"]), None);
        assert!(s.allows_skill("echo"));
        assert!(s.allows_operation("echo", "anything"));
        assert!(s.allows_operation("text_manipulation", "manipulate"));
        assert!(!s.allows_operation("text_manipulation", "other"));
        assert!(!s.allows_skill("text_manipulation"));
        assert_eq!(
            s.operations_of("text_manipulation").collect::<Vec<_>>(),
            ["manipulate"]
        );
        assert!(s.allows_route("anything"), "routes stay unlimited");
    }

    #[test]
    fn routes_match_by_name_or_by_pinned_provider() {
        let s = scope(None, Some(&["default", "local/*", "cloud/gpt-x"]));
        assert!(s.allows_route("default"));
        assert!(s.allows_route("local/llama3"));
        assert!(s.allows_route("cloud/gpt-x"));
        assert!(!s.allows_route("cloud/gpt-y"));
        assert!(
            !s.allows_route("local"),
            "a provider wildcard is not a route"
        );
        assert!(!s.allows_route("summarize"));
    }

    #[test]
    fn entries_are_checked_trimmed_and_deduplicated() -> Result<(), InvalidScope> {
        let s = scope(Some(&[" echo ", "echo", "pdf-tool/read"]), Some(&["a/*"])).checked()?;
        assert_eq!(s.skills, Some(vec!["echo".into(), "pdf-tool/read".into()]));
        for bad in ["", "Echo", "echo/", "a/b/c", "has space"] {
            let error = scope(Some(&[bad]), None).checked();
            assert!(error.is_err(), "{bad:?} accepted");
        }
        for bad in ["/x", "x/", "a/b/c", "*", "a*/b"] {
            assert!(scope(None, Some(&[bad])).checked().is_err(), "{bad:?}");
        }
        Ok(())
    }

    #[test]
    fn described_for_people() {
        assert_eq!(KeyScope::default().describe(), "unlimited");
        assert_eq!(
            scope(Some(&["echo", "x/y"]), Some(&[])).describe(),
            "skills echo, x/y; no routes"
        );
    }
}
