//! The people who signed in with single sign-on, for admins (`/api/v1/users`): who they are,
//! their groups and role (and who granted it), and the two things an admin changes — a role
//! override, and disabling (their sessions end and personal keys are revoked at once).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::admin_actor::AdminActor;
use super::error::{ApiError, ErrorBody};
use crate::auth::{Auth, Role};
use crate::sso::store::{SsoStore, User};
use crate::sso::users::UserChange;
use crate::sso::{Sso, SsoError};

fn sso_error(error: SsoError) -> ApiError {
    tracing::error!(%error, "user operation failed");
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
}

/// Everyone who signed in with single sign-on, most recently seen first.
#[utoipa::path(get, path = "/api/v1/users", tag = "keys",
    responses((status = 200, description = "Every user", body = Vec<User>)))]
pub async fn list_users(
    State(users): State<Arc<dyn SsoStore>>,
) -> Result<Json<Vec<User>>, ApiError> {
    tokio::task::spawn_blocking(move || users.users())
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map(Json)
        .map_err(|e| sso_error(e.into()))
}

/// Override a user's role (or go back to their groups'), disable or enable them. A disabled
/// user's sessions end and their personal keys are revoked at once.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "keys", request_body = UserChange,
    params(("user_id" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user as now recorded", body = User),
        (status = 404, description = "No such user, or single sign-on is not configured", body = ErrorBody),
        (status = 422, description = "The body is not a valid change", body = ErrorBody),
    ))]
pub async fn change_user(
    State(sso): State<Option<Arc<Sso>>>,
    State(auth): State<Arc<Auth>>,
    AdminActor(actor): AdminActor,
    Path(user_id): Path<String>,
    body: Result<Json<UserChange>, JsonRejection>,
) -> Result<Json<User>, ApiError> {
    let Json(change) = body.map_err(|rejection| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}. Send {{\"role\": \"admin|operator|user|from_groups\"}} and/or {{\"disabled\": true|false}}.",
                rejection.body_text()
            ),
        )
    })?;
    let sso = sso.ok_or_else(|| {
        ApiError::not_found(
            "single sign-on is not configured on this server: there are no users to change",
        )
    })?;
    let changed = sso
        .change_user(&user_id, &change, &actor)
        .await
        .map_err(sso_error)?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no user has the id '{user_id}'; GET /api/v1/users lists them"
            ))
        })?;
    // Personal keys that followed the change stop (or change role) on this server now.
    if let Err(error) = auth.reload().await {
        tracing::warn!(%error, "cannot reload the API keys after a user change");
    }
    Ok(Json(changed))
}

/// Users, for admins.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::Admin, routes!(list_users))
        .role(Role::Admin, routes!(change_user))
}
