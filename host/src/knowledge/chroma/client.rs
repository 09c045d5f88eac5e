//! A small client for the parts of Chroma's v2 HTTP API the meaning index uses: collections
//! (by name, with metadata), records (upsert, delete by filter, count) and nearest-neighbour
//! queries. Calls block the calling thread: the knowledge base does its index work on
//! blocking threads.

use std::future::Future;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::knowledge::vectors::VectorError;

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A Chroma server, one tenant and database of it.
#[derive(Debug, Clone)]
pub struct ChromaClient {
    http: reqwest::Client,
    base: String,
    tenant: String,
    database: String,
    token: Option<String>,
}

/// A collection as Chroma describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct RemoteCollection {
    /// Its id, which record calls take.
    pub id: String,
    /// Its metadata.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

/// A record's metadata, as Chroma may leave it out.
type Metadata = Option<Map<String, Value>>;

/// What a query found, per query vector.
#[derive(Debug, Deserialize)]
struct QueryAnswer {
    #[serde(default)]
    distances: Option<Vec<Vec<Option<f32>>>>,
    #[serde(default)]
    metadatas: Option<Vec<Vec<Metadata>>>,
}

/// One record found: its metadata and cosine distance to the query.
pub type Found = (Map<String, Value>, f32);

#[derive(Debug, Deserialize)]
struct ChromaError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

impl ChromaClient {
    /// A client of the server at `url`, sending `token` (if any) as a bearer token.
    pub fn new(
        url: &str,
        tenant: &str,
        database: &str,
        token: Option<String>,
    ) -> Result<Self, VectorError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| VectorError::Remote(format!("cannot make an HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: url.trim_end_matches('/').to_owned(),
            tenant: tenant.to_owned(),
            database: database.to_owned(),
            token,
        })
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn database_url(&self) -> String {
        format!(
            "{}/api/v2/tenants/{}/databases/{}",
            self.base, self.tenant, self.database
        )
    }

    fn collections_url(&self) -> String {
        format!("{}/collections", self.database_url())
    }

    /// Send a request and read its JSON answer; `None` when Chroma answers 404.
    fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Option<T>, VectorError> {
        let mut request = self.http.request(method.clone(), url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let what = format!("{method} {}", url.strip_prefix(&self.base).unwrap_or(url));
        blocking(async {
            let response = request.send().await.map_err(|e| {
                VectorError::Remote(format!(
                    "cannot reach Chroma at {} ({what}): {e}; is the server up? ([knowledge] chroma_url)",
                    self.base
                ))
            })?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(|e| {
                VectorError::Remote(format!("Chroma at {} ({what}): {e}", self.base))
            })?;
            if status == reqwest::StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !status.is_success() {
                let detail = serde_json::from_slice::<ChromaError>(&bytes)
                    .map(|e| format!("{}: {}", e.error, e.message))
                    .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
                let hint = match status.as_u16() {
                    401 | 403 => "; check the token in PRAX_CHROMA_TOKEN",
                    _ => "",
                };
                return Err(VectorError::Remote(format!(
                    "Chroma at {} answered {status} to {what}: {detail}{hint}",
                    self.base
                )));
            }
            serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                VectorError::Remote(format!(
                    "Chroma at {} answered {what} with something unexpected: {e}",
                    self.base
                ))
            })
        })?
    }

    fn expect<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<T, VectorError> {
        self.call(method.clone(), url, body)?.ok_or_else(|| {
            VectorError::Gone(format!(
                "Chroma at {} has no longer what {method} {url} names",
                self.base
            ))
        })
    }

    /// Make the database when the tenant has none of that name.
    pub fn ensure_database(&self) -> Result<(), VectorError> {
        let found: Option<Value> = self.call(reqwest::Method::GET, &self.database_url(), None)?;
        if found.is_none() {
            let url = format!("{}/api/v2/tenants/{}/databases", self.base, self.tenant);
            let _: Value = self.expect(
                reqwest::Method::POST,
                &url,
                Some(&json!({ "name": self.database })),
            )?;
        }
        Ok(())
    }

    /// The collection called `name`, if there is one.
    pub fn collection(&self, name: &str) -> Result<Option<RemoteCollection>, VectorError> {
        let url = format!("{}/{name}", self.collections_url());
        self.call(reqwest::Method::GET, &url, None)
    }

    /// Make a collection called `name` (cosine distance, the given graph settings).
    pub fn create_collection(
        &self,
        name: &str,
        hnsw: Value,
        metadata: Map<String, Value>,
    ) -> Result<RemoteCollection, VectorError> {
        let body = json!({
            "name": name,
            "configuration": { "hnsw": hnsw },
            "metadata": metadata,
        });
        self.expect(reqwest::Method::POST, &self.collections_url(), Some(&body))
    }

    /// Delete the collection called `name`, if there is one.
    pub fn delete_collection(&self, name: &str) -> Result<(), VectorError> {
        let url = format!("{}/{name}", self.collections_url());
        let _: Option<Value> = self.call(reqwest::Method::DELETE, &url, None)?;
        Ok(())
    }

    /// Replace a collection's metadata.
    pub fn set_metadata(&self, id: &str, metadata: Map<String, Value>) -> Result<(), VectorError> {
        let url = format!("{}/{id}", self.collections_url());
        let _: Value = self.expect(
            reqwest::Method::PUT,
            &url,
            Some(&json!({ "new_metadata": metadata })),
        )?;
        Ok(())
    }

    /// Add records, or replace those of the same ids.
    pub fn upsert(
        &self,
        id: &str,
        ids: &[String],
        embeddings: &[&[f32]],
        metadatas: &[Map<String, Value>],
    ) -> Result<(), VectorError> {
        let url = format!("{}/{id}/upsert", self.collections_url());
        let body = json!({ "ids": ids, "embeddings": embeddings, "metadatas": metadatas });
        let _: Value = self.expect(reqwest::Method::POST, &url, Some(&body))?;
        Ok(())
    }

    /// Delete every record that `filter` admits.
    pub fn delete_where(&self, id: &str, filter: Value) -> Result<(), VectorError> {
        let url = format!("{}/{id}/delete", self.collections_url());
        let _: Value = self.expect(
            reqwest::Method::POST,
            &url,
            Some(&json!({ "where": filter })),
        )?;
        Ok(())
    }

    /// How many records the collection holds.
    pub fn count(&self, id: &str) -> Result<usize, VectorError> {
        let url = format!("{}/{id}/count", self.collections_url());
        self.expect(reqwest::Method::GET, &url, None)
    }

    /// The `top_k` records nearest `query` among those `filter` admits.
    pub fn query(
        &self,
        id: &str,
        query: &[f32],
        top_k: usize,
        filter: Option<Value>,
    ) -> Result<Vec<Found>, VectorError> {
        let url = format!("{}/{id}/query", self.collections_url());
        let mut body = json!({
            "query_embeddings": [query],
            "n_results": top_k,
            "include": ["distances", "metadatas"],
        });
        if let (Some(filter), Some(fields)) = (filter, body.as_object_mut()) {
            fields.insert("where".into(), filter);
        }
        let answer: QueryAnswer = self.expect(reqwest::Method::POST, &url, Some(&body))?;
        let distances = answer
            .distances
            .and_then(|d| d.into_iter().next())
            .unwrap_or_default();
        let metadatas = answer
            .metadatas
            .and_then(|m| m.into_iter().next())
            .unwrap_or_default();
        Ok(metadatas
            .into_iter()
            .zip(distances)
            .filter_map(|(metadata, distance)| Some((metadata?, distance?)))
            .collect())
    }
}

/// Wait for `future` on this (blocking) thread.
fn blocking<F: Future>(future: F) -> Result<F::Output, VectorError> {
    let handle = tokio::runtime::Handle::try_current().map_err(|_| {
        VectorError::Remote("Chroma is called outside the server's async runtime".into())
    })?;
    Ok(match handle.runtime_flavor() {
        // Safe on a worker thread as well as a blocking one.
        tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(future))
        }
        _ => handle.block_on(future),
    })
}
