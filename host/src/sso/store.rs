//! What single sign-on keeps in the store: the users who signed in, their sessions, and the
//! sign-ins under way (so the provider may send the browser back to any replica).

use serde::Serialize;

use crate::auth::Role;
use crate::store::StoreError;

/// A person who signed in with the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    /// Our id for them.
    pub id: String,
    /// The provider that vouched for them (the token's `iss`).
    pub issuer: String,
    /// Their id at the provider (`sub`).
    pub subject: String,
    /// Their e-mail address, as the provider gave it.
    #[schema(required = true)]
    pub email: Option<String>,
    /// Their name, as the provider gave it.
    #[schema(required = true)]
    pub name: Option<String>,
    /// Their groups at the last sign-in.
    pub groups: Vec<String>,
    /// The role their groups (or the default role) gave at the last sign-in.
    #[schema(required = true)]
    pub mapped_role: Option<Role>,
    /// The role an admin set, which wins over the groups' until it is cleared.
    #[schema(required = true)]
    pub role_override: Option<Role>,
    /// The role they have: the override, else the groups'; none: they cannot sign in.
    #[schema(required = true)]
    pub role: Option<Role>,
    /// When they got that role (RFC 3339).
    #[schema(required = true)]
    pub role_granted_at: Option<String>,
    /// Who gave it: `sso:groups`, `sso:default_role`, or the admin (`key:<id>`, `user:<id>`).
    #[schema(required = true)]
    pub role_granted_by: Option<String>,
    /// When an admin disabled them, if one did.
    #[schema(required = true)]
    pub disabled_at: Option<String>,
    /// Who disabled them.
    #[schema(required = true)]
    pub disabled_by: Option<String>,
    /// Their first sign-in.
    pub created_at: String,
    /// Their last sign-in or request.
    pub last_seen_at: String,
}

impl User {
    /// The role that admits them now: none when disabled or without a role.
    pub fn active_role(&self) -> Option<Role> {
        if self.disabled_at.is_some() {
            None
        } else {
            self.role
        }
    }

    /// How they appear in listings and logs: e-mail, else name, else subject.
    pub fn display(&self) -> String {
        self.email
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| self.subject.clone())
    }
}

/// A sign-in under way: started at this server, waiting for the provider to send the browser
/// back. Only digests of the two values that travel (`state`, the browser's binding cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// SHA-256 of the `state` sent to the provider, hex.
    pub state_digest: String,
    /// SHA-256 of the binding cookie set in the browser that started it, hex.
    pub binding_digest: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// Where in the UI to land afterwards.
    pub return_to: String,
    /// When it stops being accepted (RFC 3339).
    pub expires_at: String,
}

/// A signed-in browser's session. Only the digest of its cookie is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie's value, hex.
    pub digest: String,
    /// Whose.
    pub user_id: String,
    /// When it began (RFC 3339).
    pub created_at: String,
    /// When it ends however active (RFC 3339).
    pub expires_at: String,
    /// When it was last used (RFC 3339).
    pub last_seen_at: String,
    /// The ID token it began with, sent back as `id_token_hint` on sign-out.
    pub id_token: Option<String>,
}

/// What a sign-in learned about the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFacts {
    /// The token's issuer.
    pub issuer: String,
    /// Their id at the provider.
    pub subject: String,
    /// E-mail.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Their groups.
    pub groups: Vec<String>,
    /// The role the groups or the default role give; none: no mapping applies.
    pub mapped_role: Option<Role>,
    /// `sso:groups` or `sso:default_role`.
    pub mapped_by: &'static str,
}

/// Where single sign-on's records are kept.
pub trait SsoStore: Send + Sync + 'static {
    /// Keep a sign-in under way, forgetting every expired one.
    fn put_pending(&self, pending: &PendingSignIn, now: &str) -> Result<(), StoreError>;
    /// Take (and delete: a `state` is used once) the sign-in whose state has `state_digest`,
    /// if it has not expired at `now`.
    fn take_pending(
        &self,
        state_digest: &str,
        now: &str,
    ) -> Result<Option<PendingSignIn>, StoreError>;
    /// Record a sign-in: create the user, or update their details, groups and mapped role;
    /// their effective role and its grant are recomputed. Returns the user before and after.
    fn record_sign_in(
        &self,
        facts: &SignInFacts,
        now: &str,
    ) -> Result<(Option<User>, User), StoreError>;
    /// The user `id`.
    fn user(&self, id: &str) -> Result<Option<User>, StoreError>;
    /// Every user, most recently seen first.
    fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Change the user `id` by `change`, read and written in one transaction (a sign-in on
    /// another replica cannot interleave); the user before and after, or `None` if there is
    /// no such user.
    fn modify_user(
        &self,
        id: &str,
        change: &mut (dyn FnMut(&mut User) + Send),
    ) -> Result<Option<(User, User)>, StoreError>;
    /// Begin a session.
    fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    /// The session whose cookie has `digest`, with its user, expired or not (so the answer
    /// can say why it ended; expired ones are deleted as new sessions begin).
    fn session(&self, digest: &str) -> Result<Option<(Session, User)>, StoreError>;
    /// Mark a session used at `now` and the user seen.
    fn touch_session(&self, session: &Session, now: &str) -> Result<(), StoreError>;
    /// End the session whose cookie has `digest`; the session as it was.
    fn end_session(&self, digest: &str) -> Result<Option<Session>, StoreError>;
    /// End every live session of `user_id` at `now` (each expires then: enabling the user
    /// again does not revive them); how many there were.
    fn end_sessions_of(&self, user_id: &str, now: &str) -> Result<usize, StoreError>;
}

/// A user's columns, in the order every backend selects them.
pub const USER_COLUMNS: &str = "id, issuer, subject, email, name, groups, mapped_role, role_override, role, role_granted_at, role_granted_by, disabled_at, disabled_by, created_at, last_seen_at";

/// A user's columns as stored (the same in every backend).
pub struct UserColumns {
    /// Every column, in [`USER_COLUMNS`]' order; `groups` is a JSON array.
    pub text: [Option<String>; 15],
}

impl UserColumns {
    /// The user these columns describe; an error names a damaged column.
    pub fn into_user(self) -> Result<User, StoreError> {
        let [
            id,
            issuer,
            subject,
            email,
            name,
            groups,
            mapped_role,
            role_override,
            role,
            role_granted_at,
            role_granted_by,
            disabled_at,
            disabled_by,
            created_at,
            last_seen_at,
        ] = self.text;
        let damaged = |column: &str, problem: String| {
            StoreError::Database(format!("users.{column} is damaged: {problem}"))
        };
        let required = |column: &str, value: Option<String>| {
            value.ok_or_else(|| damaged(column, "it is empty".into()))
        };
        let role_of = |column: &str, value: Option<String>| {
            value
                .map(|text| text.parse::<Role>())
                .transpose()
                .map_err(|e| damaged(column, e.to_string()))
        };
        Ok(User {
            id: required("id", id)?,
            issuer: required("issuer", issuer)?,
            subject: required("subject", subject)?,
            email,
            name,
            groups: match groups {
                None => Vec::new(),
                Some(text) => {
                    serde_json::from_str(&text).map_err(|e| damaged("groups", e.to_string()))?
                }
            },
            mapped_role: role_of("mapped_role", mapped_role)?,
            role_override: role_of("role_override", role_override)?,
            role: role_of("role", role)?,
            role_granted_at,
            role_granted_by,
            disabled_at,
            disabled_by,
            created_at: required("created_at", created_at)?,
            last_seen_at: required("last_seen_at", last_seen_at)?,
        })
    }

    /// The columns of `user`, in [`USER_COLUMNS`]' order.
    pub fn of(user: &User) -> [Option<String>; 15] {
        let role = |role: Option<Role>| role.map(|r| r.as_str().to_owned());
        [
            Some(user.id.clone()),
            Some(user.issuer.clone()),
            Some(user.subject.clone()),
            user.email.clone(),
            user.name.clone(),
            Some(serde_json::Value::from(user.groups.clone()).to_string()),
            role(user.mapped_role),
            role(user.role_override),
            role(user.role),
            user.role_granted_at.clone(),
            user.role_granted_by.clone(),
            user.disabled_at.clone(),
            user.disabled_by.clone(),
            Some(user.created_at.clone()),
            Some(user.last_seen_at.clone()),
        ]
    }
}

/// `before` signed in again with `facts` at `now` (or, without `before`, for the first time
/// as `new_id`): details and groups refreshed, the effective role recomputed, and its grant
/// moved only when the role changed.
pub fn signed_in(before: Option<&User>, facts: &SignInFacts, new_id: &str, now: &str) -> User {
    let mut user = before.cloned().unwrap_or_else(|| User {
        id: new_id.to_owned(),
        issuer: facts.issuer.clone(),
        subject: facts.subject.clone(),
        email: None,
        name: None,
        groups: Vec::new(),
        mapped_role: None,
        role_override: None,
        role: None,
        role_granted_at: None,
        role_granted_by: None,
        disabled_at: None,
        disabled_by: None,
        created_at: now.to_owned(),
        last_seen_at: now.to_owned(),
    });
    user.email = facts.email.clone();
    user.name = facts.name.clone();
    user.groups = facts.groups.clone();
    user.mapped_role = facts.mapped_role;
    user.last_seen_at = now.to_owned();
    let role = user.role_override.or(user.mapped_role);
    if role != user.role || user.role_granted_by.is_none() && role.is_some() {
        user.role = role;
        user.role_granted_at = role.map(|_| now.to_owned());
        user.role_granted_by = role.map(|_| {
            if user.role_override.is_some() {
                user.role_granted_by.clone().unwrap_or_default()
            } else {
                facts.mapped_by.to_owned()
            }
        });
    }
    user
}

#[cfg(test)]
mod tests {
    use super::{SignInFacts, UserColumns, signed_in};
    use crate::auth::Role;

    fn facts(role: Option<Role>) -> SignInFacts {
        SignInFacts {
            issuer: "https://idp".into(),
            subject: "alice".into(),
            email: Some("alice@acme.example".into()),
            name: Some("Alice".into()),
            groups: vec!["ops".into()],
            mapped_role: role,
            mapped_by: "sso:groups",
        }
    }

    #[test]
    fn a_role_is_granted_once_and_lost_when_the_groups_stop_mapping() {
        let first = signed_in(None, &facts(Some(Role::Operator)), "u1", "t1");
        assert_eq!(first.role, Some(Role::Operator));
        assert_eq!(first.role_granted_at.as_deref(), Some("t1"));
        assert_eq!(first.role_granted_by.as_deref(), Some("sso:groups"));
        let again = signed_in(Some(&first), &facts(Some(Role::Operator)), "x", "t2");
        assert_eq!(
            (again.id.as_str(), again.role_granted_at.as_deref()),
            ("u1", Some("t1")),
            "an unchanged role keeps its grant"
        );
        let lost = signed_in(Some(&again), &facts(None), "x", "t3");
        assert_eq!((lost.role, lost.role_granted_at), (None, None));
    }

    #[test]
    fn an_override_wins_over_the_groups() {
        let mut user = signed_in(None, &facts(Some(Role::User)), "u1", "t1");
        user.role_override = Some(Role::Admin);
        user.role = Some(Role::Admin);
        user.role_granted_by = Some("key:admin".into());
        let again = signed_in(Some(&user), &facts(None), "x", "t2");
        assert_eq!(again.role, Some(Role::Admin));
        assert_eq!(again.role_granted_by.as_deref(), Some("key:admin"));
    }

    #[test]
    fn columns_round_trip() -> Result<(), crate::store::StoreError> {
        let user = signed_in(None, &facts(Some(Role::Operator)), "u1", "t1");
        let back = UserColumns {
            text: UserColumns::of(&user),
        }
        .into_user()?;
        assert_eq!(back, user);
        Ok(())
    }
}
