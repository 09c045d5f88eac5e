//! Helpers for the knowledge end-to-end tests: two small policy documents, an upload as the
//! web UI and `curl -F` send one, a search, and what a search found.

use serde_json::{Value, json};

use crate::{Answer, Server, client, post_json};

/// A Markdown handbook: a title, and two sections under it.
pub const LEAVE: &str = "# Staff handbook\n\n## Annual leave\n\nEvery employee gets twenty-five days of annual leave per calendar year. \
Unused leave may be carried over until the end of March.\n\n## Sick leave\n\nReport sickness to your manager before ten o'clock.\n";
/// A Markdown travel policy.
pub const TRAVEL: &str = "# Travel policy\n\nBook flights through the travel portal. Economy class for trips under six hours.\n\n\
## Expenses\n\nClaim expenses within thirty days with receipts. Leave the receipts with finance.\n";

/// Upload `files` (name, type, bytes) to `collection` with form `fields`, as multipart.
pub async fn upload(
    http: &reqwest::Client,
    server: &Server,
    collection: &str,
    files: &[(&str, &str, &[u8])],
    fields: &[(&str, &str)],
) -> anyhow::Result<Answer> {
    let mut form = reqwest::multipart::Form::new();
    for (name, content_type, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name((*name).to_owned())
            .mime_str(content_type)?;
        form = form.part("file", part);
    }
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    let response = http
        .post(server.url(&format!(
            "/api/v1/knowledge/collections/{collection}/documents"
        )))
        .multipart(form)
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok(Answer {
        status,
        request_id: None,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    })
}

/// POST `body` to `collection`'s search.
pub async fn search(server: &Server, collection: &str, body: &Value) -> anyhow::Result<Answer> {
    post_json(
        &client(),
        &server.url(&format!(
            "/api/v1/knowledge/collections/{collection}/search"
        )),
        body,
    )
    .await
}

/// (document, heading path) of each passage found.
pub fn found(answer: &Answer) -> Vec<(String, Vec<String>)> {
    answer.json["passages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p["document"].as_str().unwrap_or_default().to_owned(),
                p["heading_path"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|h| h.as_str().unwrap_or_default().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Make the collection `name`.
pub async fn make_collection(server: &Server, name: &str) -> anyhow::Result<()> {
    let made = post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections"),
        &json!({"name": name, "description": "Company policies"}),
    )
    .await?;
    anyhow::ensure!(made.status == 201, "{}", made.text);
    Ok(())
}

/// A configuration whose `[knowledge] embedding_route` embeds through the OpenAI-compatible
/// provider at `base_url` with `model` (no other provider, no chat model in use); on the
/// suite's pass on Chroma, the vectors are kept there.
pub fn embedding_config(base_url: &str, model: &str) -> String {
    let store = crate::chroma::suite_chroma()
        .map(|url| crate::chroma::chroma_keys(&url))
        .unwrap_or_default();
    embedding_config_with(base_url, model, &store)
}

/// As [`embedding_config`], with `knowledge_keys` added to `[knowledge]`.
pub fn embedding_config_with(base_url: &str, model: &str, knowledge_keys: &str) -> String {
    format!(
        "[routing.rules]\nembed = [\"vectors\"]\n\n[knowledge]\nembedding_route = \"embed\"\n{knowledge_keys}\n\
         [[providers]]\nname = \"vectors\"\ntype = \"openai\"\nmodel = \"chat\"\nbase_url = \"{base_url}\"\nembedding_model = \"{model}\"\n"
    )
}
