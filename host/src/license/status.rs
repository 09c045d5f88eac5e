//! What state a licence (or its absence) puts the installation in, and the tier that follows.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::tiers::{Feature, Tier, includes};
use super::token::Payload;

/// How long a new installation evaluates every feature.
pub const EVALUATION: Duration = Duration::days(30);
/// A licence this close to its end is expiring (a warning, a banner).
pub const EXPIRING_WITHIN: Duration = Duration::days(30);

/// The installation's licence state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenseState {
    /// No licence; the evaluation (every feature) is running.
    Evaluation,
    /// No licence and no evaluation: the Standard tier.
    Unlicensed,
    /// A licence, in force.
    Valid,
    /// A licence ending within 30 days.
    Expiring,
    /// A licence past its end: the Standard tier until it is renewed.
    Expired,
}

/// Where the installation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseStatus {
    /// The state.
    pub state: LicenseState,
    /// The tier in force (Enterprise while evaluating, Standard without a licence in force).
    pub tier: Tier,
    /// The licence, if one is installed (expired ones too).
    pub licence: Option<Payload>,
    /// When the evaluation ends (or ended), if one was started.
    pub evaluation_ends: Option<OffsetDateTime>,
    /// When this licence was first used here.
    pub activated_at: Option<String>,
}

impl LicenseStatus {
    /// The status at `now` of `licence` (already verified), an evaluation started at
    /// `evaluation_started` (if evaluations are on).
    pub fn at(
        now: OffsetDateTime,
        licence: Option<Payload>,
        evaluation_started: Option<OffsetDateTime>,
        activated_at: Option<String>,
    ) -> Self {
        let evaluation_ends = evaluation_started.map(|start| start + EVALUATION);
        let (state, tier) = match &licence {
            Some(payload) => match payload.valid_until() {
                Ok(end) if end <= now => (LicenseState::Expired, Tier::Standard),
                Ok(end) if end - now <= EXPIRING_WITHIN => (LicenseState::Expiring, payload.tier),
                Ok(_) => (LicenseState::Valid, payload.tier),
                Err(_) => (LicenseState::Expired, Tier::Standard),
            },
            None if evaluation_ends.is_some_and(|end| now < end) => {
                (LicenseState::Evaluation, Tier::Enterprise)
            }
            None => (LicenseState::Unlicensed, Tier::Standard),
        };
        Self {
            state,
            tier,
            licence,
            evaluation_ends,
            activated_at,
        }
    }

    /// Features the licence adds beyond its tier, while it is in force.
    fn extra(&self) -> &[Feature] {
        match (&self.licence, self.state) {
            (Some(payload), LicenseState::Valid | LicenseState::Expiring) => &payload.features,
            _ => &[],
        }
    }

    /// Whether `feature` is unlocked now.
    pub fn allows(&self, feature: Feature) -> bool {
        includes(self.tier, self.extra(), feature)
    }

    /// Seats allowed now; `None`: unlimited.
    pub fn seats(&self) -> Option<u32> {
        match (&self.licence, self.state) {
            (Some(payload), LicenseState::Valid | LicenseState::Expiring) => payload.seats(),
            _ => self.tier.seats(),
        }
    }

    /// One line for the log and `prax license show`.
    pub fn describe(&self, now: OffsetDateTime) -> String {
        let date = |at: OffsetDateTime| at.date().to_string();
        match (self.state, &self.licence) {
            (LicenseState::Evaluation, _) => format!(
                "evaluation: every feature until {} ({} days left), then the Standard tier unless a licence is installed",
                self.evaluation_ends.map(date).unwrap_or_default(),
                self.evaluation_ends
                    .map_or(0, |end| (end - now).whole_days())
            ),
            (LicenseState::Unlicensed, _) => {
                "no licence: the Standard tier (`prax license install FILE` to add one)".into()
            }
            (state, Some(payload)) => {
                let end = payload.valid_until().map(date).unwrap_or_default();
                let who = format!(
                    "{} tier, licensed to {} ({})",
                    payload.tier.title(),
                    payload.customer,
                    payload.id
                );
                match state {
                    LicenseState::Expired => format!(
                        "licence EXPIRED on {end}: running as the Standard tier until it is renewed ({who}); nothing is deleted"
                    ),
                    LicenseState::Expiring => format!(
                        "licence expires on {end}, in {} days: renew it ({who})",
                        payload.valid_until().map_or(0, |e| (e - now).whole_days())
                    ),
                    _ => format!("licence valid until {end}: {who}"),
                }
            }
            (_, None) => "no licence".into(),
        }
    }
}
