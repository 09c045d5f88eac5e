//! `GET /v1/models`: the routes a key may ask for, as OpenAI's model list.

use axum::Json;
use axum::extract::{Extension, State};
use serde::Serialize;

use super::super::AppState;
use super::super::scope::{self, Target};
use super::errors::OpenAiErrorBody;
use crate::auth::{Principal, Role};

/// One model: a routing rule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Model {
    /// The route's name, what `model` takes.
    pub id: String,
    /// `model`.
    pub object: &'static str,
    /// When it was made (routes have no date: 0).
    pub created: u64,
    /// `praximous`.
    pub owned_by: &'static str,
}

/// The list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    /// `list`.
    pub object: &'static str,
    /// The models.
    pub data: Vec<Model>,
}

/// The models this key may use: every routing rule, and for operator and admin keys each
/// provider pinned as `provider/model`; of those, what the key's scope allows.
#[utoipa::path(get, path = "/v1/models", tag = "openai",
    responses(
        (status = 200, description = "The routing rules, as models", body = ModelList),
        (status = 500, description = "Failure", body = OpenAiErrorBody),
    ))]
pub async fn list_models(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
) -> Json<ModelList> {
    let principal = principal.map(|Extension(p)| p);
    let may_pin = principal
        .as_ref()
        .is_some_and(|p| p.role.grants(Role::Operator));
    let pinned = if may_pin {
        state.llm.pinnable()
    } else {
        Vec::new()
    };
    let data = state
        .llm
        .routes()
        .into_keys()
        .chain(pinned)
        .filter(|id| scope::allows(principal.as_ref(), Target::Route(id)))
        .map(|id| Model {
            id,
            object: "model",
            created: 0,
            owned_by: "praximous",
        })
        .collect();
    Json(ModelList {
        object: "list",
        data,
    })
}
