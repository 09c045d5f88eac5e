//! The key's scope (`auth::KeyScope`) applied to a request: every ingress asks here before it
//! runs a skill or an LLM route, so that a limited key is refused the same way everywhere,
//! with a 403 that names what it asked for and what it may use.

use axum::http::StatusCode;

use super::error::{ApiError, ErrorCode};
use crate::auth::Principal;

/// What a request would use.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A skill, run as a whole (`/api/v1/process`, the WebSocket).
    Skill(&'a str),
    /// One operation of a skill (an MCP tool).
    Operation {
        /// The skill.
        skill: &'a str,
        /// The operation.
        operation: &'a str,
    },
    /// An LLM route, pinned provider model or embedding model.
    Route(&'a str),
}

/// Whether `principal` (none: authentication is off) may use `target`.
pub fn allows(principal: Option<&Principal>, target: Target<'_>) -> bool {
    let Some(principal) = principal else {
        return true;
    };
    let scope = &principal.scope;
    match target {
        Target::Skill(skill) => scope.allows_skill(skill),
        Target::Operation { skill, operation } => scope.allows_operation(skill, operation),
        Target::Route(route) => scope.allows_route(route),
    }
}

/// `Ok` when `principal` may use `target`, else the 403 that says so.
pub fn check(principal: Option<&Principal>, target: Target<'_>) -> Result<(), ApiError> {
    if allows(principal, target) {
        return Ok(());
    }
    let Some(principal) = principal else {
        return Ok(());
    };
    let scope = &principal.scope;
    let (what, granted) = match target {
        Target::Skill(skill) => {
            let operations: Vec<&str> = scope.operations_of(skill).collect();
            let hint = if operations.is_empty() {
                String::new()
            } else {
                format!(
                    " It may call only the operations {} of it, as MCP tools.",
                    operations.join(", ")
                )
            };
            (format!("the skill '{skill}'.{hint}"), &scope.skills)
        }
        Target::Operation { skill, operation } => (
            format!("the operation '{operation}' of the skill '{skill}'."),
            &scope.skills,
        ),
        Target::Route(route) => (format!("the LLM route '{route}'."), &scope.routes),
    };
    let may = match granted.as_deref() {
        Some([]) | None => "nothing of this kind".to_owned(),
        Some(entries) => entries.join(", "),
    };
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "Access denied: the key '{}' may not use {what} It may use: {may}. Ask an admin for a key that may.",
            principal.key_name
        ),
    )
    .with_code(ErrorCode::NotInScope))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::{KeyScope, Role};

    fn principal(skills: &[&str], routes: Option<&[&str]>) -> Principal {
        Principal::from(crate::auth::PrincipalInfo {
            key_id: "key_1".into(),
            key_name: "reporting".into(),
            role: Role::User,
            rate_limit_per_minute: None,
            scope: Arc::new(KeyScope {
                skills: Some(skills.iter().map(|s| (*s).to_owned()).collect()),
                routes: routes.map(|r| r.iter().map(|s| (*s).to_owned()).collect()),
            }),
            user: None,
            via_session: false,
        })
    }

    #[test]
    fn a_refusal_names_the_target_and_what_the_key_may_use() {
        let p = principal(&["echo", "text_manipulation/manipulate"], Some(&[]));
        assert!(check(Some(&p), Target::Skill("echo")).is_ok());
        let refused = check(Some(&p), Target::Skill("text_manipulation"))
            .err()
            .map(|e| (e.status(), e.code(), e.detail_text()));
        let Some((status, code, detail)) = refused else {
            panic!("a skill granted by one operation only ran whole");
        };
        assert_eq!(
            (status, code),
            (StatusCode::FORBIDDEN, ErrorCode::NotInScope)
        );
        assert!(detail.contains("'text_manipulation'"), "{detail}");
        assert!(detail.contains("operations manipulate"), "{detail}");
        assert!(
            detail.contains("echo, text_manipulation/manipulate"),
            "{detail}"
        );
        let route = check(Some(&p), Target::Route("default")).err();
        assert!(
            route.is_some_and(|e| e.detail_text().contains("nothing of this kind")),
            "an empty route list allows no route"
        );
        assert!(check(None, Target::Route("default")).is_ok(), "auth off");
    }
}
