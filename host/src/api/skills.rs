//! `GET /api/v1/skills` and `GET /api/v1/skills/{name}/capabilities`: what each skill offers,
//! in the Python original's shape plus the manifest's version, permissions and limits.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::error::{ApiError, ErrorBody};
use crate::auth::Role;
use crate::skills::{LoadedSkill, SkillSource};

/// A skill's self-description.
pub fn capabilities(skill: &LoadedSkill) -> Value {
    let m = &skill.manifest;
    let operations: serde_json::Map<String, Value> = m
        .operations
        .iter()
        .map(|(name, op)| {
            let value = json!({
                "description": op.description,
                // The original's flat `name -> schema` map, so its clients keep working...
                "parameters_schema": op.params.get("properties").cloned().unwrap_or_else(|| json!({})),
                // ...and the whole JSON Schema, required fields included.
                "params": op.params,
                "example_request_payload": op.example,
            });
            (name.clone(), value)
        })
        .collect();
    json!({
        "skill_name": m.name,
        "description": m.description,
        "operations": operations,
        "version": m.version.to_string(),
        "author": m.author,
        "license": m.license,
        "wit": m.wit,
        "permissions": m.permissions,
        "limits": m.limits,
        "tier": m.tier,
        "source": match skill.source {
            SkillSource::Builtin => "builtin",
            SkillSource::Installed(_) => "installed",
        },
        "signature": skill.signature,
    })
}

/// Every skill's capabilities, by skill name.
#[utoipa::path(get, path = "/api/v1/skills", tag = "skills",
    responses((status = 200, description = "Capabilities of every loaded skill, by name", body = Object)))]
pub async fn list_skills(State(state): State<AppState>) -> Json<BTreeMap<String, Value>> {
    Json(
        state
            .catalogue
            .snapshot()
            .iter()
            .map(|skill| (skill.manifest.name.to_string(), capabilities(skill)))
            .collect(),
    )
}

/// One skill's capabilities.
#[utoipa::path(get, path = "/api/v1/skills/{skill_name}/capabilities", tag = "skills",
    params(("skill_name" = String, Path, description = "The skill's name")),
    responses(
        (status = 200, description = "The skill's capabilities", body = Object),
        (status = 404, description = "No such skill", body = ErrorBody),
    ))]
pub async fn skill_capabilities(
    State(state): State<AppState>,
    Path(skill_name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .catalogue
        .get(&skill_name)
        .map(|skill| Json(capabilities(&skill)))
        .ok_or_else(|| ApiError::not_found(format!("Skill '{skill_name}' not found.")))
}

/// What the loaded skills offer, for every key.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::User, routes!(list_skills))
        .role(Role::User, routes!(skill_capabilities))
}
