//! Skills from the registry, for admins (the web UI): browse the configured registry, see
//! what an install or update would change, install, update and remove. Changes are loaded
//! before the answer, so the next request sees them.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::admin_actor::AdminActor;
use super::error::{ApiError, ErrorBody};
use crate::admin_audit::{Actor, Change};
use crate::auth::Role;
use crate::runtime::supported_wit;
use crate::skills::acquire::{AcquireError, Spec, fetch_and_install};
use crate::skills::install::{self, InstallError, InstallOptions, InstallReport, InstallTarget};
use crate::skills::lockfile::LockFile;
use praximous_registry::Sha256Digest;

fn acquire_error(error: AcquireError) -> ApiError {
    let status = match &error {
        AcquireError::Spec(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AcquireError::NoRegistry(_) => StatusCode::CONFLICT,
        AcquireError::Fetch(_) => StatusCode::BAD_GATEWAY,
        AcquireError::Resolve(_) => StatusCode::NOT_FOUND,
        AcquireError::Install(
            InstallError::Downgrade { .. }
            | InstallError::PermissionsWiden { .. }
            | InstallError::NotAsShown { .. }
            | InstallError::PublisherChanged { .. }
            | InstallError::ReplacesBuiltin { .. },
        ) => StatusCode::CONFLICT,
        AcquireError::Install(InstallError::NotLicensed(locked)) => {
            return super::license::refused(locked);
        }
        AcquireError::Install(InstallError::Io { .. }) => StatusCode::INTERNAL_SERVER_ERROR,
        AcquireError::Install(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AcquireError::Interrupted(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, error.to_string())
}

/// One skill in the registry, and what is installed here.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrySkill {
    /// Its name.
    pub name: String,
    /// The newest version's description.
    pub description: String,
    /// Versions that are not yanked, newest last.
    pub versions: Vec<String>,
    /// The newest of them.
    #[schema(required = true)]
    pub latest: Option<String>,
    /// The version installed here, if any.
    #[schema(required = true)]
    pub installed: Option<String>,
}

/// Every skill the configured registry offers.
#[utoipa::path(get, path = "/api/v1/registry/skills", tag = "skills",
    responses(
        (status = 200, description = "The registry's skills", body = Vec<RegistrySkill>),
        (status = 409, description = "No registry is configured", body = ErrorBody),
        (status = 502, description = "The registry could not be read", body = ErrorBody),
    ))]
pub async fn browse(State(state): State<AppState>) -> Result<Json<Vec<RegistrySkill>>, ApiError> {
    let registry = state.registry.url.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "No registry is configured: set [registry] url.",
        )
    })?;
    let client = praximous_registry::client::Client::new(
        praximous_registry::client::Source::parse(&registry),
    )
    .map_err(|e| acquire_error(e.into()))?;
    let index = client.index().await.map_err(|e| acquire_error(e.into()))?;
    let catalogue = state.catalogue.snapshot();
    Ok(Json(
        index
            .skills
            .into_iter()
            .map(|(name, skill)| {
                let versions: Vec<String> = skill
                    .versions
                    .iter()
                    .filter(|v| !v.yanked)
                    .map(|v| v.version.to_string())
                    .collect();
                RegistrySkill {
                    installed: catalogue.get(&name).map(|s| s.manifest.version.to_string()),
                    latest: versions.last().cloned(),
                    description: skill.description,
                    versions,
                    name,
                }
            })
            .collect(),
    ))
}

/// What to install.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallRequest {
    /// `NAME` or `NAME@SEMVER_REQ`, from the configured registry.
    pub skill: String,
    /// Accept permissions wider than the installed version's.
    #[serde(default)]
    pub accept_permissions: bool,
    /// Allow an older version than the installed one.
    #[serde(default)]
    pub allow_downgrade: bool,
    /// Check everything and report what would change, without installing.
    #[serde(default)]
    pub dry_run: bool,
    /// Install even if another publisher signed it than the installed version.
    #[serde(default)]
    pub accept_publisher_change: bool,
    /// Install even if it replaces the built-in skill of the same name.
    #[serde(default)]
    pub replace_builtin: bool,
    /// Install only the component with this SHA-256 (the `sha256` a dry run reported), so
    /// consent never covers anything but what was shown.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// The digest a consent names, checked.
fn expected_digest(text: Option<&str>) -> Result<Option<Sha256Digest>, ApiError> {
    text.map(|t| {
        t.parse().map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("`sha256` must be the 64 hex digits a dry run reported ({e})."),
            )
        })
    })
    .transpose()
}

async fn run_install(
    state: &AppState,
    actor: Actor,
    spec: Spec,
    options: InstallOptions,
    registry: Option<String>,
) -> Result<InstallReport, ApiError> {
    if matches!(spec, Spec::Bundle(_)) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Bundles install with `prax skill install BUNDLE.tar` on the server; over HTTP give NAME or NAME@VERSION.",
        ));
    }
    let wit = supported_wit();
    let development_locked = crate::license::gate::require(
        &state.licensing.status(),
        crate::license::Feature::DevelopmentSources,
    )
    .err();
    let target = InstallTarget {
        skills_dir: state.catalogue.dir(),
        trusted: state.catalogue.trusted(),
        development_sources: &state.registry.development_sources,
        development_locked: development_locked.as_ref(),
        supported_wit: &wit,
        max_component_bytes: state.registry.max_component_bytes(),
    };
    let registry = registry.or_else(|| state.registry.url.clone());
    let report = fetch_and_install(&spec, registry.as_deref(), &target, options)
        .await
        .map_err(acquire_error)?;
    reload(state).await;
    tracing::info!(skill = %report.name, version = %report.version, changed = report.changed, "skill installed over the API");
    if report.changed {
        crate::admin_audit::record_async(
            state.admin_audit.clone(),
            skill_installed(actor, &report),
        )
        .await;
    }
    Ok(report)
}

/// The admin audit entry of an install or update that changed something.
pub fn skill_installed(actor: Actor, report: &InstallReport) -> Change {
    Change {
        actor,
        action: if report.previous.is_some() {
            "skill.updated"
        } else {
            "skill.installed"
        },
        target: report.name.clone(),
        before: report.previous.as_ref().map(|version| {
            serde_json::json!({"version": version, "publisher": report.previous_publisher})
        }),
        after: Some(serde_json::json!({
            "version": report.version, "sha256": report.sha256, "publisher": report.publisher,
            "replaces_builtin": report.replaces_builtin, "widened": report.widened,
        })),
    }
}

async fn reload(state: &AppState) {
    let live = state.catalogue.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || live.reload_if_changed()).await {
        tracing::error!(error = %e, "skill reload failed");
    }
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|r| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, r.body_text()))
}

/// Install a skill from the configured registry (or report what it would change, with
/// `dry_run`). A wider set of permissions than the installed version's needs
/// `accept_permissions`; an older version needs `allow_downgrade`.
#[utoipa::path(post, path = "/api/v1/skills/install", tag = "skills", request_body = InstallRequest,
    responses(
        (status = 200, description = "Installed (or, with dry_run, what would change)", body = InstallReport),
        (status = 404, description = "No such skill or version in the registry", body = ErrorBody),
        (status = 409, description = "A downgrade, or wider permissions not accepted; or no registry configured", body = ErrorBody),
        (status = 422, description = "Signature, digest or WIT version check failed", body = ErrorBody),
        (status = 502, description = "The registry could not be read", body = ErrorBody),
    ))]
pub async fn install_skill(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    request: Result<Json<InstallRequest>, JsonRejection>,
) -> Result<Json<InstallReport>, ApiError> {
    let request = body(request)?;
    let spec = Spec::parse(&request.skill).map_err(acquire_error)?;
    let options = InstallOptions {
        accept_permissions: request.accept_permissions,
        allow_downgrade: request.allow_downgrade,
        accept_publisher_change: request.accept_publisher_change,
        replace_builtin: request.replace_builtin,
        expected_sha256: expected_digest(request.sha256.as_deref())?,
        dry_run: request.dry_run,
    };
    run_install(&state, actor, spec, options, None)
        .await
        .map(Json)
}

/// Options for an update.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// Accept permissions wider than the installed version's.
    #[serde(default)]
    pub accept_permissions: bool,
    /// Report what would change, without installing.
    #[serde(default)]
    pub dry_run: bool,
    /// Update to exactly this version (the one a dry run reported, build metadata included),
    /// so that accepting its permissions never accepts those of a version published since;
    /// the newest otherwise.
    #[serde(default)]
    pub version: Option<String>,
    /// Install only the component with this SHA-256 (the one a dry run reported).
    #[serde(default)]
    pub sha256: Option<String>,
    /// Accept a version signed by another publisher than the installed one.
    #[serde(default)]
    pub accept_publisher_change: bool,
}

/// Update an installed skill to the newest version of the registry it came from.
#[utoipa::path(post, path = "/api/v1/skills/{skill_name}/update", tag = "skills", request_body = UpdateRequest,
    params(("skill_name" = String, Path, description = "The skill")),
    responses(
        (status = 200, description = "Updated (or already the newest)", body = InstallReport),
        (status = 404, description = "The requested version is not in the registry", body = ErrorBody),
        (status = 409, description = "Wider permissions not accepted, or an older version", body = ErrorBody),
        (status = 422, description = "`version` is not an exact version", body = ErrorBody),
    ))]
pub async fn update_skill(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    Path(skill_name): Path<String>,
    request: Result<Json<UpdateRequest>, JsonRejection>,
) -> Result<Json<InstallReport>, ApiError> {
    let request = body(request)?;
    let spec = match &request.version {
        None => Spec::parse(&skill_name).map_err(acquire_error)?,
        Some(version) => Spec::Exact {
            name: skill_name.clone(),
            version: semver::Version::parse(version).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("`version` must be an exact version such as \"1.2.0\" ({e})."),
                )
            })?,
        },
    };
    let dir = state.catalogue.dir().to_owned();
    let lock = tokio::task::spawn_blocking(move || LockFile::read(&dir))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let source = lock.skills.get(&skill_name).map(|l| l.source.clone());
    let options = InstallOptions {
        accept_permissions: request.accept_permissions,
        allow_downgrade: false,
        accept_publisher_change: request.accept_publisher_change,
        replace_builtin: false,
        expected_sha256: expected_digest(request.sha256.as_deref())?,
        dry_run: request.dry_run,
    };
    run_install(
        &state,
        actor,
        spec,
        options,
        source.filter(|s| !s.ends_with(".tar")),
    )
    .await
    .map(Json)
}

/// Remove an installed skill (a built-in of the same name, if any, serves again).
#[utoipa::path(delete, path = "/api/v1/skills/{skill_name}", tag = "skills",
    params(("skill_name" = String, Path, description = "The skill")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "Not installed (built-ins cannot be removed)", body = ErrorBody),
    ))]
pub async fn remove_skill(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    Path(skill_name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let dir = state.catalogue.dir().to_owned();
    let name = skill_name.clone();
    let removed = tokio::task::spawn_blocking(move || install::remove(&dir, &name))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if !removed {
        return Err(ApiError::not_found(format!(
            "Skill '{skill_name}' is not installed (built-in skills cannot be removed)."
        )));
    }
    reload(&state).await;
    tracing::info!(skill = %skill_name, "skill removed over the API");
    crate::admin_audit::record_async(
        state.admin_audit.clone(),
        Change {
            actor,
            action: "skill.removed",
            target: skill_name,
            before: None,
            after: None,
        },
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Browsing the registry and installing, updating and removing skills, for admins.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::Admin, routes!(browse))
        .role(Role::Admin, routes!(install_skill))
        .role(Role::Admin, routes!(update_skill))
        .role(Role::Admin, routes!(remove_skill))
}
