//! `GET /metrics` in the Prometheus (OpenMetrics) text format: requests by task type, status
//! and provider, latency histograms, skill traps and timeouts, provider attempts, failovers and
//! circuit state, and the audit write queue. Labels never carry secrets or caller input beyond
//! known task types (an unknown one is counted as `_unknown`, keeping cardinality bounded).

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of a served request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The task type, or `_unknown`.
    pub task_type: String,
    /// `skill`, `llm` or `unknown`.
    pub kind: &'static str,
    /// `success` or `error`.
    pub status: &'static str,
    /// The provider or `skill:<name>`, empty if none.
    pub provider: String,
}

/// Labels of a latency observation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    /// `skill`, `llm` or `unknown`.
    pub kind: &'static str,
}

/// Labels of a skill failure.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SkillFailureLabels {
    /// The skill.
    pub skill: String,
    /// `trap`, `timeout`, `memory`, `output`, `busy` or `refused`.
    pub reason: String,
}

/// Labels of a provider attempt.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    /// The provider.
    pub provider: String,
    /// `ok`, `skipped`, or the failure kind.
    pub outcome: String,
}

/// Labels naming a provider.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProviderLabels {
    /// The provider.
    pub provider: String,
}

/// Labels of a refused request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuthFailureLabels {
    /// `missing`, `unknown`, `revoked`, `expired`, `forbidden` or `rate_limited`.
    pub reason: String,
}

fn histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Every metric the server keeps.
pub struct Metrics {
    registry: Registry,
    /// Requests answered.
    pub requests: Family<RequestLabels, Counter>,
    /// Time to answer, seconds.
    pub latency: Family<KindLabels, Histogram, fn() -> Histogram>,
    /// Skills that did not succeed, by reason.
    pub skill_failures: Family<SkillFailureLabels, Counter>,
    /// Provider attempts, by outcome.
    pub attempts: Family<AttemptLabels, Counter>,
    /// Times the router moved on from a provider to the next.
    pub failovers: Family<ProviderLabels, Counter>,
    /// Circuit state per provider: 0 closed, 1 half-open, 2 open (set at scrape time).
    pub circuit: Family<ProviderLabels, Gauge>,
    /// Audit records waiting to be committed (set at scrape time).
    pub audit_queue: Gauge<i64, AtomicI64>,
    /// Requests refused by authentication, role or rate limit (never labelled by key).
    pub auth_failures: Family<AuthFailureLabels, Counter>,
    /// Streamed requests, by how they ended.
    pub stream_outcomes: Family<StreamLabels, Counter>,
    /// Streamed requests: time from arrival to the first token, seconds.
    pub time_to_first_token: Family<KindLabels, Histogram, fn() -> Histogram>,
}

/// Labels of a streamed request's outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StreamLabels {
    /// `skill` or `llm`.
    pub kind: String,
    /// `completed`, `failed`, `failed_mid_stream` or `cancelled`.
    pub outcome: String,
}

impl Metrics {
    /// Register every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("prax");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("requests", "Task requests answered", requests.clone());
        let latency =
            Family::<KindLabels, Histogram, fn() -> Histogram>::new_with_constructor(histogram);
        registry.register(
            "request_duration_seconds",
            "Time to answer a task request",
            latency.clone(),
        );
        let skill_failures = Family::<SkillFailureLabels, Counter>::default();
        registry.register(
            "skill_failures",
            "Skill invocations that did not succeed, by reason",
            skill_failures.clone(),
        );
        let attempts = Family::<AttemptLabels, Counter>::default();
        registry.register(
            "provider_attempts",
            "LLM provider attempts, by outcome",
            attempts.clone(),
        );
        let failovers = Family::<ProviderLabels, Counter>::default();
        registry.register(
            "provider_failovers",
            "Times the router failed over from this provider",
            failovers.clone(),
        );
        let circuit = Family::<ProviderLabels, Gauge>::default();
        registry.register(
            "provider_circuit_state",
            "Circuit breaker state: 0 closed, 1 half-open, 2 open",
            circuit.clone(),
        );
        let audit_queue = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "audit_queue_depth",
            "Audit records waiting to be committed",
            audit_queue.clone(),
        );
        let auth_failures = Family::<AuthFailureLabels, Counter>::default();
        registry.register(
            "auth_failures",
            "Requests refused: no key, a key not valid, a role too low, or over the rate limit",
            auth_failures.clone(),
        );
        let stream_outcomes = Family::<StreamLabels, Counter>::default();
        registry.register(
            "stream_outcomes",
            "Streamed task requests, by how they ended",
            stream_outcomes.clone(),
        );
        let time_to_first_token =
            Family::<KindLabels, Histogram, fn() -> Histogram>::new_with_constructor(histogram);
        registry.register(
            "time_to_first_token_seconds",
            "Streamed task requests: time from arrival to the first token",
            time_to_first_token.clone(),
        );
        Self {
            registry,
            stream_outcomes,
            time_to_first_token,
            requests,
            latency,
            skill_failures,
            attempts,
            failovers,
            circuit,
            audit_queue,
            auth_failures,
        }
    }

    /// Count a streamed request of `kind` that ended with `outcome`, and its time to first token.
    pub fn observe_stream(
        &self,
        kind: &'static str,
        outcome: &str,
        first_token: Option<std::time::Duration>,
    ) {
        self.stream_outcomes
            .get_or_create(&StreamLabels {
                kind: kind.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        if let Some(wait) = first_token {
            self.time_to_first_token
                .get_or_create(&KindLabels { kind })
                .observe(wait.as_secs_f64());
        }
    }

    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
