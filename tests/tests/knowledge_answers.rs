//! Cited answers: the `knowledge_retrieval` skill answers from the passages of a collection
//! with numbered citations, says so when nothing matches, and searches only the collections its
//! manifest and the operator allow.

use praximous_e2e::knowledge::{LEAVE, TRAVEL, make_collection, upload};
use praximous_e2e::registry::path;
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Answer, Server, client, get, post_json};
use serde_json::{Value, json};

/// A server whose LLM is a stand-in speaking OpenAI's protocol, with `extra` configuration.
async fn with_llm(extra: &str) -> anyhow::Result<(Server, StandIn, tempfile::TempDir)> {
    let provider = StandIn::start(Flavour::Openai, None).await?;
    let work = tempfile::tempdir()?;
    let config = work.path().join("praximous.toml");
    std::fs::write(
        &config,
        format!(
            "[[providers]]\nname = \"writer\"\ntype = \"openai\"\nmodel = \"small-model\"\nbase_url = \"{}\"\n{extra}",
            provider.base_url
        ),
    )?;
    let server = Server::start_in(
        work.path(),
        &work.path().join("data"),
        &["--config", &path(&config)],
    )?;
    make_collection(&server, "policies").await?;
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[
            ("leave.md", "text/markdown", LEAVE.as_bytes()),
            ("travel.md", "text/markdown", TRAVEL.as_bytes()),
        ],
        &[],
    )
    .await?;
    anyhow::ensure!(stored.status == 201, "{}", stored.text);
    Ok((server, provider, work))
}

async fn ask(server: &Server, body: Value) -> anyhow::Result<Answer> {
    post_json(&client(), &server.url("/api/v1/process"), &body).await
}

#[tokio::test]
async fn knowledge_retrieval_answers_from_the_passages_and_cites_them() -> anyhow::Result<()> {
    let (server, provider, _work) = with_llm("").await?;
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "How many days of annual leave?", "collection": "policies", "top_k": 2}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let result = &answer.json["result"];
    assert_eq!(result["found"], true, "{}", answer.text);

    // The LLM was given the numbered passages and the question, and told to cite them.
    let sent = provider.requests().pop().unwrap_or_default();
    let system = sent["messages"][0]["content"].as_str().unwrap_or_default();
    assert!(
        system.contains("using only the numbered passages"),
        "{system}"
    );
    let user = sent["messages"][1]["content"].as_str().unwrap_or_default();
    assert!(
        user.starts_with(
            "Passages:\n\n[1] (Staff handbook › Annual leave)\nEvery employee gets twenty-five days"
        ),
        "{user}"
    );
    assert!(
        user.ends_with("Question: How many days of annual leave?"),
        "{user}"
    );

    // The stand-in repeats the message, so the answer cites [1] and [2]: both are listed,
    // with their documents and places, and the passages come along.
    assert_eq!(result["citations"][0]["number"], 1, "{}", answer.text);
    assert_eq!(result["citations"][0]["document"], "leave.md");
    assert_eq!(
        result["citations"][0]["heading_path"],
        json!(["Staff handbook", "Annual leave"])
    );
    assert_eq!(result["passages"].as_array().map(Vec::len), Some(2));
    assert!(
        result["passages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("twenty-five days")
    );
    assert_eq!(result["provider"], "writer");

    // The manifest's own example works against these documents.
    let capabilities = get(
        &client(),
        &server.url("/api/v1/skills/knowledge_retrieval/capabilities"),
    )
    .await?;
    let example = capabilities.json["operations"]["answer"]["example_request_payload"].clone();
    let answer = ask(&server, example.clone()).await?;
    assert_eq!(answer.status, 200, "{example}: {}", answer.text);
    assert_eq!(
        answer.json["result"]["citations"][0]["document"],
        "leave.md"
    );

    // Nothing on it in the documents: said so, and the LLM is not asked.
    let before = provider.requests().len();
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "quantum chromodynamics", "collection": "policies"}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["result"]["found"], false);
    assert!(
        answer.json["result"]["answer"]
            .as_str()
            .unwrap_or_default()
            .contains("do not answer")
    );
    assert_eq!(
        provider.requests().len(),
        before,
        "the LLM was asked anyway"
    );

    // A collection that does not exist is the caller's mistake.
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "leave", "collection": "nowhere"}),
    )
    .await?;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert!(answer.text.contains("nowhere"), "{}", answer.text);
    Ok(())
}

#[tokio::test]
async fn the_operator_narrows_the_collections_a_skill_may_search() -> anyhow::Result<()> {
    let (server, provider, _work) =
        with_llm("[skills.knowledge_retrieval]\nknowledge = [\"handbook\"]\n").await?;
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "annual leave", "collection": "policies"}),
    )
    .await?;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert!(
        answer.text.contains("knowledge collection 'policies'")
            && answer
                .text
                .contains("[skills.knowledge_retrieval] knowledge"),
        "{}",
        answer.text
    );
    assert!(provider.requests().is_empty());
    Ok(())
}
