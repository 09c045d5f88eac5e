//! A provider's health: a circuit breaker that skips a provider that keeps failing and
//! probes it again after a cool-down, plus recent outcomes for `/api/v1/providers`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Outcomes remembered for the error rate and latency.
const WINDOW: usize = 50;

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    /// Requests flow.
    Closed,
    /// Requests skip the provider until the cool-down ends.
    Open,
    /// One probe request is allowed through; its outcome decides.
    HalfOpen,
}

/// Health of one provider.
#[derive(Debug)]
pub struct Health {
    failures_to_open: u32,
    cooldown: Duration,
    consecutive_failures: u32,
    opened_at: Option<Instant>,
    /// When the current probe was let through. A probe whose caller went away (cancelled
    /// request) never reports back, so a probe older than the cool-down counts as lost.
    probing_since: Option<Instant>,
    recent: VecDeque<(bool, Duration)>,
    last_error: Option<String>,
}

/// Whether a request may use the provider now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Yes.
    Allowed,
    /// Yes, as the probe of a half-open circuit.
    Probe,
    /// No: the circuit is open for this much longer.
    Skip(Duration),
}

/// A point-in-time view for the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthSnapshot {
    /// Breaker state.
    pub circuit: CircuitState,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// Attempts in the recent window.
    pub recent_attempts: usize,
    /// Share of recent attempts that failed, 0 to 1.
    pub recent_error_rate: f64,
    /// Median latency of recent successful attempts, in milliseconds.
    #[schema(required = true)]
    pub latency_p50_ms: Option<u64>,
    /// Mean latency of recent successful attempts, in milliseconds.
    #[schema(required = true)]
    pub latency_avg_ms: Option<u64>,
    /// The most recent failure.
    #[schema(required = true)]
    pub last_error: Option<String>,
}

impl Health {
    /// A closed circuit that opens after `failures_to_open` failures in a row.
    pub fn new(failures_to_open: u32, cooldown: Duration) -> Self {
        Self {
            failures_to_open,
            cooldown,
            consecutive_failures: 0,
            opened_at: None,
            probing_since: None,
            recent: VecDeque::with_capacity(WINDOW),
            last_error: None,
        }
    }

    fn state(&self, now: Instant) -> CircuitState {
        match self.opened_at {
            None => CircuitState::Closed,
            Some(at) if now.duration_since(at) < self.cooldown => CircuitState::Open,
            Some(_) => CircuitState::HalfOpen,
        }
    }

    /// Ask to use the provider.
    pub fn admit(&mut self, now: Instant) -> Admission {
        match self.state(now) {
            CircuitState::Closed => Admission::Allowed,
            CircuitState::Open => {
                let at = self.opened_at.unwrap_or(now);
                Admission::Skip(self.cooldown.saturating_sub(now.duration_since(at)))
            }
            CircuitState::HalfOpen => match self.probing_since {
                Some(since) if now.duration_since(since) < self.cooldown => {
                    Admission::Skip(self.cooldown.saturating_sub(now.duration_since(since)))
                }
                _ => {
                    self.probing_since = Some(now);
                    Admission::Probe
                }
            },
        }
    }

    /// Record a success: the circuit closes.
    pub fn success(&mut self, latency: Duration) {
        self.consecutive_failures = 0;
        self.opened_at = None;
        self.probing_since = None;
        self.remember(true, latency);
    }

    /// Record a failure that reflects on the provider; enough in a row (or a failed probe)
    /// opens the circuit.
    pub fn failure(&mut self, latency: Duration, error: String, now: Instant) {
        self.consecutive_failures += 1;
        let failed_probe = self.probing_since.take().is_some();
        if failed_probe || self.consecutive_failures >= self.failures_to_open {
            self.opened_at = Some(now);
        }
        self.last_error = Some(error);
        self.remember(false, latency);
    }

    /// Record an attempt that says nothing about the provider's health (the request was
    /// refused for its content or length); a probe that ends this way closes the circuit.
    pub fn neutral(&mut self, latency: Duration) {
        if self.probing_since.is_some() {
            self.success(latency);
        }
    }

    fn remember(&mut self, ok: bool, latency: Duration) {
        if self.recent.len() == WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back((ok, latency));
    }

    /// The current view.
    pub fn snapshot(&self, now: Instant) -> HealthSnapshot {
        let failures = self.recent.iter().filter(|(ok, _)| !ok).count();
        let mut latencies: Vec<Duration> = self
            .recent
            .iter()
            .filter(|(ok, _)| *ok)
            .map(|(_, d)| *d)
            .collect();
        latencies.sort();
        let ms = |d: Duration| d.as_millis() as u64;
        HealthSnapshot {
            circuit: self.state(now),
            consecutive_failures: self.consecutive_failures,
            recent_attempts: self.recent.len(),
            recent_error_rate: if self.recent.is_empty() {
                0.0
            } else {
                failures as f64 / self.recent.len() as f64
            },
            latency_p50_ms: latencies.get(latencies.len() / 2).copied().map(ms),
            latency_avg_ms: (!latencies.is_empty())
                .then(|| ms(latencies.iter().sum::<Duration>() / latencies.len() as u32)),
            last_error: self.last_error.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_then_probes_once_after_cooldown() {
        let t0 = Instant::now();
        let mut h = Health::new(3, Duration::from_secs(10));
        for _ in 0..2 {
            assert_eq!(h.admit(t0), Admission::Allowed);
            h.failure(Duration::from_millis(5), "boom".into(), t0);
        }
        assert_eq!(
            h.admit(t0),
            Admission::Allowed,
            "two failures keep it closed"
        );
        h.failure(Duration::from_millis(5), "boom".into(), t0);
        assert!(
            matches!(h.admit(t0 + Duration::from_secs(1)), Admission::Skip(d) if d == Duration::from_secs(9))
        );

        let later = t0 + Duration::from_secs(11);
        assert_eq!(h.admit(later), Admission::Probe);
        assert!(
            matches!(h.admit(later), Admission::Skip(_)),
            "only one probe at a time"
        );
        h.failure(Duration::from_millis(5), "still down".into(), later);
        assert!(
            matches!(h.admit(later + Duration::from_secs(1)), Admission::Skip(_)),
            "a failed probe reopens"
        );

        let much_later = later + Duration::from_secs(20);
        assert_eq!(h.admit(much_later), Admission::Probe);
        h.success(Duration::from_millis(7));
        assert_eq!(h.admit(much_later), Admission::Allowed);
        let snap = h.snapshot(much_later);
        assert_eq!(snap.circuit, CircuitState::Closed);
        assert_eq!(snap.recent_attempts, 5);
        assert!((snap.recent_error_rate - 0.8).abs() < 1e-9);
    }

    #[test]
    fn a_lost_probe_does_not_leave_the_circuit_stuck() {
        let t0 = Instant::now();
        let mut h = Health::new(1, Duration::from_secs(10));
        h.failure(Duration::ZERO, "x".into(), t0);
        let later = t0 + Duration::from_secs(10);
        assert_eq!(h.admit(later), Admission::Probe);
        // The probe's request was cancelled: nothing reports back.
        assert!(matches!(
            h.admit(later + Duration::from_secs(5)),
            Admission::Skip(_)
        ));
        assert_eq!(
            h.admit(later + Duration::from_secs(10)),
            Admission::Probe,
            "a new probe after the cool-down"
        );
    }

    #[test]
    fn a_success_resets_the_count() {
        let t0 = Instant::now();
        let mut h = Health::new(2, Duration::from_secs(10));
        h.failure(Duration::ZERO, "x".into(), t0);
        h.success(Duration::ZERO);
        h.failure(Duration::ZERO, "x".into(), t0);
        assert_eq!(
            h.admit(t0),
            Admission::Allowed,
            "failures were not consecutive"
        );
    }
}
