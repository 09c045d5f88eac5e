//! API key management for admins (`/api/v1/keys`), and `/api/v1/auth/me` for any key to
//! learn who it is (the web UI uses it to show what the key's role may use).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::admin_actor::AdminActor;
use super::error::{ApiError, ErrorBody};
use crate::admin_audit::{AdminAuditStore, Change};
use crate::auth::Auth;
use crate::auth::manage::{self, IssuedKey, KeyError, KeyInfo, NewKey};
use crate::auth::{Principal, Role};
use crate::sso::store::SsoStore;

/// The answer for a failed key operation.
pub(super) fn key_error(error: KeyError) -> ApiError {
    let status = match &error {
        KeyError::InvalidName(_) | KeyError::InvalidExpiry(_) | KeyError::InvalidScope(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        KeyError::NotFound(_) => StatusCode::NOT_FOUND,
        KeyError::Ambiguous(_) | KeyError::FromEnvironment(_) => StatusCode::CONFLICT,
        KeyError::Store(_) | KeyError::Random(_) => {
            tracing::error!(%error, "API key operation failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    ApiError::new(status, error.to_string())
}

/// Run a key operation on the blocking pool.
pub(super) async fn blocking<T: Send + 'static>(
    run: impl FnOnce() -> Result<T, KeyError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(run)
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("key task failed: {e}"),
            )
        })?
        .map_err(key_error)
}

/// Every key (environment and stored; revoked and expired included), without secrets.
#[utoipa::path(get, path = "/api/v1/keys", tag = "keys",
    responses((status = 200, description = "Every key", body = Vec<KeyInfo>)))]
pub async fn list_keys(State(auth): State<Arc<Auth>>) -> Result<Json<Vec<KeyInfo>>, ApiError> {
    let auth = auth.clone();
    blocking(move || manage::list(auth.keyring.store().as_ref(), auth.env_keys()))
        .await
        .map(Json)
}

/// Make a key. Its secret is in this answer only: it is not stored and cannot be shown again.
#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = NewKey,
    responses(
        (status = 201, description = "The new key, with its secret shown this once", body = IssuedKey),
        (status = 403, description = "Every seat of the licence is in use (code `not_licensed`)", body = ErrorBody),
        (status = 422, description = "The body is not a valid key request", body = ErrorBody),
    ))]
pub async fn create_key(
    State(auth): State<Arc<Auth>>,
    State(licensing): State<Arc<crate::license::Licensing>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    State(users): State<Arc<dyn SsoStore>>,
    AdminActor(actor): AdminActor,
    body: Result<Json<NewKey>, JsonRejection>,
) -> Result<(StatusCode, Json<IssuedKey>), ApiError> {
    let Json(request) = body.map_err(|rejection| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}. Send {{\"name\": \"...\", \"role\": \"admin|operator|user\"}}, optionally with \
                 \"expires_in_days\", \"rate_limit_per_minute\", \"skills\" and \"routes\".",
                rejection.body_text()
            ),
        )
    })?;
    // Each active key is a seat, and each person signed in with single sign-on.
    let store = auth.clone();
    let active = blocking(move || {
        manage::seats_in_use(
            store.keyring.store().as_ref(),
            store.env_keys(),
            users.as_ref(),
        )
    })
    .await?;
    crate::license::gate::require_seat(&licensing.status(), active)
        .map_err(|locked| super::license::refused(&locked))?;
    let store = auth.clone();
    let issued = blocking(move || manage::issue(store.keyring.store().as_ref(), &request)).await?;
    Ok(announce_created(&auth, admin_audit, actor, issued).await)
}

/// Load a key just made, log it and record it in the admin audit log; the 201 answer.
pub(super) async fn announce_created(
    auth: &Arc<Auth>,
    admin_audit: Arc<dyn AdminAuditStore>,
    actor: crate::admin_audit::Actor,
    issued: IssuedKey,
) -> (StatusCode, Json<IssuedKey>) {
    if let Err(error) = auth.reload().await {
        tracing::error!(%error, "new key stored but not yet loaded; it works after the next reload");
    }
    tracing::info!(key_id = %issued.info.id, role = %issued.info.role, owner = ?issued.info.owner, "API key created");
    crate::admin_audit::record_async(admin_audit, key_created(actor, &issued.info)).await;
    (StatusCode::CREATED, Json(issued))
}

/// Revoke a key by its id (or unique prefix). It stops working at once on this server and
/// within `[auth] key_refresh_ms` on the others. Revoking it again changes nothing.
#[utoipa::path(delete, path = "/api/v1/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id or unique prefix")),
    responses(
        (status = 200, description = "The revoked key", body = KeyInfo),
        (status = 404, description = "No such key", body = ErrorBody),
        (status = 409, description = "An environment key, or a prefix shared by several keys", body = ErrorBody),
    ))]
pub async fn revoke_key(
    State(auth): State<Arc<Auth>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path(key_id): Path<String>,
) -> Result<Json<KeyInfo>, ApiError> {
    let store = auth.clone();
    let revoked =
        blocking(move || manage::revoke(store.keyring.store().as_ref(), store.env_keys(), &key_id))
            .await?;
    Ok(announce_revoked(&auth, admin_audit, actor, revoked).await)
}

/// Unload a key just revoked, log it and record it in the admin audit log; the answer.
pub(super) async fn announce_revoked(
    auth: &Arc<Auth>,
    admin_audit: Arc<dyn AdminAuditStore>,
    actor: crate::admin_audit::Actor,
    revoked: KeyInfo,
) -> Json<KeyInfo> {
    if let Err(error) = auth.reload().await {
        tracing::error!(%error, "key revoked in the store but still loaded until the next reload");
    }
    tracing::info!(key_id = %revoked.id, "API key revoked");
    crate::admin_audit::record_async(admin_audit, key_revoked(actor, &revoked)).await;
    Json(revoked)
}

/// The admin audit entry of a new key: what it may do, never its secret.
pub fn key_created(actor: crate::admin_audit::Actor, key: &KeyInfo) -> Change {
    Change {
        actor,
        action: "key.created",
        target: key.id.clone(),
        before: None,
        after: Some(serde_json::json!({
            "name": key.name, "role": key.role, "expires_at": key.expires_at,
            "rate_limit_per_minute": key.rate_limit_per_minute,
            "skills": key.skills, "routes": key.routes,
        })),
    }
}

/// The admin audit entry of a revoked key.
pub fn key_revoked(actor: crate::admin_audit::Actor, key: &KeyInfo) -> Change {
    Change {
        actor,
        action: "key.revoked",
        target: key.id.clone(),
        before: Some(serde_json::json!({"name": key.name, "role": key.role})),
        after: Some(serde_json::json!({"state": key.state, "revoked_at": key.revoked_at})),
    }
}

/// Who the caller is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The key's id.
    pub key_id: String,
    /// The key's name.
    pub key_name: String,
    /// The key's role.
    pub role: Role,
    /// The only skills it may run; null: every skill its role may run.
    #[schema(required = true)]
    pub skills: Option<Vec<String>>,
    /// The only LLM routes it may use; null: every route.
    #[schema(required = true)]
    pub routes: Option<Vec<String>>,
    /// `key` for an API key, `session` for a browser signed in with single sign-on.
    pub signed_in_with: SignedInWith,
    /// The user behind a session or a personal key.
    #[schema(required = true)]
    pub user: Option<crate::sso::store::User>,
    /// A session's CSRF token: send it in `X-CSRF-Token` with every request that changes
    /// something. Null for API keys, which need none.
    #[schema(required = true)]
    pub csrf_token: Option<String>,
}

/// How the caller signed in.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignedInWith {
    /// An API key.
    Key,
    /// A single sign-on session (cookie).
    Session,
}

/// The caller: the key's (or the signed-in user's) id, name and role.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "keys",
    responses((status = 200, description = "The calling key or signed-in user", body = Me)))]
pub async fn me(
    State(users): State<Arc<dyn SsoStore>>,
    Extension(principal): Extension<Principal>,
    session: Option<Extension<super::access::SessionCookie>>,
) -> Result<Json<Me>, ApiError> {
    let user = match principal.user.clone() {
        Some(id) => tokio::task::spawn_blocking(move || users.user(&id))
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
            .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?,
        None => None,
    };
    Ok(Json(Me {
        key_id: principal.key_id.to_string(),
        key_name: principal.key_name.to_string(),
        role: principal.role,
        skills: principal.scope.skills.clone(),
        routes: principal.scope.routes.clone(),
        signed_in_with: if principal.via_session {
            SignedInWith::Session
        } else {
            SignedInWith::Key
        },
        user,
        csrf_token: session.map(|Extension(cookie)| crate::sso::sessions::csrf_token(&cookie.0)),
    }))
}

/// The calling key's identity for every key; managing keys for admins.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::User, routes!(me))
        .role(Role::Admin, routes!(list_keys, create_key))
        .role(Role::Admin, routes!(revoke_key))
}
