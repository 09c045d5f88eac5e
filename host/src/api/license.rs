//! `GET /api/v1/license`: the tier in force and its state for every key (the UI's banner and
//! locks); the licence itself, the features and the seats for admins. And the 403 every gate
//! answers with.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::admin_actor::AdminActor;
use super::error::{ApiError, ErrorBody, ErrorCode};
use crate::auth::{Principal, Role};
use crate::license::gate::{self, Locked};
use crate::license::token::Payload;
use crate::license::{Feature, LicenseState, Licensing, Tier};

/// The 403 a gated call gets.
pub fn refused(locked: &Locked) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, locked.to_string()).with_code(ErrorCode::NotLicensed)
}

/// `Ok` if the licence lets the skill `skill` run.
pub fn check_skill(licensing: &Licensing, skill: &str) -> Result<(), ApiError> {
    match Feature::for_skill(skill) {
        Some(feature) => gate::require(&licensing.status(), feature).map_err(|l| refused(&l)),
        None => Ok(()),
    }
}

/// The admin audit entry of a licence installed: the tier and licence before and after (the
/// key itself is not kept).
pub fn licence_installed(
    actor: crate::admin_audit::Actor,
    before: &crate::license::LicenseStatus,
    after: &crate::license::LicenseStatus,
) -> crate::admin_audit::Change {
    let summary = |status: &crate::license::LicenseStatus| {
        serde_json::json!({
            "tier": status.tier,
            "state": status.state,
            "licence": status.licence.as_ref().map(|l| serde_json::json!({
                "id": l.id, "customer": l.customer, "valid_until": l.valid_until, "seats": l.seats,
            })),
        })
    };
    crate::admin_audit::Change {
        actor,
        action: "licence.installed",
        target: after
            .licence
            .as_ref()
            .map_or_else(String::new, |l| l.id.clone()),
        before: Some(summary(before)),
        after: Some(summary(after)),
    }
}

/// One feature of the tier table, and whether it is unlocked here.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeatureInfo {
    /// Its name.
    pub feature: Feature,
    /// For people.
    pub title: &'static str,
    /// The lowest tier that includes it.
    pub tier: Tier,
    /// Whether it is unlocked now.
    pub unlocked: bool,
}

/// The licence as this key may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LicenseInfo {
    /// The state: evaluation, unlicensed, valid, expiring, expired.
    pub state: LicenseState,
    /// The tier in force.
    pub tier: Tier,
    /// The state in one sentence (the banner's text).
    pub message: String,
    /// When the evaluation ends (or ended), for admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation_ends: Option<String>,
    /// The licence as signed, for admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<Payload>,
    /// When the licence was first used here, for admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<String>,
    /// Seats allowed (null: unlimited), for admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<Option<u32>>,
    /// Every gated feature with the tier that has it, for admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<FeatureInfo>>,
}

/// The licence: tier and state for everyone, the whole of it for admins.
#[utoipa::path(get, path = "/api/v1/license", tag = "system",
    responses((status = 200, description = "The licence in force", body = LicenseInfo)))]
pub async fn license(
    State(licensing): State<Arc<Licensing>>,
    Extension(principal): Extension<Principal>,
) -> Json<LicenseInfo> {
    let status = licensing.status();
    let now = time::OffsetDateTime::now_utc();
    let admin = principal.role.grants(Role::Admin);
    let mut info = LicenseInfo {
        state: status.state,
        tier: status.tier,
        message: status.describe(now),
        evaluation_ends: None,
        licence: None,
        activated_at: None,
        seats: None,
        features: None,
    };
    if admin {
        info.evaluation_ends = status.evaluation_ends.map(|end| end.date().to_string());
        info.licence = status.licence.clone();
        info.activated_at = status.activated_at.clone();
        info.seats = Some(status.seats());
        info.features = Some(
            Feature::ALL
                .into_iter()
                .map(|feature| FeatureInfo {
                    feature,
                    title: feature.title(),
                    tier: feature.tier(),
                    unlocked: status.allows(feature),
                })
                .collect(),
        );
    }
    Json(info)
}

/// A licence key to check, or to install.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct InstallLicense {
    /// The licence key, as sent (`prax-license-v1....`).
    pub key: String,
    /// Only check it and say what it would do.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a licence key is, or did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InstalledLicense {
    /// Whether it was installed (false for a dry run).
    pub installed: bool,
    /// The state it gives.
    pub state: LicenseState,
    /// The tier it gives.
    pub tier: Tier,
    /// In one sentence.
    pub message: String,
    /// The licence as signed.
    pub licence: Option<Payload>,
}

/// Check a licence key and, unless `dry_run`, install it: in force at once, on this server
/// (other replicas read their own data directory or `PRAXIMOUS_LICENSE`).
#[utoipa::path(post, path = "/api/v1/license", tag = "system", request_body = InstallLicense,
    responses(
        (status = 200, description = "What the key gives (installed unless a dry run)", body = InstalledLicense),
        (status = 409, description = "The key comes from the environment, which a file cannot override", body = ErrorBody),
        (status = 422, description = "The key is malformed, tampered, foreign or for another product", body = ErrorBody),
    ))]
pub async fn install_license(
    State(licensing): State<Arc<Licensing>>,
    State(admin_audit): State<Arc<dyn crate::admin_audit::AdminAuditStore>>,
    AdminActor(actor): AdminActor,
    body: Result<Json<InstallLicense>, JsonRejection>,
) -> Result<Json<InstalledLicense>, ApiError> {
    let Json(request) = body.map_err(|rejection| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}. Send {{\"key\": \"prax-license-v1...\", \"dry_run\": true}}.",
                rejection.body_text()
            ),
        )
    })?;
    if !request.dry_run && licensing.from_environment() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "The licence key comes from the environment ([license] key_env), which wins over an installed one; change it there.",
        )
        .with_code(ErrorCode::Conflict));
    }
    let before = licensing.status();
    let worker = licensing.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        if request.dry_run {
            worker.preview(&request.key).map(Arc::new)
        } else {
            worker.install(&request.key)
        }
        .map(|status| (status, !request.dry_run))
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("licence task failed: {e}"),
        )
    })?;
    let (status, installed) = outcome.map_err(|e| match e {
        crate::license::LicenseError::Store(_) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
        other => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, other.to_string())
            .with_code(ErrorCode::ValidationFailed),
    })?;
    if installed {
        tracing::info!("licence installed through the API");
        crate::license::live::log(&status);
        crate::admin_audit::record_async(admin_audit, licence_installed(actor, &before, &status))
            .await;
    }
    Ok(Json(InstalledLicense {
        installed,
        state: status.state,
        tier: status.tier,
        message: status.describe(time::OffsetDateTime::now_utc()),
        licence: status.licence.clone(),
    }))
}

/// `/api/v1/license`: read by every key, installed by admins.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .role(Role::User, routes!(license))
        .role(Role::Admin, routes!(install_license))
}
