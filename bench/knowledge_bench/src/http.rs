//! prax's knowledge API, as the benchmark calls it.

use anyhow::bail;
use serde_json::{Value, json};

use crate::corpus::tagged;

/// A client of one server, with a key.
pub struct Api {
    /// The HTTP client (a pool shared by every task).
    pub http: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The API key.
    pub key: String,
}

/// A passage a search returned: the number in its tag, its document and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The passage's number.
    pub number: usize,
    /// Its document.
    pub document: String,
    /// Its position there.
    pub position: u64,
}

impl Api {
    /// POST `body` as JSON to `path`.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}{path}", self.url))
            .header("X-API-Key", &self.key)
            .json(body)
            .send()
            .await?)
    }

    /// Search collection `bench` for the top 10 by `mode`.
    pub async fn search(&self, query: &str, mode: &str) -> anyhow::Result<Vec<Found>> {
        let response = self
            .post(
                "/api/v1/knowledge/collections/bench/search",
                &json!({"query": query, "top_k": 10, "mode": mode}),
            )
            .await?;
        if !response.status().is_success() {
            bail!("search: {} {}", response.status(), response.text().await?);
        }
        let body: Value = response.json().await?;
        Ok(body["passages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                let (_, number) = tagged(p["text"].as_str()?)?;
                Some(Found {
                    number,
                    document: p["document"].as_str()?.to_owned(),
                    position: p["position"].as_u64()?,
                })
            })
            .collect())
    }

    /// Upload `documents` to collection `bench`, two to a request (as a person would, a
    /// folder at a time), named `doc{n}.md`.
    pub async fn upload(&self, documents: &[String]) -> anyhow::Result<()> {
        for (index, pair) in documents.chunks(2).enumerate() {
            let mut form = reqwest::multipart::Form::new();
            for (offset, text) in pair.iter().enumerate() {
                form = form.part(
                    "file",
                    reqwest::multipart::Part::text(text.clone())
                        .file_name(format!("doc{}.md", index * 2 + offset)),
                );
            }
            let response = self
                .http
                .post(format!(
                    "{}/api/v1/knowledge/collections/bench/documents",
                    self.url
                ))
                .header("X-API-Key", &self.key)
                .multipart(form)
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("upload: {}", response.text().await?);
            }
        }
        Ok(())
    }
}
