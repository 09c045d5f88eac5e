//! Making, listing and deleting collections (each change in the admin audit log).

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{allowed, blocking, unreadable_body};
use crate::admin_audit::{AdminAuditStore, Change};
use crate::api::admin_actor::AdminActor;
use crate::api::error::{ApiError, ErrorBody};
use crate::auth::Principal;
use crate::knowledge::Knowledge;
use crate::knowledge::store::CollectionStats;
use crate::license::Licensing;

/// Every collection, with how much it holds.
#[utoipa::path(get, path = "/api/v1/knowledge/collections", tag = "knowledge",
    responses(
        (status = 200, description = "Every collection, by name", body = Vec<CollectionStats>),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
    ))]
pub async fn list_collections(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    principal: Option<Extension<Principal>>,
) -> Result<Json<Vec<CollectionStats>>, ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
    blocking(move || knowledge.collections()).await.map(Json)
}

/// `POST /api/v1/knowledge/collections`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollection {
    /// 1-63 lower-case letters, digits, `_` and `-`.
    pub name: String,
    /// What it holds, for people.
    #[serde(default)]
    pub description: String,
    /// The route (or `provider/model`) whose providers embed its passages, when not the
    /// server's `[knowledge] embedding_route`.
    #[serde(default)]
    pub embedding_route: Option<String>,
}

/// Make a collection.
#[utoipa::path(post, path = "/api/v1/knowledge/collections", tag = "knowledge",
    request_body = NewCollection,
    responses(
        (status = 201, description = "Made", body = CollectionStats),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "The body or the name is not acceptable", body = ErrorBody),
    ))]
pub async fn create_collection(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    principal: Option<Extension<Principal>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    body: Result<Json<NewCollection>, JsonRejection>,
) -> Result<(StatusCode, Json<CollectionStats>), ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
    let Json(new) = body.map_err(|r| {
        unreadable_body(&r, "{\"name\": \"hr-policies\", \"description\": \"...\"}")
    })?;
    let made = blocking(move || {
        knowledge.create_collection(&new.name, &new.description, new.embedding_route.as_deref())
    })
    .await?;
    crate::admin_audit::record_async(
        admin_audit,
        Change {
            actor,
            action: "knowledge.collection_created",
            target: made.collection.name.clone(),
            before: None,
            after: Some(serde_json::json!({
                "description": made.collection.description,
                "embedding_route": made.collection.embedding_route,
            })),
        },
    )
    .await;
    Ok((StatusCode::CREATED, Json(made)))
}

/// One collection.
#[utoipa::path(get, path = "/api/v1/knowledge/collections/{name}", tag = "knowledge",
    params(("name" = String, Path, description = "The collection")),
    responses(
        (status = 200, description = "The collection and how much it holds", body = CollectionStats),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
    ))]
pub async fn get_collection(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    principal: Option<Extension<Principal>>,
    Path(name): Path<String>,
) -> Result<Json<CollectionStats>, ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
    blocking(move || knowledge.collection(&name))
        .await
        .map(Json)
}

/// Delete a collection with every document in it and its indexes.
#[utoipa::path(delete, path = "/api/v1/knowledge/collections/{name}", tag = "knowledge",
    params(("name" = String, Path, description = "The collection")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
    ))]
pub async fn delete_collection(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    principal: Option<Extension<Principal>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
    let target = name.clone();
    let gone = blocking(move || {
        let stats = knowledge.collection(&name)?;
        knowledge.delete_collection(&name)?;
        Ok(stats)
    })
    .await?;
    crate::admin_audit::record_async(
        admin_audit,
        Change {
            actor,
            action: "knowledge.collection_deleted",
            target,
            before: Some(serde_json::json!({"documents": gone.documents, "chunks": gone.chunks})),
            after: None,
        },
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
