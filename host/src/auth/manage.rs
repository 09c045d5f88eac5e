//! Making, listing and revoking API keys: the one implementation behind `prax keys` and
//! `/api/v1/keys`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::key_store::{KeyStore, StoredKey};
use super::keyring::{env_key_ids, parse_time};
use super::role::Role;
use super::scope::{InvalidScope, KeyScope};
use super::secret::{self, RandomUnavailable};
use crate::store::StoreError;

/// Longest key name accepted.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest lifetime a key can be given, in days (ten years).
pub const MAX_EXPIRY_DAYS: u32 = 3650;

/// Why a key could not be made, found or revoked. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The name is empty, too long or has control characters.
    #[error("invalid key name: {0}")]
    InvalidName(String),
    /// The lifetime is out of range.
    #[error(
        "invalid expiry: {0} days; give between 1 and {MAX_EXPIRY_DAYS} days, or none for a key that does not expire"
    )]
    InvalidExpiry(u32),
    /// No key has this id or prefix.
    #[error("no API key has the id or prefix '{0}'; `prax keys list` shows them")]
    NotFound(String),
    /// More than one key has this prefix.
    #[error("more than one API key has the prefix '{0}'; give the key's id instead")]
    Ambiguous(String),
    /// The key comes from the environment, which this server cannot change.
    #[error(
        "the key '{0}' comes from PRAXIMOUS_API_KEYS; remove it from that variable and restart to revoke it"
    )]
    FromEnvironment(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No randomness for the key.
    #[error(transparent)]
    Random(#[from] RandomUnavailable),
    /// A skill or route entry names nothing.
    #[error("{0}")]
    InvalidScope(#[from] InvalidScope),
}

/// What a new key should be.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// What to call it (1 to 100 characters), e.g. who or what uses it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Days until it stops working (1 to 3650); absent: it does not expire.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
    /// Its request limit per minute (0: unlimited); absent: the server's default.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
    /// The only skills it may run (`name`, or `name/operation` for one MCP tool); absent:
    /// every skill its role may run.
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    /// The only LLM routes it may use (route names, `provider/model`, `provider/*`); absent:
    /// every route.
    #[serde(default)]
    pub routes: Option<Vec<String>>,
}

/// A key as listed: everything but the secret, which is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyInfo {
    /// Its id: use it to revoke the key and to filter analytics.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its first characters, to recognise it.
    pub prefix: String,
    /// `store` (made with `prax keys create` or the API) or `environment` (PRAXIMOUS_API_KEYS).
    pub source: &'static str,
    /// `active`, `revoked` or `expired`.
    pub state: &'static str,
    /// When it was made.
    #[schema(required = true)]
    pub created_at: Option<String>,
    /// When it stops working.
    #[schema(required = true)]
    pub expires_at: Option<String>,
    /// When it was revoked.
    #[schema(required = true)]
    pub revoked_at: Option<String>,
    /// Its own limit per minute (0: unlimited); absent: the server's default.
    #[schema(required = true)]
    pub rate_limit_per_minute: Option<u32>,
    /// The only skills it may run; null: every skill its role may run.
    #[schema(required = true)]
    pub skills: Option<Vec<String>>,
    /// The only LLM routes it may use; null: every route.
    #[schema(required = true)]
    pub routes: Option<Vec<String>>,
    /// The user whose personal key it is; null for a key an admin made.
    #[schema(required = true)]
    pub owner: Option<String>,
}

/// A key just made: the secret, shown this once, and its listing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedKey {
    /// The key itself. It is not stored and cannot be shown again.
    pub key: String,
    /// The key's listing.
    #[serde(flatten)]
    pub info: KeyInfo,
}

fn now() -> OffsetDateTime {
    // Whole seconds: listings are for people.
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

fn format(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

fn check_name(name: &str) -> Result<String, KeyError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(KeyError::InvalidName(
            "it is empty; say who or what will use the key".into(),
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(KeyError::InvalidName(format!(
            "it is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(KeyError::InvalidName(
            "it contains control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Make a key as `request` asks and store its digest.
pub fn issue(store: &dyn KeyStore, request: &NewKey) -> Result<IssuedKey, KeyError> {
    issue_for(store, request, None)
}

/// Make a key as [`issue`] does, as the personal key of the user `owner` when given.
pub fn issue_for(
    store: &dyn KeyStore,
    request: &NewKey,
    owner: Option<&str>,
) -> Result<IssuedKey, KeyError> {
    let name = check_name(&request.name)?;
    let created = now();
    let expires_at = match request.expires_in_days {
        None => None,
        Some(days @ 1..=MAX_EXPIRY_DAYS) => {
            Some(format(created + time::Duration::days(i64::from(days))))
        }
        Some(days) => return Err(KeyError::InvalidExpiry(days)),
    };
    let scope = KeyScope {
        skills: request.skills.clone(),
        routes: request.routes.clone(),
    }
    .checked()?;
    let secret = secret::generate()?;
    let stored = StoredKey {
        id: format!("key_{}", secret::random_id(8)?),
        name,
        role: request.role,
        prefix: secret::display_prefix(&secret),
        digest: secret::digest(&secret),
        created_at: format(created),
        expires_at,
        revoked_at: None,
        rate_limit_per_minute: request.rate_limit_per_minute,
        scope,
        owner: owner.map(str::to_owned),
    };
    store.insert(&stored)?;
    Ok(IssuedKey {
        key: secret,
        info: info(&stored, created),
    })
}

/// Seats in use: every active key an admin made (the environment's included), and every
/// person signed in with single sign-on who may still use Praximous (their personal keys are
/// theirs, not more seats).
pub fn seats_in_use(
    store: &dyn KeyStore,
    env_keys: &[String],
    users: &dyn crate::sso::store::SsoStore,
) -> Result<usize, KeyError> {
    let keys = list(store, env_keys)?
        .iter()
        .filter(|key| key.state == "active" && key.owner.is_none())
        .count();
    let people = users
        .users()?
        .iter()
        .filter(|user| user.active_role().is_some())
        .count();
    Ok(keys + people)
}

/// Every key: the environment's first, then the stored ones, oldest first.
pub fn list(store: &dyn KeyStore, env_keys: &[String]) -> Result<Vec<KeyInfo>, KeyError> {
    let at = now();
    let ids = env_key_ids(store, env_keys)?;
    let mut keys: Vec<KeyInfo> = env_keys
        .iter()
        .zip(ids)
        .enumerate()
        .map(|(index, (key, id))| KeyInfo {
            id,
            name: format!("environment key #{}", index + 1),
            role: Role::Admin,
            prefix: secret::display_prefix(key),
            source: "environment",
            state: "active",
            created_at: None,
            expires_at: None,
            revoked_at: None,
            rate_limit_per_minute: None,
            skills: None,
            routes: None,
            owner: None,
        })
        .collect();
    keys.extend(store.all()?.iter().map(|key| info(key, at)));
    Ok(keys)
}

/// Revoke the stored key whose id, or else whose unique prefix, is `id_or_prefix`.
pub fn revoke(
    store: &dyn KeyStore,
    env_keys: &[String],
    id_or_prefix: &str,
) -> Result<KeyInfo, KeyError> {
    if env_key_ids(store, env_keys)?
        .iter()
        .any(|id| id == id_or_prefix)
    {
        return Err(KeyError::FromEnvironment(id_or_prefix.to_owned()));
    }
    let all = store.all()?;
    let id = match all.iter().find(|key| key.id == id_or_prefix) {
        Some(key) => key.id.clone(),
        None => {
            let mut matches = all.iter().filter(|key| key.prefix == id_or_prefix);
            match (matches.next(), matches.next()) {
                (Some(key), None) => key.id.clone(),
                (Some(_), Some(_)) => return Err(KeyError::Ambiguous(id_or_prefix.to_owned())),
                (None, _) => return Err(KeyError::NotFound(id_or_prefix.to_owned())),
            }
        }
    };
    let revoked = store
        .revoke(&id, &format(now()))?
        .ok_or_else(|| KeyError::NotFound(id_or_prefix.to_owned()))?;
    Ok(info(&revoked, now()))
}

fn info(key: &StoredKey, at: OffsetDateTime) -> KeyInfo {
    let expired = key
        .expires_at
        .as_deref()
        .is_some_and(|t| parse_time(t).map_or(true, |t| t <= at));
    KeyInfo {
        id: key.id.clone(),
        name: key.name.clone(),
        role: key.role,
        prefix: key.prefix.clone(),
        source: "store",
        state: if key.revoked_at.is_some() {
            "revoked"
        } else if expired {
            "expired"
        } else {
            "active"
        },
        created_at: Some(key.created_at.clone()),
        expires_at: key.expires_at.clone(),
        revoked_at: key.revoked_at.clone(),
        rate_limit_per_minute: key.rate_limit_per_minute,
        skills: key.scope.skills.clone(),
        routes: key.scope.routes.clone(),
        owner: key.owner.clone(),
    }
}
