//! `knowledge`: searching the operator's private documents, for the collections a skill's
//! manifest names and the operator leaves it (`knowledge` in `[skills.<name>]` narrows them),
//! while the licence includes Knowledge; and adding documents, for a skill whose manifest
//! grants `knowledge: write`, on behalf of a caller who may manage knowledge.

use std::sync::Arc;

use praximous_registry::{KnowledgeAccess as Level, KnowledgeGrant};
use wasmtime::component::{HasSelf, Linker};

use crate::auth::Role;
use crate::knowledge::search::{SearchFilters, SearchMode, SearchRequest};
use crate::knowledge::{FileFacts, Knowledge as KnowledgeBase, KnowledgeError as BaseError};
use crate::license::{Feature, Licensing};
use crate::runtime::bindings::knowledge::{
    self as wit, Document, Filters, Host, KnowledgeError, Passage, Stored,
};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `knowledge` capability.
pub struct Knowledge;

/// What one skill may search.
#[derive(Clone)]
pub struct KnowledgeAccess {
    skill: Arc<str>,
    manifest: KnowledgeGrant,
    operator: Option<Vec<String>>,
    base: Option<Arc<KnowledgeBase>>,
    licensing: Option<Arc<Licensing>>,
    /// The role of the request's key (none: the server takes requests without keys).
    caller_role: Option<Role>,
}

impl KnowledgeAccess {
    /// Why this skill may not add documents to `collection` on this caller's behalf, if it may
    /// not.
    fn write_refusal(&self, collection: &str) -> Option<String> {
        if self.manifest.level() < Level::Write {
            return Some(format!(
                "skill '{}' may not add documents to knowledge collections: its manifest does not grant `knowledge: write`",
                self.skill
            ));
        }
        if let Some(role) = self.caller_role
            && role < Role::Operator
        {
            return Some(format!(
                "documents are added by operators and admins; this request's key has the {} role",
                role.as_str()
            ));
        }
        self.refusal(collection)
    }

    /// Why `collection` may not be searched by this skill, if it may not.
    fn refusal(&self, collection: &str) -> Option<String> {
        if !self.manifest.allows(collection) {
            return Some(format!(
                "skill '{}' may not search knowledge collection '{collection}': its manifest does not grant it (add it to `permissions: {{ knowledge: [...] }}`)",
                self.skill
            ));
        }
        if let Some(allowed) = &self.operator
            && !allowed.iter().any(|name| name == collection)
        {
            return Some(format!(
                "skill '{}' may not search knowledge collection '{collection}': the operator's [skills.{}] knowledge list does not include it",
                self.skill, self.skill
            ));
        }
        if let Some(licensing) = &self.licensing
            && let Err(locked) =
                crate::license::gate::require(&licensing.status(), Feature::Knowledge)
        {
            return Some(locked.to_string());
        }
        None
    }
}

impl Capability for Knowledge {
    type Grant = KnowledgeAccess;
    type State = KnowledgeAccess;

    fn grant(input: &GrantInput<'_>) -> KnowledgeAccess {
        KnowledgeAccess {
            skill: input.skill.clone(),
            manifest: input.permissions.knowledge.clone(),
            operator: input
                .operator
                .and_then(|settings| settings.knowledge.clone()),
            base: input.services.knowledge.clone(),
            licensing: input.services.licensing.clone(),
            caller_role: None,
        }
    }

    fn instantiate(grant: &KnowledgeAccess, input: &InstanceInput<'_>) -> KnowledgeAccess {
        KnowledgeAccess {
            caller_role: input.caller_role,
            ..grant.clone()
        }
    }
}

impl<T: Send + 'static> LinkCapability<T> for Knowledge {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut KnowledgeAccess,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<KnowledgeAccess>>(linker, state)
    }
}

fn error_of(error: BaseError) -> KnowledgeError {
    match error {
        BaseError::NoCollection(_) => KnowledgeError::NotFound(error.to_string()),
        BaseError::Invalid(_)
        | BaseError::NoVectors(_)
        | BaseError::BadFile { .. }
        | BaseError::TooLarge { .. }
        | BaseError::ModelConflict(_) => KnowledgeError::Invalid(error.to_string()),
        other => KnowledgeError::Unavailable(other.to_string()),
    }
}

impl Host for KnowledgeAccess {
    async fn search(
        &mut self,
        collection: String,
        query: String,
        top_k: u32,
        filters: Filters,
    ) -> wasmtime::Result<Result<Vec<Passage>, KnowledgeError>> {
        if let Some(refusal) = self.refusal(&collection) {
            tracing::info!(target: "skill", skill = &*self.skill, %collection, "knowledge search denied");
            return Ok(Err(KnowledgeError::Denied(refusal)));
        }
        let Some(base) = self.base.clone() else {
            return Ok(Err(KnowledgeError::Unavailable(
                "there is no knowledge base here (a skill under `prax skill test` has none)".into(),
            )));
        };
        let request = SearchRequest {
            query,
            top_k: top_k as usize,
            mode: SearchMode::Hybrid,
            filters: SearchFilters {
                documents: filters.documents,
                tags: filters.tags,
                date_from: filters.date_from,
                date_to: filters.date_to,
            },
        };
        let answer = base.search(&collection, &request).await;
        Ok(answer.map_err(error_of).map(|answer| {
            answer
                .passages
                .into_iter()
                .map(|p| Passage {
                    document: p.document,
                    title: p.title,
                    position: p.position,
                    heading_path: p.heading_path,
                    page: p.page,
                    text: p.text,
                    score: p.score,
                })
                .collect()
        }))
    }

    async fn add_document(
        &mut self,
        collection: String,
        document: Document,
    ) -> wasmtime::Result<Result<Stored, KnowledgeError>> {
        if let Some(refusal) = self.write_refusal(&collection) {
            tracing::info!(target: "skill", skill = &*self.skill, %collection, "adding a knowledge document denied");
            return Ok(Err(KnowledgeError::Denied(refusal)));
        }
        let Some(base) = self.base.clone() else {
            return Ok(Err(KnowledgeError::Unavailable(
                "there is no knowledge base here (a skill under `prax skill test` has none)".into(),
            )));
        };
        let facts = FileFacts {
            file_name: document.id.clone(),
            content_type: Some(document.media_type).filter(|m| !m.trim().is_empty()),
            id: Some(document.id),
            title: Some(document.title).filter(|t| !t.trim().is_empty()),
            tags: document.tags,
            date: None,
        };
        let content = document.content;
        let reader = base.clone();
        let prepared =
            match tokio::task::spawn_blocking(move || reader.prepare(&facts, &content)).await {
                Ok(Ok(prepared)) => prepared,
                Ok(Err(error)) => return Ok(Err(error_of(error))),
                Err(error) => {
                    return Ok(Err(KnowledgeError::Unavailable(format!(
                        "reading the document failed: {error}"
                    ))));
                }
            };
        let passages = u32::try_from(prepared.chunks.len()).unwrap_or(u32::MAX);
        let id = prepared.document.id.clone();
        Ok(match base.add(&collection, vec![prepared]).await {
            Ok(outcomes) => {
                let outcome = outcomes
                    .first()
                    .map(|o| serde_json::to_value(o).ok())
                    .and_then(|v| v.and_then(|v| v.as_str().map(str::to_owned)))
                    .unwrap_or_default();
                tracing::info!(target: "skill", skill = &*self.skill, %collection, document = %id, %outcome, "knowledge document stored");
                Ok(Stored { outcome, passages })
            }
            Err(error) => Err(error_of(error)),
        })
    }
}
