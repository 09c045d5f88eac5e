//! The `.env` file that holds credentials: read at start-up, edited by `prax init`, always
//! owner-only. Lines it does not touch stay exactly as they were.

use std::path::{Path, PathBuf};

use crate::fs_atomic::write_atomic;

/// Default location, relative to the working directory (as the Python original used).
pub const DEFAULT_ENV_FILE: &str = ".env";

/// Why the `.env` file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum EnvFileError {
    /// Reading failed.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file does not parse.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What dotenvy reported.
        message: String,
    },
    /// Writing failed.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A `.env` file, line by line.
pub struct EnvFile {
    path: PathBuf,
    lines: Vec<String>,
    values: Vec<(String, String)>,
}

impl EnvFile {
    /// Read `path`; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<Self, EnvFileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(EnvFileError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let values = dotenvy::from_read_iter(text.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| EnvFileError::Parse {
                path: path.to_owned(),
                message: describe_error(&e),
            })?;
        Ok(Self {
            path: path.to_owned(),
            lines: text.lines().map(str::to_owned).collect(),
            values,
        })
    }

    /// The value of `key`, if the file sets it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Set `key` to `value`, replacing its line or appending one.
    pub fn set(&mut self, key: &str, value: &str) {
        let line = format!("{key}={}", quote(value));
        match self.lines.iter().rposition(|l| assigns(l, key)) {
            Some(i) => self.lines[i] = line,
            None => self.lines.push(line),
        }
        self.values.retain(|(k, _)| k != key);
        self.values.push((key.to_owned(), value.to_owned()));
    }

    /// Write the file atomically, readable by its owner only.
    pub fn save(&self) -> Result<(), EnvFileError> {
        let mut text = self.lines.join("\n");
        text.push('\n');
        write_atomic(&self.path, text.as_bytes(), 0o600).map_err(|source| EnvFileError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// A dotenvy error without the offending line's text: that line may hold a secret.
pub fn describe_error(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(line, _) => {
            let key = line.split('=').next().map(str::trim).filter(|k| {
                !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            match key {
                Some(key) => format!(
                    "the line setting {key} does not parse as KEY=VALUE (its value is not shown: it may be a secret); \
                     quote values that hold spaces or quotes"
                ),
                None => "a line does not parse as KEY=VALUE (not shown: it may hold a secret)"
                    .to_owned(),
            }
        }
        other => other.to_string(),
    }
}

fn assigns(line: &str, key: &str) -> bool {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    line.strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

/// Single quotes keep every character literally in dotenv syntax; a value holding one is
/// double-quoted with escapes instead.
fn quote(value: &str) -> String {
    if !value.contains('\'') {
        return format!("'{value}'");
    }
    let escaped = value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_line_is_reported_without_its_value() {
        let error = dotenvy::from_read_iter("GEMINI_API_KEY=sk-secret value\"\n".as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .err();
        let message = error.as_ref().map(describe_error).unwrap_or_default();
        assert!(message.contains("GEMINI_API_KEY"), "{message}");
        assert!(!message.contains("sk-secret"), "{message}");
    }

    #[test]
    fn set_replaces_or_appends_and_keeps_other_lines() -> Result<(), EnvFileError> {
        let dir = tempfile::tempdir().map_err(|source| EnvFileError::Read {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join(".env");
        std::fs::write(&path, "# keys\nexport A=1\nB = two\n").map_err(|source| {
            EnvFileError::Read {
                path: path.clone(),
                source,
            }
        })?;
        let mut env = EnvFile::load(&path)?;
        assert_eq!(env.get("B"), Some("two"));
        env.set("A", "new value");
        env.set("C", r#"it's "quoted" $HOME \n"#);
        env.save()?;
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            text.starts_with("# keys\nA='new value'\nB = two\nC="),
            "{text}"
        );
        let reread = EnvFile::load(&path)?;
        assert_eq!(reread.get("A"), Some("new value"));
        assert_eq!(reread.get("C"), Some(r#"it's "quoted" $HOME \n"#));
        assert_eq!(crate::fs_atomic::existing_mode(&path), Some(0o600));
        Ok(())
    }
}
