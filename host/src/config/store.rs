//! `[store]`: where the audit log, API keys and the other shared state live. SQLite in the
//! data directory by default; PostgreSQL when several replicas share one store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::environment::Environment;

/// The variable that overrides `[store] url` (containers configure through the environment).
pub const STORE_URL_ENV: &str = "PRAXIMOUS_STORE_URL";

/// `[store]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://user@host:5432/database` (with `?sslmode=disable|prefer|require`), or
    /// `sqlite:PATH`; unset: SQLite at `<data_dir>/praximous.db`. `PRAXIMOUS_STORE_URL`
    /// overrides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The variable holding the PostgreSQL password (never the configuration file).
    pub password_env: String,
    /// PEM file of the certificate authority that signed the PostgreSQL server's certificate,
    /// for a private CA; the public web roots are always trusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Most connections one replica keeps to PostgreSQL for queries, rate limits and key
    /// look-ups (the audit writer and the key-change listener hold one more each).
    pub max_connections: u32,
    /// How long to wait for a connection, in milliseconds.
    pub connect_timeout_ms: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: None,
            password_env: "PRAXIMOUS_STORE_PASSWORD".into(),
            ca_file: None,
            max_connections: 8,
            connect_timeout_ms: 10_000,
        }
    }
}

/// Where the store is, resolved from the configuration and the environment.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(PostgresTarget),
}

/// A PostgreSQL database and how to reach it.
#[derive(Debug, Clone)]
pub struct PostgresTarget {
    /// The URL as given, for messages (it never holds the password from the environment).
    pub url: String,
    /// The password, from `password_env` (or the URL of `PRAXIMOUS_STORE_URL`).
    pub password: Option<String>,
    /// A private CA's PEM file.
    pub ca_file: Option<PathBuf>,
    /// Pool size.
    pub max_connections: u32,
    /// Connection timeout.
    pub connect_timeout: Duration,
}

impl StoreLocation {
    /// For logs: the file, or the URL without any password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Postgres(target) => redact_password(&target.url),
        }
    }
}

/// `url` with any password in it replaced by `***`.
pub fn redact_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl StoreConfig {
    /// Check the URL's form and the ranges; a password belongs in the environment.
    pub fn validate(&self) -> Result<(), FieldError> {
        if let Some(url) = &self.url {
            check_url(url, "store.url")?;
            if is_postgres(url) && reqwest::Url::parse(url).is_ok_and(|u| u.password().is_some()) {
                return Err(FieldError::new(
                    "store.url",
                    format!(
                        "holds a password; remove it from the file and set it in the `{}` environment variable",
                        self.password_env
                    ),
                ));
            }
        }
        if self.password_env.trim().is_empty() {
            return Err(FieldError::new(
                "store.password_env",
                "must name an environment variable, e.g. \"PRAXIMOUS_STORE_PASSWORD\"",
            ));
        }
        if !(1..=1000).contains(&self.max_connections) {
            return Err(FieldError::new(
                "store.max_connections",
                "must be between 1 and 1000",
            ));
        }
        if !(100..=600_000).contains(&self.connect_timeout_ms) {
            return Err(FieldError::new(
                "store.connect_timeout_ms",
                "must be between 100 and 600000 (ms)",
            ));
        }
        Ok(())
    }

    /// Where the store is: `PRAXIMOUS_STORE_URL`, else `url`, else SQLite in `data_dir`.
    pub fn location(
        &self,
        data_dir: &Path,
        env: &Environment,
    ) -> Result<StoreLocation, FieldError> {
        let (url, key) = match env.non_blank(STORE_URL_ENV) {
            Some(url) => (Some(url), STORE_URL_ENV),
            None => (self.url.clone(), "store.url"),
        };
        match url {
            None => Ok(StoreLocation::Sqlite(data_dir.join("praximous.db"))),
            Some(url) => self.location_of(&url, key, env),
        }
    }

    /// The store `url` names (`key` names where it came from, for errors), with these
    /// settings for the rest; the password from `password_env` unless the URL holds one.
    pub fn location_of(
        &self,
        url: &str,
        key: &str,
        env: &Environment,
    ) -> Result<StoreLocation, FieldError> {
        let url = url.to_owned();
        check_url(&url, key)?;
        if let Some(path) = sqlite_path(&url) {
            return Ok(StoreLocation::Sqlite(path));
        }
        Ok(StoreLocation::Postgres(PostgresTarget {
            password: env.get(&self.password_env),
            url,
            ca_file: self.ca_file.clone(),
            max_connections: self.max_connections,
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
        }))
    }
}

/// The file of a `sqlite:PATH` (or `sqlite://PATH`) URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.strip_prefix("//").unwrap_or(rest);
    Some(PathBuf::from(path))
}

fn check_url(url: &str, key: &str) -> Result<(), FieldError> {
    if is_postgres(url) {
        return match url.parse::<tokio_postgres::Config>() {
            Ok(_) => Ok(()),
            Err(e) => Err(FieldError::new(
                key,
                format!("is not a PostgreSQL URL ({e}); write postgres://user@host:5432/database"),
            )),
        };
    }
    match sqlite_path(url) {
        Some(path) if !path.as_os_str().is_empty() => Ok(()),
        _ => Err(FieldError::new(
            key,
            format!(
                "`{}` is neither postgres://user@host:5432/database nor sqlite:PATH",
                redact_password(url)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(config: &StoreConfig, vars: &[(&str, &str)]) -> Result<StoreLocation, FieldError> {
        config.location(
            Path::new("/data"),
            &Environment::fixed(vars.iter().copied()),
        )
    }

    #[test]
    fn the_default_is_sqlite_in_the_data_directory() -> Result<(), FieldError> {
        let found = location(&StoreConfig::default(), &[])?;
        assert!(matches!(found, StoreLocation::Sqlite(p) if p == Path::new("/data/praximous.db")));
        Ok(())
    }

    #[test]
    fn the_environment_overrides_the_file_and_supplies_the_password() -> Result<(), FieldError> {
        let config = StoreConfig {
            url: Some("sqlite:/elsewhere.db".into()),
            ..StoreConfig::default()
        };
        let found = location(
            &config,
            &[
                (STORE_URL_ENV, "postgres://prax@db:5432/prax"),
                ("PRAXIMOUS_STORE_PASSWORD", "s3cret"),
            ],
        )?;
        let StoreLocation::Postgres(target) = found else {
            panic!("expected PostgreSQL, got {found:?}");
        };
        assert_eq!(target.password.as_deref(), Some("s3cret"));
        assert_eq!(target.url, "postgres://prax@db:5432/prax");
        Ok(())
    }

    #[test]
    fn a_password_in_the_file_and_a_foreign_scheme_are_refused() {
        let with_password = StoreConfig {
            url: Some("postgres://prax:hunter2@db/prax".into()),
            ..StoreConfig::default()
        };
        let problem = with_password.validate().err().map(|e| e.problem);
        assert!(
            problem
                .as_deref()
                .is_some_and(|p| p.contains("PRAXIMOUS_STORE_PASSWORD")),
            "{problem:?}"
        );
        let mysql = StoreConfig {
            url: Some("mysql://db/prax".into()),
            ..StoreConfig::default()
        };
        assert!(mysql.validate().is_err());
    }

    #[test]
    fn descriptions_never_show_a_password() {
        assert_eq!(
            redact_password("postgres://prax:hunter2@db/prax"),
            "postgres://prax:***@db/prax"
        );
    }
}
