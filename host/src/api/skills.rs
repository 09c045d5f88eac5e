//! `GET /api/v1/skills` and `GET /api/v1/skills/{name}/capabilities`: what each skill offers,
//! in the Python original's shape plus the manifest's version, permissions and limits.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Extension, Path, State};
use serde_json::{Value, json};
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::error::{ApiError, ErrorBody};
use super::scope::{self, Target};
use crate::auth::{Principal, Role};
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

/// `capabilities` of a skill a licence tier gates, with that tier (`licence_tier`) and whether
/// the licence in force unlocks it (`unlocked`): a gated skill is shown, never hidden.
fn with_licence(mut value: Value, name: &str, status: &crate::license::LicenseStatus) -> Value {
    if let (Some(feature), Some(object)) = (
        crate::license::Feature::for_skill(name),
        value.as_object_mut(),
    ) {
        object.insert("licence_tier".into(), json!(feature.tier()));
        object.insert("unlocked".into(), json!(status.allows(feature)));
    }
    value
}

/// Whether the key may use `skill` at all: whole, or some operation of it.
pub fn visible(principal: Option<&Principal>, skill: &LoadedSkill) -> bool {
    let name = skill.manifest.name.as_str();
    skill.manifest.operations.keys().any(|operation| {
        scope::allows(
            principal,
            Target::Operation {
                skill: name,
                operation,
            },
        )
    })
}

/// Every skill's capabilities, by skill name: the skills this key may use.
#[utoipa::path(get, path = "/api/v1/skills", tag = "skills",
    responses((status = 200, description = "Capabilities of every loaded skill the key may use, by name", body = Object)))]
pub async fn list_skills(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
) -> Json<BTreeMap<String, Value>> {
    let principal = principal.map(|Extension(p)| p);
    let licence = state.licensing.status();
    Json(
        state
            .catalogue
            .snapshot()
            .iter()
            .filter(|skill| visible(principal.as_ref(), skill))
            .map(|skill| {
                let name = skill.manifest.name.to_string();
                let value = with_licence(capabilities(skill), &name, &licence);
                (name, value)
            })
            .collect(),
    )
}

/// One skill's capabilities.
#[utoipa::path(get, path = "/api/v1/skills/{skill_name}/capabilities", tag = "skills",
    params(("skill_name" = String, Path, description = "The skill's name")),
    responses(
        (status = 200, description = "The skill's capabilities", body = Object),
        (status = 403, description = "The key may not use this skill", body = ErrorBody),
        (status = 404, description = "No such skill", body = ErrorBody),
    ))]
pub async fn skill_capabilities(
    State(state): State<AppState>,
    Path(skill_name): Path<String>,
    principal: Option<Extension<Principal>>,
) -> Result<Json<Value>, ApiError> {
    let principal = principal.map(|Extension(p)| p);
    let skill = state
        .catalogue
        .get(&skill_name)
        .ok_or_else(|| ApiError::not_found(format!("Skill '{skill_name}' not found.")))?;
    if !visible(principal.as_ref(), &skill) {
        scope::check(principal.as_ref(), Target::Skill(&skill_name))?;
    }
    Ok(Json(with_licence(
        capabilities(&skill),
        &skill_name,
        &state.licensing.status(),
    )))
}

/// What the loaded skills offer, for every key.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::User, routes!(list_skills))
        .role(Role::User, routes!(skill_capabilities))
}
