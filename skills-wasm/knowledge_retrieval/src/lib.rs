//! `knowledge_retrieval`: answer a question from the operator's private documents. The host
//! finds the passages (the `knowledge` capability); the LLM answers from them alone and cites
//! them by number; the reply carries the citations and the passages. When no passage matches,
//! it says so and asks the LLM nothing, so an answer never comes from the model's memory.

use praximous_skill::host::{self, CompletionRequest, KnowledgeFilters, Passage};
use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    collection: Option<String>,
    question: Option<String>,
    top_k: Option<u32>,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    date_from: Option<String>,
    date_to: Option<String>,
}

/// The answer the reply gives when the documents hold nothing on the question.
const NOTHING_FOUND: &str = "The documents in this collection do not answer that question.";

const INSTRUCTIONS: &str = "Answer the question using only the numbered passages the user \
sends. After each statement, cite the passages it comes from as [1], [2], ... If the passages \
do not contain the answer, say that the documents do not answer the question, and nothing \
else. Do not use any other knowledge.";

/// Where a passage is, for people: its title and headings (or page).
fn place(passage: &Passage) -> String {
    let mut parts = vec![passage.title.clone()];
    parts.extend(
        passage
            .heading_path
            .iter()
            .filter(|h| **h != passage.title)
            .cloned(),
    );
    if let Some(page) = passage.page {
        parts.push(format!("page {page}"));
    }
    parts.join(" › ")
}

/// The user's message: the numbered passages, then the question.
fn prompt(question: &str, passages: &[Passage]) -> String {
    let mut text = String::from("Passages:\n\n");
    for (index, passage) in passages.iter().enumerate() {
        text.push_str(&format!(
            "[{}] ({})\n{}\n\n",
            index + 1,
            place(passage),
            passage.text
        ));
    }
    text.push_str("Question: ");
    text.push_str(question);
    text
}

/// The citation numbers `answer` uses, in order of first use, each once.
fn cited(answer: &str, count: usize) -> Vec<usize> {
    let mut numbers = Vec::new();
    let mut rest = answer;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        for part in rest[..close].split(',') {
            if let Ok(n) = part.trim().parse::<usize>()
                && (1..=count).contains(&n)
                && !numbers.contains(&n)
            {
                numbers.push(n);
            }
        }
        rest = &rest[close..];
    }
    numbers
}

fn passage_json(number: usize, passage: &Passage) -> Value {
    json!({
        "number": number,
        "document": passage.document,
        "title": passage.title,
        "heading_path": passage.heading_path,
        "page": passage.page,
        "position": passage.position,
        "text": passage.text,
        "score": passage.score,
    })
}

struct KnowledgeRetrieval;

impl Skill for KnowledgeRetrieval {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let params = request.params;
        let collection = params
            .collection
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| {
                SkillError::bad_input("Input error")
                    .with_details("Name the knowledge collection to answer from as 'collection'.")
            })?;
        let question = params.question.unwrap_or(request.prompt);
        if question.trim().is_empty() {
            return Err(SkillError::bad_input("Input error")
                .with_details("There is no question: send it as 'prompt'."));
        }
        let top_k = params.top_k.unwrap_or(5);
        if !(1..=20).contains(&top_k) {
            return Err(SkillError::bad_input("Input error")
                .with_details("'top_k' must be between 1 and 20."));
        }
        let filters = KnowledgeFilters {
            documents: params.documents,
            tags: params.tags,
            date_from: params.date_from,
            date_to: params.date_to,
        };
        let passages = host::search_knowledge(&collection, &question, top_k, &filters)?;
        if passages.is_empty() {
            return Ok(Reply::data(json!({
                "answer": NOTHING_FOUND,
                "found": false,
                "citations": [],
                "passages": [],
            }))
            .with_message("Nothing in the documents matches the question"));
        }
        let completion = host::complete_streamed(&CompletionRequest {
            prompt: prompt(&question, &passages),
            system: Some(INSTRUCTIONS.to_owned()),
            max_tokens: Some(800),
            temperature: Some(0.1),
        })?;
        let citations: Vec<Value> = cited(&completion.text, passages.len())
            .into_iter()
            .map(|n| {
                let passage = &passages[n - 1];
                json!({
                    "number": n,
                    "document": passage.document,
                    "title": passage.title,
                    "heading_path": passage.heading_path,
                    "page": passage.page,
                    "position": passage.position,
                })
            })
            .collect();
        let numbered: Vec<Value> = passages
            .iter()
            .enumerate()
            .map(|(index, passage)| passage_json(index + 1, passage))
            .collect();
        Ok(Reply::data(json!({
            "answer": completion.text,
            "found": true,
            "citations": citations,
            "passages": numbered,
            "provider": completion.provider,
            "model": completion.model,
        }))
        .with_message(format!(
            "Answered from {} passage(s) of '{collection}' by {}",
            passages.len(),
            completion.provider
        )))
    }
}

export_skill!(KnowledgeRetrieval);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_read_in_order_of_first_use_and_out_of_range_numbers_ignored() {
        assert_eq!(
            cited(
                "Twenty-five days [2]. Carried over to March [1, 2]. See [9] [x].",
                3
            ),
            vec![2, 1]
        );
        assert!(cited("No citations here.", 3).is_empty());
    }
}
