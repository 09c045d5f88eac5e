//! `web_search_tool`: a web search through Serper's API (or any server that speaks it, at the
//! operator's `endpoint`), with the operator's API key: title, link and snippet per result.

use praximous_skill::host::{required_setting, setting};
use praximous_skill::http::{self, Limits};
use praximous_skill::{Reply, Request, Skill, SkillError, Url, Value, export_skill, json};
use serde::Deserialize;

/// Serper's search endpoint, as the original called it.
const DEFAULT_ENDPOINT: &str = "https://google.serper.dev/search";
const DEFAULT_RESULTS: u64 = 5;
/// The most results one request asks for (Serper's own ceiling).
const MAX_RESULTS: u64 = 100;

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    query: Option<String>,
    num_results: Option<Value>,
}

fn input_error(details: impl Into<String>) -> SkillError {
    SkillError::bad_input("Input Error").with_details(details.into())
}

/// `num_results` as a number or numeric string, as Python's `int()` took it.
fn result_count(value: Option<Value>) -> Result<u64, SkillError> {
    let count = match value {
        None | Some(Value::Null) => return Ok(DEFAULT_RESULTS),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    count
        .filter(|n| (1..=MAX_RESULTS).contains(n))
        .ok_or_else(|| {
            input_error(format!(
                "'num_results' must be a whole number from 1 to {MAX_RESULTS}."
            ))
        })
}

struct WebSearchTool;

impl Skill for WebSearchTool {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            operation,
            query,
            num_results,
        } = request.params;
        let operation = operation
            .unwrap_or_else(|| "perform_search".into())
            .to_lowercase();
        let key = required_setting("api_key", "{ env = \"SEARCH_API_KEY\" }")?;
        let query = query.unwrap_or(request.prompt);
        if query.trim().is_empty() {
            return Err(input_error("'query' cannot be empty."));
        }
        if operation != "perform_search" {
            return Err(SkillError::bad_input("Unsupported Operation")
                .with_details(format!("Operation '{operation}' is not supported.")));
        }
        let count = result_count(num_results)?;
        let endpoint = setting("endpoint").unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
        let url = Url::parse(&endpoint).map_err(|e| {
            SkillError::internal("Configuration Error").with_details(format!(
                "The operator's `endpoint` for this skill, `{endpoint}`, is not a URL: {e}."
            ))
        })?;
        let payload = json!({ "q": query, "num": count }).to_string();
        let response = http::post(
            &url,
            &[("x-api-key", &key), ("content-type", "application/json")],
            payload.as_bytes(),
            &Limits::default(),
        )?;
        if response.status >= 400 {
            return Err(SkillError::bad_input("API Error").with_details(format!(
                "Search API request failed with status {}.",
                response.status
            )));
        }
        let answer: Value = serde_json::from_slice(&response.body).map_err(|_| {
            SkillError::internal("API Error")
                .with_details("The search API answered with something that is not JSON.")
        })?;
        let results: Vec<Value> = answer["organic"]
            .as_array()
            .into_iter()
            .flatten()
            .take(usize::try_from(count).unwrap_or(usize::MAX))
            .map(|item| {
                json!({
                    "title": item.get("title"),
                    "link": item.get("link"),
                    "snippet": item.get("snippet"),
                })
            })
            .collect();
        Ok(Reply::data(json!({
            "query": query,
            "results_count": results.len(),
            "results": results,
        })))
    }
}

export_skill!(WebSearchTool);
