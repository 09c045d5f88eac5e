//! `GET /api/v1/license`: the tier in force and its state for every key (the UI's banner and
//! locks); the licence itself, the features and the seats for admins. And the 403 every gate
//! answers with.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa_axum::routes;

use super::access::ApiRoutes;
use super::error::{ApiError, ErrorCode};
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

/// `/api/v1/license`, for every key.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role(Role::User, routes!(license))
}
