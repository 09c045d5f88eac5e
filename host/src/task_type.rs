//! What a task type may be: the name of a skill or of an LLM route.

/// Longest task type accepted: it is stored with every record, kept in the roll-ups and
/// logged, so a caller must not be able to make it arbitrarily large.
pub const MAX_TASK_TYPE_CHARS: usize = 128;

/// The characters a task type may have: every skill name and route name fits.
pub const TASK_TYPE_PATTERN: &str = "^[A-Za-z0-9_.:-]+$";

/// Whether `name` could be a task type (a skill's or a route's name).
pub fn is_task_type(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_TASK_TYPE_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_skills_and_routes_are_task_types_and_little_else() {
        for fine in ["echo", "simple_math", "summarize-v2", "ns:route.1"] {
            assert!(is_task_type(fine), "{fine}");
        }
        let long = "a".repeat(MAX_TASK_TYPE_CHARS + 1);
        for bad in ["", long.as_str(), "a b", "x\ny", "é"] {
            assert!(!is_task_type(bad), "{bad:?}");
        }
    }
}
