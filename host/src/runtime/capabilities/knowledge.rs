//! `knowledge`: searching the operator's private documents, for the collections a skill's
//! manifest names and the operator leaves it (`knowledge` in `[skills.<name>]` narrows them),
//! while the licence includes Knowledge.

use std::sync::Arc;

use praximous_registry::KnowledgeGrant;
use wasmtime::component::{HasSelf, Linker};

use crate::knowledge::search::{SearchFilters, SearchMode, SearchRequest};
use crate::knowledge::{Knowledge as KnowledgeBase, KnowledgeError as BaseError};
use crate::license::{Feature, Licensing};
use crate::runtime::bindings::knowledge::{self as wit, Filters, Host, KnowledgeError, Passage};
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
}

impl KnowledgeAccess {
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
        }
    }

    fn instantiate(grant: &KnowledgeAccess, _input: &InstanceInput<'_>) -> KnowledgeAccess {
        grant.clone()
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
        BaseError::Invalid(_) | BaseError::NoVectors(_) => {
            KnowledgeError::Invalid(error.to_string())
        }
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
}
