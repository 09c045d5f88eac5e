//! Editing the configuration file in place: the identity changes, everything else the
//! operator wrote (order, comments, spacing) stays as it was.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, TableLike, value};

use crate::config::{Config, ConfigError};
use crate::fs_atomic::{existing_mode, write_atomic};
use crate::identity::Identity;

/// The configuration shipped with Praximous, used as the template for a new file.
pub const TEMPLATE: &str = include_str!("../../config/praximous.toml");

/// A configuration file, parsed for editing.
pub struct ConfigDocument {
    path: PathBuf,
    doc: DocumentMut,
    exists: bool,
}

impl ConfigDocument {
    /// Open `path`, or start from [`TEMPLATE`] if it does not exist yet. The file must be
    /// a valid configuration: editing never starts from a broken one.
    pub fn open_or_template(path: &Path) -> Result<Self, ConfigError> {
        let (text, exists) = match std::fs::read_to_string(path) {
            Ok(text) => (text, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (TEMPLATE.to_owned(), false),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Config::parse(&text, path)?;
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| ConfigError::Invalid {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        Ok(Self {
            path: path.to_owned(),
            doc,
            exists,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file existed when opened.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// The configuration as it stands, edits included.
    pub fn config(&self) -> Result<Config, ConfigError> {
        Config::parse(&self.doc.to_string(), &self.path)
    }

    /// Set every identity field, keeping each key's comments and position.
    pub fn set_identity(&mut self, identity: &Identity) -> Result<(), ConfigError> {
        let table = self.identity_table()?;
        let fields = [
            ("system_name", identity.system_name.as_str()),
            ("business_name", &identity.business_name),
            ("industry", &identity.industry),
            ("persona_style", &identity.persona_style),
            ("sensitivity_level", identity.sensitivity_level.as_str()),
            ("location", &identity.location),
        ];
        for (key, new) in fields {
            set_keeping_decor(table, key, new);
        }
        Ok(())
    }

    /// Set `identity.system_name` only.
    pub fn set_system_name(&mut self, name: &str) -> Result<(), ConfigError> {
        set_keeping_decor(self.identity_table()?, "system_name", name);
        Ok(())
    }

    /// `[identity]` (or an inline `identity = { ... }`), created if absent.
    fn identity_table(&mut self) -> Result<&mut dyn TableLike, ConfigError> {
        let path = self.path.clone();
        self.doc
            .entry("identity")
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_like_mut()
            .ok_or(ConfigError::Value {
                path,
                key: "identity".into(),
                problem: "must be a table".into(),
            })
    }

    /// Validate the edited configuration, then write it atomically, keeping the file's mode.
    pub fn save(&self) -> Result<(), ConfigError> {
        let text = self.doc.to_string();
        Config::parse(&text, &self.path)?;
        let mode = existing_mode(&self.path).unwrap_or(0o644);
        write_atomic(&self.path, text.as_bytes(), mode).map_err(|source| ConfigError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

fn set_keeping_decor(table: &mut dyn TableLike, key: &str, new: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(existing) => {
            let decor = existing.decor().clone();
            *existing = toml_edit::Value::from(new);
            *existing.decor_mut() = decor;
        }
        None => {
            table.insert(key, value(new));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTED: &str = "# top comment\n[server]\nbind = \"127.0.0.1:9000\" # my port\n\n\
        [identity]\n# the name people see\nsystem_name = \"Old\"   # inline note\nindustry = \"Retail\"\n";

    #[test]
    fn rename_keeps_comments_and_other_keys() -> Result<(), ConfigError> {
        let dir = tempfile::tempdir().map_err(|source| ConfigError::Read {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("praximous.toml");
        std::fs::write(&path, COMMENTED).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let mut doc = ConfigDocument::open_or_template(&path)?;
        doc.set_system_name("New")?;
        doc.save()?;
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(text, COMMENTED.replace("\"Old\"", "\"New\""));
        Ok(())
    }

    #[test]
    fn missing_file_starts_from_the_template() -> Result<(), ConfigError> {
        let dir = tempfile::tempdir().map_err(|source| ConfigError::Read {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("new.toml");
        let mut doc = ConfigDocument::open_or_template(&path)?;
        assert!(!doc.exists());
        doc.set_identity(&Identity {
            system_name: "Prax".into(),
            ..Identity::default()
        })?;
        doc.save()?;
        let config = Config::parse(&std::fs::read_to_string(&path).unwrap_or_default(), &path)?;
        assert_eq!(config.identity.system_name, "Prax");
        Ok(())
    }

    #[test]
    fn an_edit_that_would_make_the_file_invalid_is_refused() -> Result<(), ConfigError> {
        let dir = tempfile::tempdir().map_err(|source| ConfigError::Read {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("c.toml");
        std::fs::write(&path, COMMENTED).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let mut doc = ConfigDocument::open_or_template(&path)?;
        set_keeping_decor(doc.identity_table()?, "sensitivity_level", "Extreme");
        assert!(doc.save().is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            COMMENTED,
            "file untouched"
        );
        Ok(())
    }
}
