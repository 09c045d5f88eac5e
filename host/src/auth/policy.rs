//! Who may call what: the one table of every route's required role. The authentication
//! middleware enforces it and the OpenAPI document is annotated from it, so the two cannot
//! disagree; a route missing from the table is refused to everyone but admins.

use super::role::Role;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, with or without a key.
    Public,
    /// A valid key with at least this role.
    Role(Role),
}

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// GET
    Get,
    /// POST
    Post,
    /// DELETE
    Delete,
}

impl Verb {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

use Access::{Public, Role as R};
use Role::{Admin, Operator, User};
use Verb::{Delete, Get, Post};

/// Every API route (method, path as the router writes it) and what it requires.
pub const POLICY: &[(Verb, &str, Access)] = &[
    (Get, "/healthz", Public),
    (Get, "/metrics", R(Operator)),
    (Get, "/api/v1/system", R(Operator)),
    (Get, "/api/v1/auth/me", R(User)),
    (Post, "/api/v1/process", R(User)),
    (Get, "/api/v1/skills", R(User)),
    (Get, "/api/v1/skills/{skill_name}/capabilities", R(User)),
    (Get, "/api/v1/providers", R(Operator)),
    (Get, "/api/v1/analytics", R(Operator)),
    (Get, "/api/v1/analytics/tasks-over-time", R(Operator)),
    (Get, "/api/v1/analytics/requests-per-provider", R(Operator)),
    (
        Get,
        "/api/v1/analytics/average-latency-per-provider",
        R(Operator),
    ),
    (Get, "/api/v1/analytics/latency-per-provider", R(Operator)),
    (Get, "/api/v1/analytics/summary", R(Operator)),
    (Get, "/api/v1/analytics/export", R(Operator)),
    (Get, "/api/v1/analytics/{request_id}", R(Operator)),
    (Get, "/api/v1/keys", R(Admin)),
    (Post, "/api/v1/keys", R(Admin)),
    (Delete, "/api/v1/keys/{key_id}", R(Admin)),
    (Get, "/api/v1/registry/skills", R(Admin)),
    (Post, "/api/v1/skills/install", R(Admin)),
    (Post, "/api/v1/skills/{skill_name}/update", R(Admin)),
    (Delete, "/api/v1/skills/{skill_name}", R(Admin)),
];

/// What `method` on the route `path` requires. A route the table forgets is admin-only,
/// so a new endpoint is never public by accident.
pub fn required(method: &str, path: &str) -> Access {
    POLICY
        .iter()
        .find(|(verb, route, _)| verb.as_str() == method && *route == path)
        .map_or(Access::Role(Role::Admin), |(_, _, access)| *access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_routes_get_their_access_and_unlisted_ones_admin() {
        assert_eq!(required("GET", "/healthz"), Access::Public);
        assert_eq!(
            required("POST", "/api/v1/process"),
            Access::Role(Role::User)
        );
        assert_eq!(
            required("DELETE", "/api/v1/keys/{key_id}"),
            Access::Role(Role::Admin)
        );
        assert_eq!(
            required("PUT", "/api/v1/process"),
            Access::Role(Role::Admin)
        );
        assert_eq!(
            required("GET", "/api/v1/new-thing"),
            Access::Role(Role::Admin)
        );
    }
}
