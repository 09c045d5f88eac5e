//! Summary statistics of one column.

use praximous_skill::{Value, json};

/// Count, min, max, mean, median and sample standard deviation of `cells`, if every
/// non-empty cell is a finite number and there is at least one; `None` otherwise.
/// The standard deviation is `null` for a single value.
pub fn describe(cells: &[&str]) -> Option<Value> {
    let mut values = Vec::with_capacity(cells.len());
    for cell in cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let value: f64 = cell.parse().ok().filter(|v: &f64| v.is_finite())?;
        values.push(value);
    }
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let count = values.len();
    let mean = values.iter().sum::<f64>() / count as f64;
    let middle = count / 2;
    let median = if count % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    };
    let stddev = (count > 1).then(|| {
        let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        (squares / (count - 1) as f64).sqrt()
    });
    Some(json!({
        "count": count,
        "min": values[0],
        "max": values[count - 1],
        "mean": mean,
        "median": median,
        "stddev": stddev,
        "empty": cells.len() - count,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_match_hand_computed_values() {
        let summary = describe(&["2", "4", "4", "4", "5", "5", "7", "9", ""]);
        let Some(summary) = summary else {
            panic!("a numeric column");
        };
        assert_eq!(summary["count"], 8);
        assert_eq!(summary["min"], 2.0);
        assert_eq!(summary["max"], 9.0);
        assert_eq!(summary["mean"], 5.0);
        assert_eq!(summary["median"], 4.5);
        assert_eq!(summary["empty"], 1);
        let stddev = summary["stddev"].as_f64().unwrap_or_default();
        assert!((stddev - 2.138_089_935).abs() < 1e-6, "{stddev}");
        assert!(describe(&["1", "two"]).is_none());
        assert!(describe(&["", " "]).is_none());
        assert_eq!(
            describe(&["3"]).map(|s| s["stddev"].clone()),
            Some(Value::Null)
        );
    }
}
