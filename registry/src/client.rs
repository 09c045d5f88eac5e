//! Reading a registry: over HTTP(S) from `prax registry serve` or any static mirror, or from
//! a directory (a mirror copied to disk).

use std::path::PathBuf;
use std::time::Duration;

use crate::bundle::Bundle;
use crate::index::{INDEX_FILE, Index, IndexVersion, version_dir};
use crate::signing::SIGNATURE_FILE;
use crate::skill_dir::MANIFEST_FILE;

/// Largest download accepted, in bytes.
pub const MAX_DOWNLOAD_BYTES: usize = 512 << 20;

/// Why the registry could not be read. Each says what failed and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No answer.
    #[error(
        "cannot reach the registry at {url}: {reason}; check the address, or install from a mirror directory or a bundle"
    )]
    Unreachable {
        /// What was asked for.
        url: String,
        /// Why.
        reason: String,
    },
    /// An HTTP error status.
    #[error(
        "the registry answered {status} for {url}; try again later, or install from a mirror directory or a bundle"
    )]
    Status {
        /// What was asked for.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer started but stopped before its end (a dropped connection, a proxy cut).
    #[error("the download of {url} ended early ({reason}); nothing was installed: try again")]
    Interrupted {
        /// What was asked for.
        url: String,
        /// Why.
        reason: String,
    },
    /// A file in a mirror directory could not be read.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The answer was not what a registry serves.
    #[error("{url}: {reason}")]
    Invalid {
        /// What was asked for.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// Where skills come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A registry or static mirror, by base URL.
    Url(String),
    /// A mirror on disk.
    Dir(PathBuf),
}

impl Source {
    /// `http://…` or `https://…` is a URL; anything else a directory.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("http://") || text.starts_with("https://") {
            Self::Url(text.trim_end_matches('/').to_owned())
        } else {
            Self::Dir(PathBuf::from(text))
        }
    }

    /// As the operator wrote it.
    pub fn describe(&self) -> String {
        match self {
            Self::Url(url) => url.clone(),
            Self::Dir(dir) => dir.display().to_string(),
        }
    }
}

/// A registry reader.
pub struct Client {
    source: Source,
    http: reqwest::Client,
}

impl Client {
    /// A reader of `source`.
    pub fn new(source: Source) -> Result<Self, FetchError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| FetchError::Unreachable {
                url: source.describe(),
                reason: e.to_string(),
            })?;
        Ok(Self { source, http })
    }

    /// The source read.
    pub fn source(&self) -> &Source {
        &self.source
    }

    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>, FetchError> {
        match &self.source {
            Source::Dir(dir) => {
                let file = dir.join(path);
                match tokio::fs::read(&file).await {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(FetchError::File {
                        path: file.display().to_string(),
                        reason: e.to_string(),
                    }),
                }
            }
            Source::Url(base) => {
                let url = format!("{base}/{path}");
                let unreachable = |e: reqwest::Error| FetchError::Unreachable {
                    url: url.clone(),
                    reason: e.to_string(),
                };
                let response = self.http.get(&url).send().await.map_err(unreachable)?;
                let status = response.status();
                if status == reqwest::StatusCode::NOT_FOUND {
                    return Ok(None);
                }
                if !status.is_success() {
                    return Err(FetchError::Status {
                        url,
                        status: status.as_u16(),
                    });
                }
                if response
                    .content_length()
                    .is_some_and(|n| n > MAX_DOWNLOAD_BYTES as u64)
                {
                    return Err(FetchError::Invalid {
                        url,
                        reason: format!("larger than {MAX_DOWNLOAD_BYTES} bytes"),
                    });
                }
                // A connection cut short ends the body early: reqwest reports it as an error.
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| FetchError::Interrupted {
                        url: url.clone(),
                        reason: e.to_string(),
                    })?;
                Ok(Some(bytes.to_vec()))
            }
        }
    }

    fn where_(&self, path: &str) -> String {
        match &self.source {
            Source::Url(base) => format!("{base}/{path}"),
            Source::Dir(dir) => dir.join(path).display().to_string(),
        }
    }

    /// The index.
    pub async fn index(&self) -> Result<Index, FetchError> {
        let bytes = self
            .get(INDEX_FILE)
            .await?
            .ok_or_else(|| FetchError::Invalid {
                url: self.where_(INDEX_FILE),
                reason: "no index.json here: is this a Praximous registry?".into(),
            })?;
        serde_json::from_slice(&bytes).map_err(|e| FetchError::Invalid {
            url: self.where_(INDEX_FILE),
            reason: format!("not a registry index: {e}"),
        })
    }

    /// The files of one version.
    pub async fn bundle(&self, name: &str, version: &IndexVersion) -> Result<Bundle, FetchError> {
        let dir = version_dir(name, &version.version);
        let required = |path: String, found: Option<Vec<u8>>| {
            found.ok_or_else(|| FetchError::Invalid {
                url: self.where_(&path),
                reason: "missing from the registry".into(),
            })
        };
        let manifest_path = format!("{dir}/{MANIFEST_FILE}");
        let manifest = required(manifest_path.clone(), self.get(&manifest_path).await?)?;
        let signature = self.get(&format!("{dir}/{SIGNATURE_FILE}")).await?;
        let component_path = format!("{dir}/{}", version.component);
        let component = required(component_path.clone(), self.get(&component_path).await?)?;
        Ok(Bundle {
            manifest,
            signature,
            component,
        })
    }
}
