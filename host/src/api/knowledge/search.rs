//! Searching a collection; every search leaves an audit record (kind `knowledge`) saying who
//! asked what and which passages were returned (not their text).

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::{Extension, Json};
use serde_json::json;

use super::{allowed, unreadable_body};
use crate::api::AppState;
use crate::api::audit::Served;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::process::{Ended, write_audit};
use crate::api::request_id::RequestId;
use crate::api::task_stream::Caller;
use crate::auth::Principal;
use crate::knowledge::search::{SearchAnswer, SearchRequest};
use crate::store::TaskKind;

/// Search a collection: the passages that best match the words, with their place in the
/// document. Filters apply inside the index, before the top passages are cut.
#[utoipa::path(post, path = "/api/v1/knowledge/collections/{name}/search", tag = "knowledge",
    params(("name" = String, Path, description = "The collection")),
    request_body = SearchRequest,
    responses(
        (status = 200, description = "The passages, best first", body = SearchAnswer),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
        (status = 409, description = "`vector` mode asked of a collection without vectors", body = ErrorBody),
        (status = 503, description = "`vector` mode while the meaning index is being built, or the question could not be embedded", body = ErrorBody),
        (status = 422, description = "The body is not a valid search", body = ErrorBody),
    ))]
pub async fn search_collection(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    Path(name): Path<String>,
    body: Result<Json<SearchRequest>, JsonRejection>,
) -> Result<Json<SearchAnswer>, ApiError> {
    let principal = principal.map(|Extension(p)| p);
    allowed(&state.licensing, principal.as_ref())?;
    let Json(request) = body.map_err(|r| {
        unreadable_body(&r, "{\"query\": \"how many days of leave\", \"top_k\": 5}")
    })?;
    let started = Instant::now();
    let arrived = time::OffsetDateTime::now_utc();
    let query = request.query.clone();
    let answer = state
        .knowledge
        .search(&name, &request)
        .await
        .map_err(ApiError::from);
    // The record says which passages were handed out, to whom; not their text.
    let summary = match &answer {
        Ok(found) => json!({
            "mode": found.mode,
            "passages": found.passages.iter().map(|p| json!({
                "document": p.document, "position": p.position, "score": p.score,
            })).collect::<Vec<_>>(),
        }),
        Err(_) => serde_json::Value::Null,
    };
    let caller = Caller { client, principal };
    let ended = Ended {
        request_id: &request_id,
        arrived,
        // A collection name fits the task type's characters, and the roll-ups then count
        // searches per collection.
        task_type: format!("knowledge:{name}"),
        served: Served {
            kind: TaskKind::Knowledge,
            ..Served::default()
        },
        prompt: &query,
        latency: started.elapsed(),
        caller: &caller,
        stream: None,
    };
    write_audit(&state, ended, answer.as_ref().map(|_| &summary)).await?;
    answer.map(Json)
}
