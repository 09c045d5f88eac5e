//! `document_ingestion`: put a document into one of the operator's knowledge collections —
//! text given in the request (`add_text`), or a document fetched over `wasi:http` from a host
//! the operator allows this skill (`add_url`). The host reads, cuts and (when the collection is
//! searched by meaning) embeds it; only operator and admin keys may add documents.

use praximous_skill::host::{self, KnowledgeDocument, setting};
use praximous_skill::http::{self, HttpError, Limits};
use praximous_skill::{Reply, Request, Skill, SkillError, Url, export_skill, json};
use serde::Deserialize;

const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS: u64 = 20_000;
const USER_AGENT: &str = "Praximous-document_ingestion/1.0";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    operation: Option<String>,
    collection: Option<String>,
    id: Option<String>,
    title: Option<String>,
    content: Option<String>,
    media_type: Option<String>,
    url: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

fn input_error(details: impl Into<String>) -> SkillError {
    SkillError::bad_input("Input error").with_details(details.into())
}

/// A document id from the last segment of `url`'s path (else its host), in the characters ids
/// allow.
fn id_from_url(url: &Url) -> String {
    let last = url
        .path_segments()
        .and_then(|mut segments| segments.next_back().map(str::to_owned))
        .filter(|s| !s.is_empty())
        .or_else(|| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "document".to_owned());
    last.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(120)
        .collect()
}

/// What a fetched body is when its name does not say: HTML if it looks like it, a PDF by its
/// signature, else plain text.
fn sniff(id: &str, body: &[u8]) -> String {
    let named = [".md", ".markdown", ".txt", ".html", ".htm", ".pdf"];
    if named
        .iter()
        .any(|ext| id.to_ascii_lowercase().ends_with(ext))
    {
        return String::new();
    }
    if body.starts_with(b"%PDF-") {
        return "application/pdf".to_owned();
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    if head.contains("<html") || head.contains("<!doctype html") {
        "text/html".to_owned()
    } else {
        "text/plain".to_owned()
    }
}

fn fetch(url: &Url) -> Result<Vec<u8>, SkillError> {
    let number = |key: &str, default: u64| -> Result<u64, SkillError> {
        setting(key).map_or(Ok(default), |text| {
            text.trim().parse().map_err(|_| {
                SkillError::internal("Skill misconfigured").with_details(format!(
                    "The operator setting `{key}` in [skills.document_ingestion] is `{text}`, not a positive whole number."
                ))
            })
        })
    };
    let limits = Limits {
        max_bytes: usize::try_from(number("max_bytes", DEFAULT_MAX_BYTES as u64)?)
            .unwrap_or(DEFAULT_MAX_BYTES),
        timeout_ms: number("timeout_ms", DEFAULT_TIMEOUT_MS)?,
        max_redirects: 5,
    };
    let response = http::get(url, &[("user-agent", USER_AGENT)], &limits).map_err(|error| {
        match error {
            HttpError::Denied { host } => SkillError::denied("Network access denied").with_details(format!(
                "This skill may not fetch from '{host}'. An operator can allow it with `allow_hosts` in the [skills.document_ingestion] table of the configuration."
            )),
            prohibited @ HttpError::AddressProhibited { .. } => SkillError::from(prohibited),
            HttpError::TooLarge(limit) => input_error(format!(
                "The document at '{url}' is larger than {limit} bytes, the limit set for this skill (`max_bytes`)."
            )),
            HttpError::Timeout => input_error(format!("Could not fetch '{url}' in time (`timeout_ms`).")),
            HttpError::Redirect(problem) => input_error(format!("Could not follow '{url}': {problem}.")),
            HttpError::Network(problem) => input_error(format!("Could not fetch '{url}': {problem}")),
        }
    })?;
    if response.status >= 400 {
        return Err(input_error(format!(
            "Fetching '{url}' failed with status {}.",
            response.status
        )));
    }
    Ok(response.body)
}

struct DocumentIngestion;

impl Skill for DocumentIngestion {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let params = request.params;
        let operation = params.operation.clone().unwrap_or_else(|| {
            if params.url.is_some() {
                "add_url"
            } else {
                "add_text"
            }
            .to_owned()
        });
        let collection = params
            .collection
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| {
                input_error("Name the knowledge collection to add to as 'collection'.")
            })?;
        let (id, content, media_type, source) = match operation.as_str() {
            "add_text" => {
                let id = params.id.filter(|i| !i.trim().is_empty()).ok_or_else(|| {
                    input_error("Give the document an 'id' (e.g. 'handbook.md'); a document with the same id is replaced.")
                })?;
                let content = params.content.unwrap_or(request.prompt);
                if content.trim().is_empty() {
                    return Err(input_error(
                        "There is no text: send it as 'content' (or as the prompt).",
                    ));
                }
                let media_type = params.media_type.unwrap_or_default();
                (id, content.into_bytes(), media_type, None)
            }
            "add_url" => {
                let text = params
                    .url
                    .filter(|u| !u.trim().is_empty())
                    .ok_or_else(|| input_error("'url' is required to fetch a document."))?;
                let url = Url::parse(&text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| input_error(format!("'{text}' is not an http or https URL.")))?;
                let body = fetch(&url)?;
                let id = params
                    .id
                    .filter(|i| !i.trim().is_empty())
                    .unwrap_or_else(|| id_from_url(&url));
                let media_type = params.media_type.unwrap_or_else(|| sniff(&id, &body));
                (id, body, media_type, Some(url.to_string()))
            }
            other => {
                return Err(
                    SkillError::bad_input("Unsupported Operation").with_details(format!(
                        "Operation '{other}' is not supported: use add_text or add_url."
                    )),
                );
            }
        };
        let bytes = content.len();
        let stored = host::add_knowledge_document(
            &collection,
            &KnowledgeDocument {
                id: id.clone(),
                title: params.title.unwrap_or_default(),
                content,
                media_type,
                tags: params.tags,
            },
        )?;
        Ok(Reply::data(json!({
            "collection": collection,
            "document": id,
            "outcome": stored.outcome,
            "passages": stored.passages,
            "bytes": bytes,
            "source": source,
        }))
        .with_message(format!(
            "Document '{id}' {} in '{collection}' ({} passage(s))",
            stored.outcome, stored.passages
        )))
    }
}

export_skill!(DocumentIngestion);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_comes_from_the_url_path_in_the_characters_ids_allow() {
        let url = Url::parse("https://intranet.example/policies/Leave%20Policy.html?v=2").ok();
        assert_eq!(
            url.map(|u| id_from_url(&u)).as_deref(),
            Some("Leave-20Policy.html")
        );
        let bare = Url::parse("https://intranet.example/").ok();
        assert_eq!(
            bare.map(|u| id_from_url(&u)).as_deref(),
            Some("intranet.example")
        );
    }

    #[test]
    fn a_body_whose_name_does_not_say_is_sniffed() {
        assert_eq!(sniff("page", b"<!DOCTYPE html><html>"), "text/html");
        assert_eq!(sniff("report", b"%PDF-1.7 ..."), "application/pdf");
        assert_eq!(sniff("notes", b"just words"), "text/plain");
        assert_eq!(sniff("notes.md", b"<html>"), "", "the name says");
    }
}
