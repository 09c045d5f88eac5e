//! What admins do with users (override a role, disable, enable), and what follows any change
//! of a user's role: their sessions end when they lose access, their personal keys take the
//! new role or are revoked, and the admin audit log records it.

use serde::Deserialize;
use serde_json::json;

use super::flow::blocking;
use super::store::User;
use super::{Sso, SsoError};
use crate::admin_audit::{Actor, Change};
use crate::auth::Role;

/// The role an admin sets for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleChoice {
    /// Admin, whatever the groups say.
    Admin,
    /// Operator, whatever the groups say.
    Operator,
    /// User, whatever the groups say.
    User,
    /// No override: the role the groups (or the default role) give.
    FromGroups,
}

/// An admin's change to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// Set (or clear, with `from_groups`) the role override.
    #[serde(default)]
    pub role: Option<RoleChoice>,
    /// Disable (their sessions end and personal keys are revoked at once) or enable.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `change` made by `by` at `now`, applied to `user` as stored: the effective role is
/// worked out from the stored `mapped_role`, so a sign-in just before cannot be undone.
fn apply(user: &mut User, change: &UserChange, by: &str, now: &str) {
    if let Some(choice) = change.role {
        user.role_override = match choice {
            RoleChoice::Admin => Some(Role::Admin),
            RoleChoice::Operator => Some(Role::Operator),
            RoleChoice::User => Some(Role::User),
            RoleChoice::FromGroups => None,
        };
        let role = user.role_override.or(user.mapped_role);
        if role != user.role || user.role_override.is_some() {
            user.role = role;
            user.role_granted_at = role.map(|_| now.to_owned());
            user.role_granted_by = role.map(|_| {
                if user.role_override.is_some() {
                    by.to_owned()
                } else {
                    "sso:groups".to_owned()
                }
            });
        }
    }
    match change.disabled {
        Some(true) if user.disabled_at.is_none() => {
            user.disabled_at = Some(now.to_owned());
            user.disabled_by = Some(by.to_owned());
        }
        Some(false) => {
            user.disabled_at = None;
            user.disabled_by = None;
        }
        _ => {}
    }
}

impl Sso {
    /// Every user.
    pub async fn users(&self) -> Result<Vec<User>, SsoError> {
        let store = self.store.clone();
        blocking(move || store.users()).await
    }

    /// Apply `change` to the user `id` as `actor`; the user as now recorded, or `None` if
    /// there is no such user.
    pub async fn change_user(
        &self,
        id: &str,
        change: &UserChange,
        actor: &Actor,
    ) -> Result<Option<User>, SsoError> {
        let now = super::now();
        let change = change.clone();
        let by = actor.id.clone();
        let store = self.store.clone();
        let id = id.to_owned();
        let changed = blocking(move || {
            store.modify_user(&id, &mut |user: &mut User| apply(user, &change, &by, &now))
        })
        .await?;
        let Some((before, after)) = changed else {
            return Ok(None);
        };
        if before.disabled_at.is_none() && after.disabled_at.is_some() {
            self.record(Change {
                actor: actor.clone(),
                action: "user.disabled",
                target: after.id.clone(),
                before: Some(json!({"disabled": false})),
                after: Some(json!({"disabled": true})),
            })
            .await;
        } else if before.disabled_at.is_some() && after.disabled_at.is_none() {
            self.record(Change {
                actor: actor.clone(),
                action: "user.enabled",
                target: after.id.clone(),
                before: Some(json!({"disabled": true})),
                after: Some(json!({"disabled": false})),
            })
            .await;
        }
        self.after_role_change(Some(&before), &after, actor).await?;
        Ok(Some(after))
    }

    /// What follows a change from `before` to `after` made by `actor`: a changed role is
    /// recorded, personal keys follow the active role (revoked when there is none), and a user
    /// who lost access loses their sessions.
    pub async fn after_role_change(
        &self,
        before: Option<&User>,
        after: &User,
        actor: &Actor,
    ) -> Result<(), SsoError> {
        let role_before = before.and_then(|b| b.role);
        if before.is_some() && role_before != after.role
            || before.is_some_and(|b| b.role_override != after.role_override)
        {
            self.record(Change {
                actor: actor.clone(),
                action: "user.role_changed",
                target: after.id.clone(),
                before: Some(json!({"role": role_before, "role_override": before.and_then(|b| b.role_override)})),
                after: Some(json!({"role": after.role, "role_override": after.role_override, "granted_by": after.role_granted_by})),
            })
            .await;
        }
        // Always, not only when the role changed: both are idempotent, and a step that failed
        // once (or a key made while the change ran) is put right by the next change.
        let active = after.active_role();
        {
            let keys = self.key_store.clone();
            let owner = after.id.clone();
            let now = super::now();
            let changed = blocking(move || keys.follow_owner(&owner, active, &now)).await?;
            if changed > 0 {
                tracing::info!(user = %after.id, keys = changed, "a user's personal keys followed their role");
            }
            if active.is_none() {
                let store = self.store.clone();
                let user = after.id.clone();
                let now = super::now();
                blocking(move || store.end_sessions_of(&user, &now)).await?;
            }
        }
        Ok(())
    }
}
