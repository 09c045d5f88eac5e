//! Reading a registry: over HTTP(S) from `prax registry serve` or any static mirror, or from
//! a directory (a mirror copied to disk).

use std::path::PathBuf;
use std::time::Duration;

use crate::bundle::Bundle;
use crate::index::{INDEX_FILE, Index, IndexVersion, version_dir};
use crate::signing::SIGNATURE_FILE;
use crate::skill_dir::MANIFEST_FILE;

/// Largest component accepted, in bytes, counted as it is read (a registry's
/// `Content-Length` is not trusted, and a chunked answer has none).
pub const MAX_DOWNLOAD_BYTES: usize = 512 << 20;

/// Largest index, manifest or signature accepted, in bytes.
pub const MAX_METADATA_BYTES: usize = 16 << 20;

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
    /// The registry answered a request for one skill with another (or another version).
    #[error(
        "asked {source_} for {requested} and it sent {received}; nothing was installed: the registry or the path to it is not to be trusted"
    )]
    Mismatch {
        /// The registry.
        source_: String,
        /// `name version` asked for.
        requested: String,
        /// What the manifest says.
        received: String,
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
    max_component_bytes: usize,
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
        Ok(Self {
            source,
            http,
            max_component_bytes: MAX_DOWNLOAD_BYTES,
        })
    }

    /// The same reader, accepting components of at most `bytes` (never more than
    /// [`MAX_DOWNLOAD_BYTES`]).
    pub fn with_component_limit(mut self, bytes: usize) -> Self {
        self.max_component_bytes = bytes.min(MAX_DOWNLOAD_BYTES);
        self
    }

    /// The source read.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The file at `path` (relative, `/`-separated), at most `limit` bytes, or `None` if the
    /// registry has no such file.
    async fn get(&self, path: &str, limit: usize) -> Result<Option<Vec<u8>>, FetchError> {
        match &self.source {
            Source::Dir(dir) => read_in_mirror(dir, path, limit).await,
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
                let too_large = || FetchError::Invalid {
                    url: url.clone(),
                    reason: format!("larger than {limit} bytes"),
                };
                if response.content_length().is_some_and(|n| n > limit as u64) {
                    return Err(too_large());
                }
                // Counted as it arrives: a chunked answer, or one that sends more than its
                // Content-Length says, stops at the limit.
                let mut body = Vec::new();
                let mut response = response;
                loop {
                    // A connection cut short ends the body early: reqwest reports it as an error.
                    let chunk = response
                        .chunk()
                        .await
                        .map_err(|e| FetchError::Interrupted {
                            url: url.clone(),
                            reason: e.to_string(),
                        })?;
                    let Some(chunk) = chunk else { break };
                    if body.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(Some(body))
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
            .get(INDEX_FILE, MAX_METADATA_BYTES)
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

    /// The files of one version, which must be that version of that skill: a manifest of
    /// another name, version or digest than the index entry is refused.
    pub async fn bundle(&self, name: &str, version: &IndexVersion) -> Result<Bundle, FetchError> {
        let dir = version_dir(name, &version.version);
        if !is_plain_file_name(&version.component) {
            return Err(FetchError::Invalid {
                url: self.where_(INDEX_FILE),
                reason: format!(
                    "{name} {}: component `{}` is not a plain file name",
                    version.version, version.component
                ),
            });
        }
        let required = |path: String, found: Option<Vec<u8>>| {
            found.ok_or_else(|| FetchError::Invalid {
                url: self.where_(&path),
                reason: "missing from the registry".into(),
            })
        };
        let manifest_path = format!("{dir}/{MANIFEST_FILE}");
        let manifest = required(
            manifest_path.clone(),
            self.get(&manifest_path, MAX_METADATA_BYTES).await?,
        )?;
        let signature = self
            .get(&format!("{dir}/{SIGNATURE_FILE}"), MAX_METADATA_BYTES)
            .await?;
        let component_path = format!("{dir}/{}", version.component);
        let component = required(
            component_path.clone(),
            self.get(&component_path, self.max_component_bytes).await?,
        )?;
        let bundle = Bundle {
            manifest,
            signature,
            component,
        };
        let received = bundle.parse_manifest().map_err(|e| FetchError::Invalid {
            url: self.where_(&manifest_path),
            reason: e.to_string(),
        })?;
        // semver's equality includes build metadata: 1.2.0+evil is not 1.2.0.
        if received.name.as_str() != name
            || received.version != version.version
            || received.sha256.to_string() != version.sha256
        {
            return Err(FetchError::Mismatch {
                source_: self.source.describe(),
                requested: format!("{name} {} ({})", version.version, version.sha256),
                received: format!(
                    "{} {} ({})",
                    received.name, received.version, received.sha256
                ),
            });
        }
        Ok(bundle)
    }
}

/// A name with no directory in it: what an index may give as a component's file name.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// `path` under the mirror folder `dir`, at most `limit` bytes. Nothing outside the mirror is
/// read: a path that climbs out of it, or goes through a symbolic link, is refused.
async fn read_in_mirror(
    dir: &std::path::Path,
    path: &str,
    limit: usize,
) -> Result<Option<Vec<u8>>, FetchError> {
    use std::path::Component;
    let file = dir.join(path);
    let refused = |reason: &str| FetchError::File {
        path: file.display().to_string(),
        reason: reason.to_owned(),
    };
    let relative = std::path::Path::new(path);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(refused("not a path inside the mirror"));
    }
    let mut walked = dir.to_owned();
    for part in relative.components() {
        walked.push(part);
        match tokio::fs::symlink_metadata(&walked).await {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refused(
                    "is or goes through a symbolic link; a mirror holds plain files only",
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(refused(&e.to_string())),
        }
    }
    let meta = tokio::fs::metadata(&file)
        .await
        .map_err(|e| refused(&e.to_string()))?;
    if !meta.is_file() {
        return Err(refused("not a file"));
    }
    if meta.len() > limit as u64 {
        return Err(refused(&format!("larger than {limit} bytes")));
    }
    let bytes = tokio::fs::read(&file)
        .await
        .map_err(|e| refused(&e.to_string()))?;
    if bytes.len() > limit {
        return Err(refused(&format!("larger than {limit} bytes")));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_names_from_an_index_are_plain_file_names() {
        assert!(is_plain_file_name("skill.wasm"));
        for bad in ["", ".", "..", "../x.wasm", "a/b.wasm", "a\\b", "x\0"] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_mirror_serves_only_plain_files_inside_it_and_within_the_limit() {
        let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, b"secret").unwrap_or_else(|e| panic!("{e}"));
        let mirror = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(mirror.path().join("index.json"), b"{}").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&secret, mirror.path().join("link.txt"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(outside.path(), mirror.path().join("skills"))
            .unwrap_or_else(|e| panic!("{e}"));
        let read = |path: &'static str, limit| read_in_mirror(mirror.path(), path, limit);
        assert_eq!(
            read("index.json", 10).await.ok().flatten(),
            Some(b"{}".to_vec())
        );
        assert!(read("index.json", 1).await.is_err(), "over the limit");
        assert!(read("link.txt", 100).await.is_err(), "a symbolic link");
        assert!(
            read("skills/secret.txt", 100).await.is_err(),
            "through a link"
        );
        assert!(read("../secret.txt", 100).await.is_err(), "outside");
        assert!(matches!(read("missing.json", 100).await, Ok(None)));
    }
}
