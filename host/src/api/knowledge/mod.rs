//! `/api/v1/knowledge`: collections of private documents, uploaded as files and searched by
//! their words. Admins and operators manage them; every role may list and search (each search
//! is audited). The whole feature comes with the licence's Knowledge feature.

mod collections;
mod documents;
mod search;

use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::error::{ApiError, ErrorCode};
use crate::auth::{Principal, Role};
use crate::knowledge::KnowledgeError;
use crate::knowledge::formats::FormatError;
use crate::license::{Feature, Licensing};

pub use documents::{UploadAnswer, UploadForm, Uploaded};

impl From<KnowledgeError> for ApiError {
    fn from(error: KnowledgeError) -> Self {
        let status = match &error {
            KnowledgeError::NoCollection(_) | KnowledgeError::NoDocument { .. } => {
                StatusCode::NOT_FOUND
            }
            KnowledgeError::CollectionExists(_)
            | KnowledgeError::NoVectors(_)
            | KnowledgeError::ModelConflict(_) => StatusCode::CONFLICT,
            KnowledgeError::VectorsNotReady(_)
            | KnowledgeError::Embedding { .. }
            | KnowledgeError::VectorStore { .. } => StatusCode::SERVICE_UNAVAILABLE,
            KnowledgeError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            KnowledgeError::BadFile {
                reason: FormatError::Unsupported(_),
                ..
            } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            KnowledgeError::BadFile { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            KnowledgeError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            KnowledgeError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            KnowledgeError::Index { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(%error, "knowledge operation failed");
        }
        ApiError::new(status, error.to_string())
    }
}

/// `Ok` when the licence includes Knowledge and the key is not limited to named skills and
/// routes: a limited key was given for those alone, and the knowledge API is neither.
fn allowed(licensing: &Licensing, principal: Option<&Principal>) -> Result<(), ApiError> {
    crate::license::gate::require(&licensing.status(), Feature::Knowledge)
        .map_err(|locked| super::license::refused(&locked))?;
    match principal {
        Some(principal) if !principal.scope.is_unlimited() => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Access denied: the key '{}' is limited to {}; the knowledge API is outside that. Ask an admin for a key that may.",
                principal.key_name,
                principal.scope.describe()
            ),
        )
        .with_code(ErrorCode::NotInScope)),
        _ => Ok(()),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, KnowledgeError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(ApiError::from)
}

fn unreadable_body(rejection: &JsonRejection, expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("{}. Send {expected}.", rejection.body_text()),
    )
}

/// Knowledge: operators manage, everyone searches.
pub fn routes() -> ApiRoutes {
    let (schemas, paths, upload) = routes!(documents::upload_documents);
    // Files are bounded one by one as they are read ([knowledge] max_document_mb), not by
    // the server's body limit for JSON requests.
    let upload = (schemas, paths, upload.layer(DefaultBodyLimit::disable()));
    ApiRoutes::new()
        .role(Role::User, routes!(collections::list_collections))
        .role(Role::Operator, routes!(collections::create_collection))
        .role(Role::User, routes!(collections::get_collection))
        .role(Role::Operator, routes!(collections::delete_collection))
        .role(Role::User, routes!(documents::list_documents))
        .role(Role::Operator, upload)
        .role(Role::Operator, routes!(documents::delete_document))
        .role(Role::User, routes!(search::search_collection))
}
