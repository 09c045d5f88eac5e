//! Uploading (multipart, every file checked before any is stored), listing and deleting the
//! documents of a collection (each change in the admin audit log).

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::{allowed, blocking};
use crate::admin_audit::{AdminAuditStore, Change};
use crate::api::admin_actor::AdminActor;
use crate::api::error::{ApiError, ErrorBody};
use crate::auth::Principal;
use crate::knowledge::store::{Document, PutOutcome};
use crate::knowledge::{FileFacts, Knowledge, KnowledgeError, Prepared};
use crate::license::Licensing;

/// The most files one upload may carry.
const MAX_FILES: usize = 20;
/// The longest form field other than a file, in bytes.
const MAX_FIELD_BYTES: usize = 4096;

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
    principal: Option<Extension<Principal>>,
    Path(name): Path<String>,
) -> Result<Json<Vec<Document>>, ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
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
        (status = 503, description = "The passages could not be embedded (the collection is searched by meaning): nothing was stored", body = ErrorBody),
    ))]
pub async fn upload_documents(
    State(knowledge): State<Arc<Knowledge>>,
    State(licensing): State<Arc<Licensing>>,
    principal: Option<Extension<Principal>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path(name): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<UploadAnswer>), ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
    let form = form.map_err(|r| bad_form(r.body_text()))?;
    let (files, shared) = read_form(form, knowledge.max_document_bytes()).await?;
    let collection = name.clone();
    let preparer = knowledge.clone();
    let prepared = blocking(move || {
        let knowledge = preparer;
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
        Ok(prepared)
    })
    .await?;
    let documents: Vec<_> = prepared.iter().map(|p| p.document.clone()).collect();
    let outcomes = knowledge
        .add(&name, prepared)
        .await
        .map_err(ApiError::from)?;
    let stored: Vec<_> = documents.into_iter().zip(outcomes).collect();
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
    principal: Option<Extension<Principal>>,
    State(admin_audit): State<Arc<dyn AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    allowed(&licensing, principal.as_ref().map(|Extension(p)| p))?;
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
