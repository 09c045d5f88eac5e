//! The OpenAI-compatible API under `/v1/`: any OpenAI SDK or tool pointed at Praximous's base
//! URL gets its routing, failover, persona, keys, limits and audit. A routing rule is a model.
//! Errors keep OpenAI's shape and status codes ([`errors`]).

pub mod chat;
pub mod chat_request;
pub mod embeddings;
pub mod errors;
pub mod models;

use utoipa_axum::routes;

use super::access::ApiRoutes;
use crate::auth::Role;

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
