//! Filters for the analytics endpoints, validated.

use serde::Serialize;

use super::record::AuditRecord;

/// Which records an analytics query covers. Dates are `YYYY-MM-DD`, inclusive, UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyticsFilter {
    /// Only this task type.
    pub task_type: Option<String>,
    /// Only this provider (or `skill:<name>`).
    pub provider: Option<String>,
    /// Only `success` or only `error`.
    pub status: Option<String>,
    /// Only requests made with this API key id.
    pub api_key_id: Option<String>,
    /// From this day.
    pub start_date: Option<String>,
    /// Up to and including this day.
    pub end_date: Option<String>,
}

impl AnalyticsFilter {
    /// Check the values that have a format; the message names the parameter.
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("start_date", &self.start_date),
            ("end_date", &self.end_date),
        ] {
            if let Some(v) = value
                && !is_date(v)
            {
                return Err(format!("Invalid {name} '{v}': use YYYY-MM-DD."));
            }
        }
        if let Some(status) = &self.status
            && status != "success"
            && status != "error"
        {
            return Err(format!(
                "Invalid status '{status}': use 'success' or 'error'."
            ));
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` with plausible month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// One page of records.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Records matching the filter, in all.
    pub total_matches: u64,
    /// This page.
    pub data: Vec<AuditRecord>,
}
