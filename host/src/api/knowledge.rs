//! `/api/v1/knowledge`: collections of private documents, uploaded as files and searched by
//! their words. Admins and operators manage them; every role may list and search. The whole
//! feature comes with the licence's Knowledge feature.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::admin_actor::AdminActor;
use super::error::{ApiError, ErrorBody};
use crate::admin_audit::{AdminAuditStore, Change};
use crate::auth::Role;
use crate::knowledge::formats::FormatError;
use crate::knowledge::search::{SearchAnswer, SearchRequest};
use crate::knowledge::store::{CollectionStats, Document, PutOutcome};
use crate::knowledge::{FileFacts, Knowledge, KnowledgeError, Prepared};
use crate::license::{Feature, Licensing};

/// The most files one upload may carry.
const MAX_FILES: usize = 20;
/// The longest form field other than a file, in bytes.
const MAX_FIELD_BYTES: usize = 4096;

impl From<KnowledgeError> for ApiError {
    fn from(error: KnowledgeError) -> Self {
        let status = match &error {
            KnowledgeError::NoCollection(_) | KnowledgeError::NoDocument { .. } => {
                StatusCode::NOT_FOUND
            }
            KnowledgeError::CollectionExists(_) | KnowledgeError::NoVectors(_) => {
                StatusCode::CONFLICT
            }
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

fn licensed(licensing: &Licensing) -> Result<(), ApiError> {
    crate::license::gate::require(&licensing.status(), Feature::Knowledge)
        .map_err(|locked| super::license::refused(&locked))
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

/// Every collection, with how much it holds.
#[utoipa::path(get, path = "/api/v1/knowledge/collections", tag = "knowledge",
    responses(
        (status = 200, description = "Every collection, by name", body = Vec<CollectionStats>),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
    ))]
pub async fn list_collections(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
) -> Result<Json<Vec<CollectionStats>>, ApiError> {
    licensed(&licensing)?;
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
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    body: Result<Json<NewCollection>, JsonRejection>,
) -> Result<(StatusCode, Json<CollectionStats>), ApiError> {
    licensed(&licensing)?;
    let Json(new) = body.map_err(|r| {
        unreadable_body(&r, "{\"name\": \"hr-policies\", \"description\": \"...\"}")
    })?;
    let made = blocking(move || knowledge.create_collection(&new.name, &new.description)).await?;
    crate::admin_audit::record_async(
        admin_audit,
        Change {
            actor,
            action: "knowledge.collection_created",
            target: made.collection.name.clone(),
            before: None,
            after: Some(serde_json::json!({"description": made.collection.description})),
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
    Path(name): Path<String>,
) -> Result<Json<CollectionStats>, ApiError> {
    licensed(&licensing)?;
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
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    licensed(&licensing)?;
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

/// The documents of a collection.
#[utoipa::path(get, path = "/api/v1/knowledge/collections/{name}/documents", tag = "knowledge",
    params(("name" = String, Path, description = "The collection")),
    responses(
        (status = 200, description = "Its documents, by id", body = Vec<Document>),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
    ))]
pub async fn list_documents(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    Path(name): Path<String>,
) -> Result<Json<Vec<Document>>, ApiError> {
    licensed(&licensing)?;
    blocking(move || knowledge.documents(&name)).await.map(Json)
}

/// The form of an upload (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// One or more files: plain text (`.txt`), Markdown (`.md`), HTML (`.html`) or PDF with a
    /// text layer (`.pdf`), by their type or name, each within `[knowledge] max_document_mb`,
    /// at most 20.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<Vec<u8>>,
    /// The document's id, for a single file (default: the file's name).
    pub id: Option<String>,
    /// Its title, for a single file (default: its first heading, else its id).
    pub title: Option<String>,
    /// Tags for every file, separated by commas.
    pub tags: Option<String>,
    /// Every file's date, `YYYY-MM-DD` (default: today).
    pub date: Option<String>,
}

/// What an upload did to one file.
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    /// The document's id.
    pub id: String,
    /// Added, replaced, or unchanged (the same bytes were there).
    pub outcome: PutOutcome,
    /// How many passages it was cut into.
    pub chunks: u64,
}

/// The answer to an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadAnswer {
    /// Each file, in the order sent.
    pub documents: Vec<Uploaded>,
}

fn bad_form(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        format!(
            "the upload is not a readable multipart/form-data body: {detail}; send each document as a `file` part"
        ),
    )
}

struct ReceivedFile {
    facts: FileFacts,
    bytes: Vec<u8>,
}

async fn read_form(
    mut form: Multipart,
    limit: usize,
) -> Result<(Vec<ReceivedFile>, FileFacts), ApiError> {
    let mut files = Vec::new();
    let mut shared = FileFacts::default();
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if files.len() == MAX_FILES {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "an upload carries at most {MAX_FILES} files; send the rest in another"
                    ),
                ));
            }
            let file_name = field
                .file_name()
                .map(str::to_owned)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "a `file` part has no file name: send each document with its name (it becomes the document's id)",
                    )
                })?;
            let content_type = field.content_type().map(str::to_owned);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
                if bytes.len() + chunk.len() > limit {
                    return Err(KnowledgeError::TooLarge {
                        file: file_name,
                        bytes: bytes.len() + chunk.len(),
                        limit,
                    }
                    .into());
                }
                bytes.extend_from_slice(&chunk);
            }
            files.push(ReceivedFile {
                facts: FileFacts {
                    file_name,
                    content_type,
                    ..FileFacts::default()
                },
                bytes,
            });
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
                if value.len() + chunk.len() > MAX_FIELD_BYTES {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("the `{name}` field is longer than {MAX_FIELD_BYTES} bytes"),
                    ));
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value).map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("the `{name}` field is not UTF-8 text"),
                )
            })?;
            match name.as_str() {
                "id" => shared.id = Some(value),
                "title" => shared.title = Some(value),
                "date" => shared.date = Some(value),
                "tags" => {
                    shared.tags = value
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                other => {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!(
                            "the upload has a field `{other}`; the fields are file, id, title, tags and date"
                        ),
                    ));
                }
            }
        }
    }
    if files.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the upload has no `file` part: send each document as a `file` part of a multipart/form-data body",
        ));
    }
    if files.len() > 1 && (shared.id.is_some() || shared.title.is_some()) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`id` and `title` name one document: send them with a single file",
        ));
    }
    Ok((files, shared))
}

/// Upload documents: each file is read, cut into passages and checked before any is stored
/// (one bad file changes nothing), then each is stored whole, replacing an earlier version
/// with the same id, and is searchable when the answer comes.
#[utoipa::path(post, path = "/api/v1/knowledge/collections/{name}/documents", tag = "knowledge",
    params(("name" = String, Path, description = "The collection")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = UploadAnswer),
        (status = 400, description = "The body is not multipart/form-data", body = ErrorBody),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
        (status = 413, description = "A file is over `[knowledge] max_document_mb`", body = ErrorBody),
        (status = 415, description = "A file is not plain text, Markdown, HTML or PDF", body = ErrorBody),
        (status = 422, description = "A file cannot be read (not UTF-8, binary, empty; an encrypted, scanned or broken PDF) or a field is not acceptable; the message names the file", body = ErrorBody),
    ))]
pub async fn upload_documents(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path(name): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<UploadAnswer>), ApiError> {
    licensed(&licensing)?;
    let form = form.map_err(|r| bad_form(r.body_text()))?;
    let (files, shared) = read_form(form, knowledge.max_document_bytes()).await?;
    let collection = name.clone();
    let stored = blocking(move || {
        knowledge.collection(&collection)?;
        let prepared: Vec<Prepared> = files
            .into_iter()
            .map(|file| {
                let facts = FileFacts {
                    id: shared.id.clone(),
                    title: shared.title.clone(),
                    tags: shared.tags.clone(),
                    date: shared.date.clone(),
                    ..file.facts
                };
                knowledge.prepare(&facts, &file.bytes)
            })
            .collect::<Result<_, _>>()?;
        let mut ids = std::collections::HashSet::new();
        if let Some(twice) = prepared.iter().find(|p| !ids.insert(p.document.id.clone())) {
            return Err(KnowledgeError::Invalid(format!(
                "two files would both be document `{}`: give them different names",
                twice.document.id
            )));
        }
        prepared
            .into_iter()
            .map(|p| {
                let outcome = knowledge.add(&collection, &p)?;
                Ok((p.document, outcome))
            })
            .collect::<Result<Vec<_>, KnowledgeError>>()
    })
    .await?;
    for (document, outcome) in &stored {
        if *outcome != PutOutcome::Unchanged {
            crate::admin_audit::record_async(
                admin_audit.clone(),
                Change {
                    actor: actor.clone(),
                    action: "knowledge.document_stored",
                    target: format!("{name}/{}", document.id),
                    before: None,
                    after: Some(serde_json::json!({
                        "outcome": outcome, "sha256": document.sha256, "bytes": document.bytes,
                        "chunks": document.chunks, "tags": document.tags,
                    })),
                },
            )
            .await;
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(UploadAnswer {
            documents: stored
                .into_iter()
                .map(|(document, outcome)| Uploaded {
                    id: document.id,
                    outcome,
                    chunks: document.chunks,
                })
                .collect(),
        }),
    ))
}

/// Delete a document: its passages leave the search at once.
#[utoipa::path(delete, path = "/api/v1/knowledge/collections/{name}/documents/{id}", tag = "knowledge",
    params(("name" = String, Path, description = "The collection"), ("id" = String, Path, description = "The document")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The licence does not include Knowledge (code `not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such collection or document", body = ErrorBody),
    ))]
pub async fn delete_document(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    licensed(&licensing)?;
    let target = format!("{name}/{id}");
    blocking(move || knowledge.delete_document(&name, &id)).await?;
    crate::admin_audit::record_async(
        admin_audit,
        Change {
            actor,
            action: "knowledge.document_deleted",
            target,
            before: None,
            after: None,
        },
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

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
        (status = 422, description = "The body is not a valid search", body = ErrorBody),
    ))]
pub async fn search_collection(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    Path(name): Path<String>,
    body: Result<Json<SearchRequest>, JsonRejection>,
) -> Result<Json<SearchAnswer>, ApiError> {
    licensed(&licensing)?;
    let Json(request) = body.map_err(|r| {
        unreadable_body(&r, "{\"query\": \"how many days of leave\", \"top_k\": 5}")
    })?;
    blocking(move || knowledge.search(&name, &request))
        .await
        .map(Json)
}

/// Knowledge: operators manage, everyone searches.
pub fn routes() -> ApiRoutes {
    let (schemas, paths, upload) = routes!(upload_documents);
    // Files are bounded one by one as they are read ([knowledge] max_document_mb), not by
    // the server's body limit for JSON requests.
    let upload = (schemas, paths, upload.layer(DefaultBodyLimit::disable()));
    ApiRoutes::new()
        .role(Role::User, routes!(list_collections))
        .role(Role::Operator, routes!(create_collection))
        .role(Role::User, routes!(get_collection))
        .role(Role::Operator, routes!(delete_collection))
        .role(Role::User, routes!(list_documents))
        .role(Role::Operator, upload)
        .role(Role::Operator, routes!(delete_document))
        .role(Role::User, routes!(search_collection))
}
