//! Personal API keys (`/api/v1/auth/me/keys`): a user signed in with single sign-on makes keys
//! for their own scripts. Each has the user's role, follows it when it changes, and is revoked
//! when the user is disabled or loses their role.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::admin_actor::AdminActor;
use super::error::{ApiError, ErrorBody};
use super::keys::{announce_created, announce_revoked, blocking};
use crate::admin_audit::AdminAuditStore;
use crate::auth::manage::{self, IssuedKey, KeyError, KeyInfo, NewKey};
use crate::auth::{Auth, Principal, Role};
use crate::sso::store::SsoStore;

/// A personal key to make.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonalKey {
    /// What to call it (1 to 100 characters), e.g. the script that uses it.
    pub name: String,
    /// Days until it stops working (1 to 3650); absent: it lasts as long as you keep your role.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// The signed-in user behind a session; personal keys are theirs alone.
fn session_user(principal: &Principal) -> Result<String, ApiError> {
    match (&principal.user, principal.via_session) {
        (Some(user), true) => Ok(user.to_string()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Personal keys belong to people signed in with single sign-on: sign in to the web UI with it, then make them there. An admin makes other keys under /api/v1/keys.",
        )),
    }
}

/// The signed-in user's own keys.
#[utoipa::path(get, path = "/api/v1/auth/me/keys", tag = "keys",
    responses(
        (status = 200, description = "Your personal keys", body = Vec<KeyInfo>),
        (status = 403, description = "Not signed in with single sign-on", body = ErrorBody),
    ))]
pub async fn list_my_keys(
    State(auth): State<Arc<Auth>>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<KeyInfo>>, ApiError> {
    let user = session_user(&principal)?;
    let all = blocking(move || manage::list(auth.keyring.store().as_ref(), &[])).await?;
    Ok(Json(
        all.into_iter()
            .filter(|key| key.owner.as_deref() == Some(user.as_str()))
            .collect(),
    ))
}

/// Make a personal key with your role. Its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/auth/me/keys", tag = "keys", request_body = NewPersonalKey,
    responses(
        (status = 201, description = "The new key, with its secret shown this once", body = IssuedKey),
        (status = 403, description = "Not signed in with single sign-on", body = ErrorBody),
        (status = 422, description = "The body is not a valid key request", body = ErrorBody),
    ))]
pub async fn create_my_key(
    State(auth): State<Arc<Auth>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    State(users): State<Arc<dyn SsoStore>>,
    Extension(principal): Extension<Principal>,
    AdminActor(actor): AdminActor,
    body: Result<Json<NewPersonalKey>, JsonRejection>,
) -> Result<(StatusCode, Json<IssuedKey>), ApiError> {
    let user = session_user(&principal)?;
    let Json(request) = body.map_err(|rejection| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}. Send {{\"name\": \"...\"}}, optionally with \"expires_in_days\".",
                rejection.body_text()
            ),
        )
    })?;
    let new = NewKey {
        name: request.name,
        role: principal.role,
        expires_in_days: request.expires_in_days,
        rate_limit_per_minute: None,
        skills: None,
        routes: None,
    };
    let store = auth.clone();
    let issued =
        blocking(move || manage::issue_for(store.keyring.store().as_ref(), &new, Some(&user)))
            .await?;
    // Disabled (or demoted to nothing) while the key was made: it goes with the rest.
    let owner = issued.info.owner.clone().unwrap_or_default();
    let active = tokio::task::spawn_blocking(move || users.user(&owner))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?
        .and_then(|user| user.active_role());
    if active.is_none() {
        let store = auth.clone();
        let owner = issued.info.owner.clone().unwrap_or_default();
        blocking(move || {
            let at = crate::timestamp::now_rfc3339();
            Ok(store.keyring.store().follow_owner(&owner, None, &at)?)
        })
        .await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Your account was disabled (or lost its role) while the key was made; it was revoked.",
        ));
    }
    Ok(announce_created(&auth, admin_audit, actor, issued).await)
}

/// Revoke one of your personal keys.
#[utoipa::path(delete, path = "/api/v1/auth/me/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The revoked key", body = KeyInfo),
        (status = 403, description = "Not signed in with single sign-on", body = ErrorBody),
        (status = 404, description = "You have no key with this id", body = ErrorBody),
    ))]
pub async fn revoke_my_key(
    State(auth): State<Arc<Auth>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    Extension(principal): Extension<Principal>,
    AdminActor(actor): AdminActor,
    Path(key_id): Path<String>,
) -> Result<Json<KeyInfo>, ApiError> {
    let user = session_user(&principal)?;
    let store = auth.clone();
    let revoked = blocking(move || {
        let keys = store.keyring.store();
        // Only the caller's own keys, by exact id: another's is "not found", not "forbidden".
        let theirs = keys
            .all()?
            .into_iter()
            .any(|key| key.id == key_id && key.owner.as_deref() == Some(user.as_str()));
        if !theirs {
            return Err(KeyError::NotFound(key_id));
        }
        manage::revoke(keys.as_ref(), &[], &key_id)
    })
    .await?;
    Ok(announce_revoked(&auth, admin_audit, actor, revoked).await)
}

/// Personal keys, for any signed-in user.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::User, routes!(list_my_keys, create_my_key))
        .role(Role::User, routes!(revoke_my_key))
}
