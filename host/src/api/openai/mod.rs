//! The OpenAI-compatible API under `/v1/`: any OpenAI SDK or tool pointed at Praximous's base
//! URL gets its routing, failover, persona, keys, limits and audit. A routing rule is a model.
//! Errors keep OpenAI's shape and status codes ([`errors`]).

pub mod chat;
pub mod chat_request;
pub mod embeddings;
pub mod errors;
pub mod models;

use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::scope::{self, Target};
use crate::auth::{Principal, Role};

/// The body as `T`, or a 400 in OpenAI's shape saying it is not `what`.
pub fn parse_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|error| {
        Box::new(errors::answer(
            StatusCode::BAD_REQUEST,
            format!("The body is not {what}: {error}"),
            None,
            Some("invalid_request"),
        ))
    })
}

/// The refusal, in OpenAI's shape, unless `model` is one this key may ask for: a routing rule,
/// or (for operator and admin keys) `provider/model`, which pins one provider; either within
/// the key's scope.
pub fn refuse_model(
    state: &AppState,
    principal: Option<&Principal>,
    model: &str,
) -> Option<Response> {
    let exists = state.llm.has_route(model) || state.llm.pinned(model).is_some();
    if exists && let Err(refused) = scope::check(principal, Target::Route(model)) {
        return Some(errors::answer(
            StatusCode::FORBIDDEN,
            refused.detail_text(),
            Some("model"),
            Some("not_in_scope"),
        ));
    }
    if state.llm.has_route(model) {
        return None;
    }
    if state.llm.pinned(model).is_some() {
        if principal.is_some_and(|p| p.role.grants(Role::Operator)) {
            return None;
        }
        return Some(errors::answer(
            StatusCode::FORBIDDEN,
            format!(
                "Pinning the provider with `{model}` needs a key with the operator role; ask for a routing rule (GET /v1/models)."
            ),
            Some("model"),
            Some("role_required"),
        ));
    }
    Some(errors::answer(
        StatusCode::NOT_FOUND,
        format!(
            "The model `{model}` does not exist or you do not have access to it: ask for one of GET /v1/models."
        ),
        Some("model"),
        Some("model_not_found"),
    ))
}

/// `/v1/chat/completions`, `/v1/embeddings` and `/v1/models`, for every key.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role_answering(Role::User, "OpenAiErrorBody", routes!(chat::completions))
        .role_answering(Role::User, "OpenAiErrorBody", routes!(models::list_models))
        .role_answering(
            Role::User,
            "OpenAiErrorBody",
            routes!(embeddings::embeddings),
        )
}
