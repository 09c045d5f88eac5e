//! Daily roll-ups: per day, task type, kind, provider and status, a request count, a latency
//! sum and a latency histogram, so dashboards read a few rows per day instead of the log.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{RecordStatus, TaskKind};

/// Upper bounds of the latency buckets, in milliseconds; the last bucket is open-ended.
pub const BUCKET_BOUNDS_MS: [u64; 15] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000,
];

/// Counts per latency bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyHistogram(pub [u64; BUCKET_BOUNDS_MS.len() + 1]);

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self([0; BUCKET_BOUNDS_MS.len() + 1])
    }
}

impl LatencyHistogram {
    /// Count one latency.
    pub fn add(&mut self, ms: u64) {
        let index = BUCKET_BOUNDS_MS
            .iter()
            .position(|&b| ms <= b)
            .unwrap_or(BUCKET_BOUNDS_MS.len());
        self.0[index] += 1;
    }

    /// Add another histogram's counts.
    pub fn merge(&mut self, other: &Self) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    /// The bucket bound at or below which `q` (0..1) of the latencies fall; `None` if empty.
    /// An estimate: the true value lies in that bucket.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let total: u64 = self.0.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, count) in self.0.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(BUCKET_BOUNDS_MS.get(i).copied().unwrap_or(u64::MAX));
            }
        }
        None
    }

    /// As stored: a JSON array of counts.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0.to_vec()).unwrap_or_else(|_| "[]".into())
    }

    /// From storage; an unreadable value counts as empty.
    pub fn parse(text: &str) -> Self {
        let counts: Vec<u64> = serde_json::from_str(text).unwrap_or_default();
        let mut hist = Self::default();
        for (slot, count) in hist.0.iter_mut().zip(counts) {
            *slot = count;
        }
        hist
    }
}

/// Granularity of `tasks-over-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TimeBucket {
    /// `YYYY-MM-DD`.
    Day,
    /// `YYYY-MM`.
    Month,
    /// `YYYY`.
    Year,
}

impl TimeBucket {
    /// `day`, `month` or `year`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Self::Day),
            "month" => Some(Self::Month),
            "year" => Some(Self::Year),
            _ => None,
        }
    }

    /// Length of the date prefix that names a bucket.
    pub fn prefix_len(self) -> usize {
        match self {
            Self::Day => 10,
            Self::Month => 7,
            Self::Year => 4,
        }
    }
}

/// One roll-up row, summed over the days of the filter.
#[derive(Debug, Clone)]
pub struct UsageRow {
    /// What served the requests.
    pub kind: TaskKind,
    /// The task type.
    pub task_type: String,
    /// The provider (or `skill:<name>`), empty if none.
    pub provider: String,
    /// How the requests ended.
    pub status: RecordStatus,
    /// Requests.
    pub requests: u64,
    /// Sum of latencies, ms.
    pub latency_sum: u64,
    /// Latency histogram.
    pub histogram: LatencyHistogram,
}

/// Per-provider summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderStats {
    /// The provider (as the original names the field).
    pub provider_name: String,
    /// Requests.
    pub count: u64,
    /// Mean latency, ms.
    pub average_latency: f64,
    /// Median latency estimate, ms (upper bound of its histogram bucket).
    #[schema(required = true)]
    pub p50_latency_ms: Option<u64>,
    /// 95th percentile latency estimate, ms.
    #[schema(required = true)]
    pub p95_latency_ms: Option<u64>,
    /// Share of requests that ended in an error.
    pub error_rate: f64,
}

/// Sum usage rows per provider.
pub fn per_provider(rows: &[UsageRow]) -> Vec<ProviderStats> {
    let mut by: BTreeMap<&str, (u64, u64, u64, LatencyHistogram)> = BTreeMap::new();
    for row in rows.iter().filter(|r| !r.provider.is_empty()) {
        let entry = by.entry(&row.provider).or_default();
        entry.0 += row.requests;
        entry.1 += row.latency_sum;
        if row.status != RecordStatus::Success {
            entry.2 += row.requests;
        }
        entry.3.merge(&row.histogram);
    }
    by.into_iter()
        .map(|(name, (count, sum, errors, hist))| ProviderStats {
            provider_name: name.to_owned(),
            count,
            average_latency: if count == 0 {
                0.0
            } else {
                sum as f64 / count as f64
            },
            p50_latency_ms: hist.quantile(0.5),
            p95_latency_ms: hist.quantile(0.95),
            error_rate: if count == 0 {
                0.0
            } else {
                errors as f64 / count as f64
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_bucket_bounds() {
        let mut h = LatencyHistogram::default();
        for ms in [1, 3, 3, 4, 40, 40, 40, 40, 40, 900] {
            h.add(ms);
        }
        assert_eq!(h.quantile(0.5), Some(50));
        assert_eq!(h.quantile(0.95), Some(1_000));
        assert_eq!(h.quantile(0.1), Some(1));
        assert_eq!(LatencyHistogram::parse(&h.to_json()), h);
        assert_eq!(LatencyHistogram::default().quantile(0.5), None);
    }
}
