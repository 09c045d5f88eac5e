//! Per-installation secrets: 32 random bytes, created on first use. Those kept in files are
//! readable by the owner only and written atomically (two processes starting together agree
//! on one); the store keeps those every replica must share.

use std::io::Write as _;
use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};

/// A 32-byte secret; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 32]);

impl Secret {
    /// The secret's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A fresh random secret.
    pub fn random() -> Result<Self, ring::error::Unspecified> {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes)?;
        Ok(Self(bytes))
    }
}

impl TryFrom<&[u8]> for Secret {
    type Error = std::array::TryFromSliceError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        bytes.try_into().map(Self)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Why a secret could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    /// Reading, creating or writing the file failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not a secret this host wrote.
    #[error("{path}: not a 32-byte secret; delete it and a new one is made")]
    Damaged {
        /// The file.
        path: String,
    },
}

/// The secret in `path`, made (owner-only) if the file does not exist yet.
pub fn load_or_create(path: &Path) -> Result<Secret, SecretFileError> {
    let io = |e: std::io::Error| SecretFileError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            return bytes
                .try_into()
                .map(Secret)
                .map_err(|_| SecretFileError::Damaged {
                    path: path.display().to_string(),
                });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let secret = Secret::random()
        .map_err(|_| io(std::io::Error::other("the system's random source failed")))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    file.write_all(secret.as_bytes()).map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    // Owner-only before it has its name; tempfile already creates it 0600 on Unix.
    match file.persist_noclobber(path) {
        Ok(_) => Ok(secret),
        // Another process made it first: use theirs.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            let bytes = std::fs::read(path).map_err(io)?;
            bytes
                .try_into()
                .map(Secret)
                .map_err(|_| SecretFileError::Damaged {
                    path: path.display().to_string(),
                })
        }
        Err(e) => Err(io(e.error)),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn a_secret_is_made_once_owner_only_and_then_read() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("keys/cache.key");
        let first = super::load_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
        let second = super::load_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, second);
        assert_ne!(first.as_bytes(), &[0u8; 32]);
        assert_eq!(format!("{first:?}"), "Secret(..)");
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default();
        assert_eq!(mode, 0o600);
        std::fs::write(&path, b"short").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            super::load_or_create(&path).is_err(),
            "a damaged file is reported"
        );
    }
}
