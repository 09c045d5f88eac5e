//! The admin audit log: every administrative change (keys, skills, the licence, the identity)
//! with who made it, when, from where, and the values before and after — never a secret. Each
//! entry carries the hash of the one before it ([`chain`]), so an entry edited or deleted in
//! the database breaks the chain where it was, and `prax audit verify` names it.
//!
//! It is separate from the request audit log (`store::AuditLog`): that one is large, pruned
//! by retention and written in batches; this one is small, kept, and written one entry at a
//! time under a lock so the chain stays a line even with several replicas.

pub mod chain;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Principal;
use crate::store::StoreError;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `key:<id>` for an API key, `user:<id>` for a signed-in user, `sso` for a role the
    /// provider's groups gave, `cli:<login>` for the command line.
    pub id: String,
    /// The key's name, or the login.
    pub name: String,
    /// Where from: the client's address, or `cli`.
    pub source: String,
}

impl Actor {
    /// The key (or the signed-in user) behind an API call from `source`.
    pub fn key(principal: &Principal, source: impl Into<String>) -> Self {
        let id = match &principal.user {
            Some(user) if principal.via_session => format!("user:{user}"),
            _ => format!("key:{}", principal.key_id),
        };
        Self {
            id,
            name: principal.key_name.to_string(),
            source: source.into(),
        }
    }

    /// A user signed in with single sign-on, acting from `source`.
    pub fn user(user: &crate::sso::store::User, source: impl Into<String>) -> Self {
        Self {
            id: format!("user:{}", user.id),
            name: user.display(),
            source: source.into(),
        }
    }

    /// Single sign-on itself, applying the provider's groups at a sign-in from `source`.
    pub fn sso(source: impl Into<String>) -> Self {
        Self {
            id: "sso".into(),
            name: "single sign-on".into(),
            source: source.into(),
        }
    }

    /// Whoever runs `prax` on this machine.
    pub fn command_line() -> Self {
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Self {
            id: format!("cli:{login}"),
            name: login,
            source: "cli".into(),
        }
    }
}

/// A change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Who.
    pub actor: Actor,
    /// What, as `thing.verb`: `key.created`, `skill.removed`, `licence.installed`, ...
    pub action: &'static str,
    /// What it was done to: a key id, a skill's name.
    pub target: String,
    /// The values before (no secrets).
    pub before: Option<Value>,
    /// The values after (no secrets).
    pub after: Option<Value>,
}

/// A recorded entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AdminAuditEntry)]
pub struct Entry {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: `key:<id>` or `cli:<login>`.
    pub actor: String,
    /// The key's name, or the login.
    pub actor_name: String,
    /// Where from: the client's address, or `cli`.
    pub source: String,
    /// What: `key.created`, `skill.installed`, ...
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// The values before, as JSON text.
    #[schema(required = true)]
    pub before: Option<String>,
    /// The values after, as JSON text.
    #[schema(required = true)]
    pub after: Option<String>,
    /// The previous entry's hash (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of this entry's fields and `prev_hash`, hex.
    pub hash: String,
}

impl Entry {
    /// `change` as entry `seq` at `at`, chained to `prev_hash`.
    pub fn chained(change: &Change, seq: i64, at: &str, prev_hash: &str) -> Self {
        let text = |value: &Option<Value>| value.as_ref().map(Value::to_string);
        let mut entry = Self {
            seq,
            at: at.to_owned(),
            actor: change.actor.id.clone(),
            actor_name: change.actor.name.clone(),
            source: change.actor.source.clone(),
            action: change.action.to_owned(),
            target: change.target.clone(),
            before: text(&change.before),
            after: text(&change.after),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        entry.hash = chain::expected(&entry);
        entry
    }
}

/// The columns, in the order stores read and write them.
pub const COLUMNS: &str = "seq, at, actor, actor_name, source, action, target, before_values, after_values, prev_hash, hash";

/// Which entries to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct Filter {
    /// Only this action, or those starting with it when it ends in `.` (`key.`).
    pub action: Option<String>,
    /// Only this actor (`key:<id>`, `cli:<login>`).
    pub actor: Option<String>,
    /// From this time on (RFC 3339).
    pub since: Option<String>,
    /// Before this time (RFC 3339).
    pub until: Option<String>,
}

impl Filter {
    /// The `WHERE` clause (or nothing) and its parameters, each written by `placeholder(n)`
    /// (`?1` for SQLite, `$1` for PostgreSQL).
    pub fn to_sql(&self, placeholder: impl Fn(usize) -> String) -> (String, Vec<String>) {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut add = |condition: &dyn Fn(&str) -> String, value: &str| {
            params.push(value.to_owned());
            conditions.push(condition(&placeholder(params.len())));
        };
        if let Some(action) = self.action.as_deref().filter(|a| !a.is_empty()) {
            if action.ends_with('.') {
                let length = action.chars().count();
                add(&|p| format!("substr(action, 1, {length}) = {p}"), action);
            } else {
                add(&|p| format!("action = {p}"), action);
            }
        }
        if let Some(actor) = self.actor.as_deref().filter(|a| !a.is_empty()) {
            add(&|p| format!("actor = {p}"), actor);
        }
        if let Some(since) = self.since.as_deref().filter(|a| !a.is_empty()) {
            add(&|p| format!("at >= {p}"), since);
        }
        if let Some(until) = self.until.as_deref().filter(|a| !a.is_empty()) {
            add(&|p| format!("at < {p}"), until);
        }
        if conditions.is_empty() {
            (String::new(), params)
        } else {
            (format!(" WHERE {}", conditions.join(" AND ")), params)
        }
    }
}

/// The store's admin audit log.
pub trait AdminAuditStore: Send + Sync + 'static {
    /// Append `change` at `at`, chained to the last entry (under a lock every replica
    /// respects); the entry as stored.
    fn append(&self, change: &Change, at: &str) -> Result<Entry, StoreError>;
    /// Entries matching `filter`, newest first, and how many match in all.
    fn page(
        &self,
        filter: &Filter,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<Entry>, u64), StoreError>;
    /// Every entry, oldest first (the log is small: one entry per administrative change).
    fn all(&self) -> Result<Vec<Entry>, StoreError>;
}

/// Record `change` now. A failure is logged, not returned: the change itself is done, and
/// the log line keeps what the table could not.
pub fn record(log: &dyn AdminAuditStore, change: Change) {
    let at = crate::timestamp::now_rfc3339();
    match log.append(&change, &at) {
        Ok(entry) => tracing::info!(
            seq = entry.seq,
            hash = %entry.hash,
            action = %entry.action,
            target = %entry.target,
            actor = %entry.actor,
            "admin audit"
        ),
        Err(error) => tracing::error!(
            %error,
            action = change.action,
            target = %change.target,
            actor = %change.actor.id,
            "cannot write the admin audit log"
        ),
    }
}

/// [`record`] from async code (the store blocks).
pub async fn record_async(log: std::sync::Arc<dyn AdminAuditStore>, change: Change) {
    if let Err(error) = tokio::task::spawn_blocking(move || record(log.as_ref(), change)).await {
        tracing::error!(%error, "admin audit task failed");
    }
}
