//! Where configuration reads environment variables: one resolver, built at the edge and passed
//! in, so that secrets named by the configuration (`api_key_env`, `{ env = "VAR" }`, ...) are
//! looked up in one place and tests can hand in their own variables.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Reads environment variables by name.
#[derive(Clone)]
pub struct Environment(Source);

#[derive(Clone)]
enum Source {
    Process,
    Fixed(Arc<BTreeMap<String, String>>),
}

impl Environment {
    /// The process environment (with the `.env` file already loaded into it at start-up).
    pub fn process() -> Self {
        Self(Source::Process)
    }

    /// Exactly these variables, for tests and tools.
    pub fn fixed<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Self(Source::Fixed(Arc::new(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )))
    }

    /// The variable `name`, if it is set.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.0 {
            Source::Process => std::env::var(name).ok(),
            Source::Fixed(vars) => vars.get(name).cloned(),
        }
    }

    /// The variable `name`, trimmed, if it is set and not blank.
    pub fn non_blank(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

impl Default for Environment {
    fn default() -> Self {
        Self::process()
    }
}

impl fmt::Debug for Environment {
    // Never print values: they are often secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Process => f.write_str("Environment(process)"),
            Source::Fixed(vars) => f
                .debug_tuple("Environment")
                .field(&vars.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Environment;

    #[test]
    fn fixed_variables_are_read_and_blank_ones_are_unset() {
        let env = Environment::fixed([("A", " x "), ("B", "  ")]);
        assert_eq!(env.get("A").as_deref(), Some(" x "));
        assert_eq!(env.non_blank("A").as_deref(), Some("x"));
        assert_eq!(env.non_blank("B"), None);
        assert_eq!(env.get("C"), None);
        assert!(
            !format!("{env:?}").contains('x'),
            "values are never printed"
        );
    }
}
