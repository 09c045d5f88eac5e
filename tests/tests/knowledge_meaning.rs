//! Search by meaning, end to end: passages embedded at upload through a stand-in provider
//! speaking OpenAI's embeddings API over HTTP, the question embedded at search, words and
//! meaning fused; unchanged passages keep their vectors; an embedding failure stores nothing;
//! the meaning index survives a restart and is rebuilt when damaged; a changed model re-embeds
//! while the old vectors serve.

use std::time::{Duration, Instant};

use praximous_e2e::knowledge::{LEAVE, TRAVEL, embedding_config, make_collection, search, upload};
use praximous_e2e::standin::embed::Embedding;
use praximous_e2e::standin::{Fault, Flavour, StandIn};
use praximous_e2e::{Answer, Server, client, get};
use serde_json::{Value, json};

/// A server whose `[knowledge] embedding_route` embeds through `standin` with `model`.
fn config(standin: &StandIn, model: &str) -> String {
    embedding_config(&standin.base_url, model)
}

async fn concept_server() -> anyhow::Result<(StandIn, Server)> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_embedding(Embedding::Concepts);
    let server = Server::start_with_config(&config(&standin, "concepts-v1"), |_| {})?;
    Ok((standin, server))
}

async fn upload_policies(server: &Server) -> anyhow::Result<()> {
    make_collection(server, "policies").await?;
    let stored = upload(
        &client(),
        server,
        "policies",
        &[
            ("leave.md", "text/markdown", LEAVE.as_bytes()),
            ("travel.md", "text/markdown", TRAVEL.as_bytes()),
        ],
        &[],
    )
    .await?;
    anyhow::ensure!(stored.status == 201, "{}", stored.text);
    Ok(())
}

/// (document, first heading below the title, lexical rank, vector rank) of each passage.
fn ranked(answer: &Answer) -> Vec<(String, String, Value, Value)> {
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
                    .and_then(|h| h.last())
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                p["lexical_rank"].clone(),
                p["vector_rank"].clone(),
            )
        })
        .collect()
}

async fn collection(server: &Server, name: &str) -> anyhow::Result<Value> {
    let answer = get(
        &client(),
        &server.url(&format!("/api/v1/knowledge/collections/{name}")),
    )
    .await?;
    anyhow::ensure!(answer.status == 200, "{}", answer.text);
    Ok(answer.json)
}

/// The texts the stand-in was asked to embed, in order.
fn embedded_texts(standin: &StandIn) -> Vec<String> {
    standin
        .requests()
        .iter()
        .filter(|r| r.get("input").is_some())
        .flat_map(|r| match &r["input"] {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            Value::String(text) => vec![text.clone()],
            _ => Vec::new(),
        })
        .collect()
}

#[tokio::test]
async fn hybrid_search_finds_by_meaning_what_the_words_miss() -> anyhow::Result<()> {
    let (standin, server) = concept_server().await?;
    upload_policies(&server).await?;
    let stats = collection(&server, "policies").await?;
    assert_eq!(stats["embedding"]["route"], "embed", "{stats}");
    assert_eq!(stats["embedding"]["model"], "concepts-v1", "{stats}");
    assert_eq!(stats["embedding"]["dimension"], 7, "{stats}");
    assert_eq!(stats["embedding"]["vectors"], stats["chunks"], "{stats}");
    // Each passage was embedded with its headings, through the provider's own API.
    let texts = embedded_texts(&standin);
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Staff handbook\nAnnual leave\n")),
        "{texts:?}"
    );
    assert!(
        standin
            .requests()
            .iter()
            .all(|r| r["model"] == "concepts-v1"),
        "{:?}",
        standin.requests()
    );

    // No word of "vacation allowance" is in the handbook.
    let question = "vacation allowance";
    let words = search(
        &server,
        "policies",
        &json!({"query": question, "mode": "lexical"}),
    )
    .await?;
    assert_eq!(words.status, 200, "{}", words.text);
    assert_eq!(ranked(&words), vec![], "{}", words.text);
    let meaning = search(
        &server,
        "policies",
        &json!({"query": question, "mode": "vector"}),
    )
    .await?;
    assert_eq!(meaning.json["mode"], "vector", "{}", meaning.text);
    let first = &ranked(&meaning)[0];
    assert_eq!(
        (first.0.as_str(), first.1.as_str()),
        ("leave.md", "Annual leave"),
        "{}",
        meaning.text
    );
    let both = search(&server, "policies", &json!({"query": question})).await?;
    assert_eq!(both.json["mode"], "hybrid", "{}", both.text);
    let first = &ranked(&both)[0];
    assert_eq!(
        (first.0.as_str(), first.1.as_str()),
        ("leave.md", "Annual leave"),
        "{}",
        both.text
    );
    assert_eq!((&first.2, &first.3), (&Value::Null, &json!(1)));

    // A passage both find ranks first in the fusion, and says where each put it.
    let both = search(&server, "policies", &json!({"query": "flights economy"})).await?;
    let first = &ranked(&both)[0];
    assert_eq!(first.0, "travel.md", "{}", both.text);
    assert_eq!(
        (&first.2, &first.3),
        (&json!(1), &json!(1)),
        "{}",
        both.text
    );

    // Filters hold inside the meaning index: only the travel policy is searched.
    let filtered = search(
        &server,
        "policies",
        &json!({"query": question, "mode": "vector", "filters": {"documents": ["travel.md"]}}),
    )
    .await?;
    let documents: Vec<String> = ranked(&filtered).into_iter().map(|r| r.0).collect();
    assert!(
        !documents.is_empty() && documents.iter().all(|d| d == "travel.md"),
        "{}",
        filtered.text
    );
    Ok(())
}

#[tokio::test]
async fn a_replaced_document_embeds_only_its_changed_passages() -> anyhow::Result<()> {
    let (standin, server) = concept_server().await?;
    upload_policies(&server).await?;
    let before = embedded_texts(&standin).len();
    let changed = LEAVE.replace("before ten o'clock", "before nine o'clock");
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", changed.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(
        stored.json["documents"][0]["outcome"], "replaced",
        "{}",
        stored.text
    );
    let texts = embedded_texts(&standin);
    let new: Vec<&String> = texts[before..].iter().collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].contains("before nine o'clock"), "{new:?}");
    let sick = search(
        &server,
        "policies",
        &json!({"query": "feeling unwell", "mode": "vector", "top_k": 1}),
    )
    .await?;
    assert_eq!(ranked(&sick)[0].1, "Sick leave", "{}", sick.text);
    assert!(
        sick.json["passages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("nine"),
        "{}",
        sick.text
    );
    Ok(())
}

#[tokio::test]
async fn when_embedding_fails_nothing_is_stored_and_words_still_answer() -> anyhow::Result<()> {
    let (standin, server) = concept_server().await?;
    upload_policies(&server).await?;
    standin.set_fault(Fault::Unavailable);
    let refused = upload(
        &client(),
        &server,
        "policies",
        &[(
            "extra.md",
            "text/markdown",
            b"# Parking\n\nPark in bay four.\n",
        )],
        &[],
    )
    .await?;
    assert_eq!(refused.status, 503, "{}", refused.text);
    let detail = refused.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("route `embed`") && detail.contains("nothing was stored"),
        "{detail}"
    );
    let listed = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
    )
    .await?;
    assert_eq!(
        listed.json.as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );
    // A hybrid search whose question cannot be embedded answers by words, and says so.
    let hybrid = search(&server, "policies", &json!({"query": "receipts"})).await?;
    assert_eq!(hybrid.status, 200, "{}", hybrid.text);
    assert_eq!(hybrid.json["mode"], "lexical", "{}", hybrid.text);
    assert!(
        hybrid.json["note"]
            .as_str()
            .unwrap_or_default()
            .starts_with("searched by words alone"),
        "{}",
        hybrid.text
    );
    assert_eq!(ranked(&hybrid)[0].0, "travel.md");
    let vector = search(
        &server,
        "policies",
        &json!({"query": "receipts", "mode": "vector"}),
    )
    .await?;
    assert_eq!(vector.status, 503, "{}", vector.text);
    Ok(())
}

#[tokio::test]
async fn without_an_embedding_route_vector_search_is_refused_and_hybrid_uses_words()
-> anyhow::Result<()> {
    let server = Server::start()?;
    make_collection(&server, "plain").await?;
    upload(
        &client(),
        &server,
        "plain",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    let stats = collection(&server, "plain").await?;
    assert!(stats.get("embedding").is_none(), "{stats}");
    let vector = search(
        &server,
        "plain",
        &json!({"query": "leave", "mode": "vector"}),
    )
    .await?;
    assert_eq!(vector.status, 409, "{}", vector.text);
    assert!(vector.text.contains("embedding_route"), "{}", vector.text);
    let hybrid = search(&server, "plain", &json!({"query": "leave"})).await?;
    assert_eq!(hybrid.json["mode"], "lexical", "{}", hybrid.text);
    assert!(hybrid.json.get("note").is_none(), "{}", hybrid.text);
    // A collection may not name a route that does not embed.
    let made = praximous_e2e::post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections"),
        &json!({"name": "other", "embedding_route": "nowhere"}),
    )
    .await?;
    assert_eq!(made.status, 422, "{}", made.text);
    Ok(())
}

#[tokio::test]
async fn the_meaning_index_is_saved_reopened_and_rebuilt_when_damaged() -> anyhow::Result<()> {
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_embedding(Embedding::Concepts);
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config_file = work.path().join("praximous.toml");
    std::fs::write(&config_file, config(&standin, "concepts-v1"))?;
    let config_arg = config_file.display().to_string();
    let start = || Server::start_in(work.path(), &data, &["--config", &config_arg]);
    let mut server = start()?;
    upload_policies(&server).await?;
    // Saved once the collection has been quiet a moment.
    let knowledge = data.join("knowledge");
    let deadline = Instant::now() + Duration::from_secs(20);
    let current = loop {
        let found = std::fs::read_dir(&knowledge)?
            .flatten()
            .map(|e| e.path().join("vectors").join("CURRENT"))
            .find(|p| p.is_file());
        if let Some(found) = found {
            break found;
        }
        anyhow::ensure!(Instant::now() < deadline, "never saved: {}", server.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    server.stop();
    let builds = |server: &Server| server.log().matches("meaning index built").count();
    let built_before = builds(&server);

    let server = start()?;
    let answer = search(
        &server,
        "policies",
        &json!({"query": "vacation", "mode": "vector"}),
    )
    .await?;
    assert_eq!(ranked(&answer)[0].1, "Annual leave", "{}", answer.text);
    assert_eq!(
        builds(&server),
        built_before,
        "reopened, not rebuilt: {}",
        server.log()
    );
    drop(server);

    let generation = current.with_file_name(std::fs::read_to_string(&current)?.trim());
    let graph = generation.join("graph.usearch");
    let mut bytes = std::fs::read(&graph)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&graph, bytes)?;
    let server = start()?;
    assert!(
        server.wait_for_log("meaning index cannot be used", Duration::from_secs(20)),
        "{}",
        server.log()
    );
    let answer = search(
        &server,
        "policies",
        &json!({"query": "vacation", "mode": "vector"}),
    )
    .await?;
    assert_eq!(ranked(&answer)[0].1, "Annual leave", "{}", answer.text);
    Ok(())
}

#[tokio::test]
async fn a_changed_model_re_embeds_every_passage_while_the_old_vectors_serve() -> anyhow::Result<()>
{
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_embedding(Embedding::Concepts);
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config_file = work.path().join("praximous.toml");
    let config_arg = config_file.display().to_string();
    std::fs::write(&config_file, config(&standin, "concepts-v1"))?;
    let mut server = Server::start_in(work.path(), &data, &["--config", &config_arg])?;
    upload_policies(&server).await?;
    let chunks = collection(&server, "policies").await?["chunks"].clone();
    server.stop();

    // The provider now embeds with another model, of another dimension.
    std::fs::write(&config_file, config(&standin, "concepts-v2"))?;
    let server = Server::start_in(work.path(), &data, &["--config", &config_arg])?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Searches by meaning answer all along, with whichever model is current.
        let answer = search(
            &server,
            "policies",
            &json!({"query": "vacation", "mode": "hybrid"}),
        )
        .await?;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(ranked(&answer)[0].1, "Annual leave", "{}", answer.text);
        let stats = collection(&server, "policies").await?;
        if stats["embedding"]["model"] == "concepts-v2" {
            assert_eq!(stats["embedding"]["dimension"], 9, "{stats}");
            assert_eq!(stats["embedding"]["vectors"], chunks, "{stats}");
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "never switched: {stats}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = search(
        &server,
        "policies",
        &json!({"query": "plane", "mode": "vector"}),
    )
    .await?;
    assert_eq!(ranked(&answer)[0].0, "travel.md", "{}", answer.text);
    let v2: usize = standin
        .requests()
        .iter()
        .filter(|r| r["model"] == "concepts-v2")
        .map(|r| r["input"].as_array().map_or(1, Vec::len))
        .sum();
    let seen: Vec<(Value, usize)> = standin
        .requests()
        .iter()
        .map(|r| {
            (
                r["model"].clone(),
                r["input"].as_array().map_or(1, Vec::len),
            )
        })
        .collect();
    assert!(
        v2 as u64 > chunks.as_u64().unwrap_or_default(),
        "every passage and the questions: {v2} {seen:?}"
    );
    // The switch is committed before the line that reports it is written.
    assert!(
        server.wait_for_log(
            "now searched with vectors of its route's model",
            Duration::from_secs(5)
        ),
        "{}",
        server.log()
    );
    Ok(())
}
