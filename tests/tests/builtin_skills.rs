//! The built-in library through `POST /api/v1/process` on the real binary: `csv_parser`,
//! `datetime_tool`, `pii_redactor`, `sentiment_analyzer` and `internal_summary`, with the Python original's fields,
//! defaults and error messages where it had them.

use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Answer, Server, client, get, post_json};
use serde_json::{Value, json};

/// A running server, and the calls these tests make to it.
struct Skills(Server);

impl Skills {
    fn start() -> Self {
        Self(Server::start().unwrap_or_else(|e| panic!("{e}")))
    }

    async fn process(&self, body: Value) -> Answer {
        post_json(&client(), &self.0.url("/api/v1/process"), &body)
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"))
    }

    async fn ok(&self, body: Value) -> Value {
        let answer = self.process(body.clone()).await;
        assert_eq!(answer.status, 200, "{body}: {}", answer.text);
        answer.json["result"].clone()
    }

    async fn refused(&self, body: Value, detail: &str) {
        let answer = self.process(body.clone()).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        assert_eq!(
            answer.json,
            json!({ "detail": detail, "code": "bad_request" }),
            "{body}"
        );
    }
}

const PEOPLE: &str = "name,age,score\nAlice,30,9.5\nBob,24,7\nCara,41,8\n";

#[tokio::test]
async fn csv_parser_answers_the_originals_operations_and_statistics() {
    let skills = Skills::start();
    let csv = |extra: Value| {
        let mut body = json!({"task_type": "csv_parser", "prompt": PEOPLE});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    assert_eq!(
        skills.ok(csv(json!({}))).await,
        json!({"headers": ["name", "age", "score"], "num_data_rows": 3}),
        "headers is the default operation, and the prompt the default data"
    );
    assert_eq!(
        skills
            .ok(csv(
                json!({"operation": "get_csv_row_by_index", "row_index": 1})
            ))
            .await,
        json!({"row_index": 1, "row_data": {"name": "Bob", "age": "24", "score": "7"}})
    );
    assert_eq!(
        skills
            .ok(csv(
                json!({"operation": "get_csv_row_by_index", "row_index": "2"})
            ))
            .await["row_data"]["name"],
        "Cara",
        "an index given as text is read as the original's int() did"
    );
    assert_eq!(
        skills
            .ok(csv(
                json!({"operation": "get_csv_column_by_name", "column_name": "age"})
            ))
            .await,
        json!({"column_name": "age", "column_data": ["30", "24", "41"], "total_items_in_column": 3})
    );
    let stats = skills
        .ok(csv(json!({"operation": "get_column_statistics"})))
        .await;
    assert_eq!(stats["non_numeric_columns"], json!(["name"]));
    let age = &stats["columns"]["age"];
    assert_eq!(
        (
            age["count"].clone(),
            age["min"].clone(),
            age["max"].clone(),
            age["median"].clone()
        ),
        (json!(3), json!(24.0), json!(41.0), json!(30.0))
    );
    let mean = age["mean"].as_f64().unwrap_or_default();
    assert!((mean - 31.666_666).abs() < 1e-3, "{mean}");
    let stddev = age["stddev"].as_f64().unwrap_or_default();
    assert!((stddev - 8.621_678).abs() < 1e-3, "{stddev}");
    assert_eq!(stats["columns"]["score"]["max"], 9.5);

    // The original's preview limits: 20 rows as JSON, 50 values of a column.
    let mut many = String::from("n,square\n");
    for n in 0..60 {
        many.push_str(&format!("{n},{}\n", n * n));
    }
    let all = skills.ok(json!({"task_type": "csv_parser", "prompt": "", "csv_data": many, "operation": "get_all_data_as_json"})).await;
    assert_eq!(all["total_rows_converted"], 60);
    assert_eq!(all["json_data"].as_array().map(Vec::len), Some(20));
    assert_eq!(all["json_data"][19], json!({"n": "19", "square": "361"}));
    let column = skills.ok(json!({"task_type": "csv_parser", "prompt": many, "operation": "get_csv_column_by_name", "column_name": "square"})).await;
    assert_eq!(column["column_data"].as_array().map(Vec::len), Some(50));
    assert_eq!(column["total_items_in_column"], 60);

    skills
        .refused(
            json!({"task_type": "csv_parser", "prompt": "  "}),
            "Input Error (Details: CSV data cannot be empty.)",
        )
        .await;
    skills
        .refused(
            csv(json!({"operation": "get_csv_row_by_index", "row_index": 3})),
            "Index Error (Details: Row index 3 is out of bounds for 3 data rows.)",
        )
        .await;
    skills
        .refused(
            csv(json!({"operation": "get_csv_row_by_index"})),
            "Input Error (Details: 'row_index' (0-based for data rows) is required.)",
        )
        .await;
    skills
        .refused(
            csv(json!({"operation": "get_csv_row_by_index", "row_index": "first"})),
            "Input Error (Details: 'row_index' must be an integer.)",
        )
        .await;
    skills
        .refused(
            csv(json!({"operation": "get_csv_column_by_name", "column_name": "height"})),
            "Input Error (Details: Column 'height' not found in headers: ['name', 'age', 'score'])",
        )
        .await;
    skills
        .refused(
            csv(json!({"operation": "pivot"})),
            "Unsupported Operation (Details: Operation 'pivot' is not supported.)",
        )
        .await;
}

fn parse_rfc3339(text: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn datetime_tool_tells_the_time_anywhere_and_parses_and_formats() {
    let skills = Skills::start();
    let now = skills
        .ok(json!({"task_type": "datetime_tool", "prompt": ""}))
        .await;
    assert_eq!(now["timezone"], "UTC", "UTC is the default");
    assert_eq!(now["message"], "Current datetime in UTC.");
    let iso = now["datetime_iso"].as_str().unwrap_or_default();
    assert!(iso.ends_with("+00:00"), "{iso}");
    let skew = (parse_rfc3339(iso) - time::OffsetDateTime::now_utc()).abs();
    assert!(
        skew < time::Duration::seconds(30),
        "the skill's clock is the host's: {iso}"
    );

    let kolkata = skills.ok(json!({"task_type": "datetime_tool", "prompt": "", "operation": "get_current_datetime", "timezone": "Asia/Kolkata"})).await;
    let iso = kolkata["datetime_iso"].as_str().unwrap_or_default();
    assert!(iso.ends_with("+05:30"), "{iso}");

    let formatted = skills
        .ok(json!({
            "task_type": "datetime_tool", "prompt": "", "operation": "format_datetime",
            "datetime_str": "2024-01-15T14:30:00+02:00",
            "format_string": "%A, %B %d, %Y %I:%M %p %Z",
        }))
        .await;
    assert_eq!(
        formatted["formatted_datetime"], "Monday, January 15, 2024 12:30 PM UTC",
        "an offset date-time is shown in input_timezone (UTC by default), as the original did"
    );
    assert_eq!(formatted["timezone_applied_for_formatting"], "UTC");
    let new_york = skills
        .ok(json!({
            "task_type": "datetime_tool", "prompt": "", "operation": "format_datetime",
            "datetime_str": "2024-07-04T09:00:00", "input_timezone": "America/New_York",
        }))
        .await;
    assert_eq!(
        new_york["formatted_datetime"], "2024-07-04 09:00:00 EDT",
        "the default format"
    );
    let parsed = skills
        .ok(json!({
            "task_type": "datetime_tool", "prompt": "", "operation": "parse_datetime",
            "datetime_str": "15/01/2024 14:30", "format_string": "%d/%m/%Y %H:%M",
            "input_timezone": "Europe/Paris",
        }))
        .await;
    assert_eq!(parsed["datetime_iso"], "2024-01-15T14:30:00+01:00");

    skills
        .refused(
            json!({"task_type": "datetime_tool", "prompt": "", "timezone": "Mars/Olympus_Mons"}),
            "Invalid Timezone (Details: Timezone 'Mars/Olympus_Mons' is not recognized.)",
        )
        .await;
    skills
        .refused(
            json!({"task_type": "datetime_tool", "prompt": "", "operation": "format_datetime"}),
            "Input Error (Details: 'datetime_str' is required for formatting.)",
        )
        .await;
    let bad_format = skills
        .process(json!({
            "task_type": "datetime_tool", "prompt": "", "operation": "format_datetime",
            "datetime_str": "2024-01-15T14:30:00Z", "format_string": "%Y %",
        }))
        .await;
    assert_eq!(bad_format.status, 400, "{}", bad_format.text);
    assert!(
        bad_format.json["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Formatting Error (Details: '%Y %' is not a usable format"),
        "{}",
        bad_format.text
    );
    let bad_date = skills
        .process(json!({
            "task_type": "datetime_tool", "prompt": "", "operation": "format_datetime",
            "datetime_str": "yesterday at noon",
        }))
        .await;
    assert_eq!(bad_date.status, 400, "{}", bad_date.text);
    let mismatch = skills
        .process(json!({
            "task_type": "datetime_tool", "prompt": "", "operation": "parse_datetime",
            "datetime_str": "2024-01-15", "format_string": "%d/%m/%Y",
        }))
        .await;
    assert_eq!(mismatch.status, 400, "{}", mismatch.text);
    assert!(mismatch.text.contains("Parsing Error"), "{}", mismatch.text);
}

#[tokio::test]
async fn pii_redactor_replaces_each_kind_and_never_repeats_what_it_found() {
    let skills = Skills::start();
    let text = "Mail jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111, \
                IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, from 10.0.0.12 or 2001:db8::1. \
                Order 2024-01-15, ref 4111 1111 1111 1112.";
    let answer = skills
        .process(json!({"task_type": "pii_redactor", "prompt": text}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let result = &answer.json["result"];
    assert_eq!(
        result["redacted_text"],
        "Mail [EMAIL] or call [PHONE]; card [CREDIT_CARD], IBAN [IBAN], SSN [US_SSN], \
         from [IPV4] or [IPV6]. Order 2024-01-15, ref 4111 1111 1111 1112.",
        "dates and numbers failing the Luhn check stay"
    );
    assert_eq!(
        result["counts"],
        json!({"credit_card": 1, "email": 1, "iban": 1, "ipv4": 1, "ipv6": 1, "phone": 1, "us_ssn": 1})
    );
    assert_eq!(result["total"], 7);
    assert_eq!(answer.json["message"], "Redacted 7 items of personal data.");
    let first = &result["findings"][0];
    assert_eq!(
        (
            first["type"].clone(),
            first["start"].clone(),
            first["end"].clone()
        ),
        (json!("email"), json!(5), json!(25)),
        "spans index the original text"
    );
    let chars: Vec<char> = text.chars().collect();
    for finding in result["findings"].as_array().into_iter().flatten() {
        let (start, end) = (
            finding["start"].as_u64().unwrap_or_default() as usize,
            finding["end"].as_u64().unwrap_or_default() as usize,
        );
        let found: String = chars[start..end].iter().collect();
        assert!(
            !found.is_empty() && !answer.text.contains(&found),
            "{found} leaked"
        );
    }

    let only = skills.ok(json!({"task_type": "pii_redactor", "prompt": "", "text": "a@b.io, 10.1.1.1", "types": ["ipv4"]})).await;
    assert_eq!(only["redacted_text"], "a@b.io, [IPV4]");
    let none = skills
        .process(json!({"task_type": "pii_redactor", "prompt": "nothing to see"}))
        .await;
    assert_eq!(none.json["result"]["total"], 0);
    assert_eq!(none.json["message"], "No personal data found.");
    skills.refused(
        json!({"task_type": "pii_redactor", "prompt": "x", "types": ["dna"]}),
        "Input error (Details: Unknown type 'dna' in 'types'; known types: email, iban, credit_card, us_ssn, ipv6, ipv4, phone.)",
    )
    .await;
}

#[tokio::test]
async fn sentiment_analyzer_scores_with_vader_in_the_originals_shape() {
    let skills = Skills::start();
    // Scores of the reference VADER implementation for its own published example.
    let result = skills
        .ok(json!({"task_type": "sentiment_analyzer", "prompt": "VADER is VERY SMART, handsome, and FUNNY!!!"}))
        .await;
    assert_eq!(
        result,
        json!({
            "text": "VADER is VERY SMART, handsome, and FUNNY!!!",
            "scores": {"neg": 0.0, "neu": 0.233, "pos": 0.767, "compound": 0.9342},
            "overall_sentiment": "positive",
        })
    );
    // `text` takes precedence over the prompt, as in the original.
    let negative = skills
        .ok(json!({"task_type": "sentiment_analyzer", "operation": "analyze_sentiment", "prompt": "ignored, great", "text": "The movie was bad."}))
        .await;
    assert_eq!(negative["text"], "The movie was bad.");
    assert_eq!(negative["scores"]["compound"], -0.5423);
    assert_eq!(negative["overall_sentiment"], "negative");
    let neutral = skills
        .ok(json!({"task_type": "sentiment_analyzer", "prompt": "The meeting is at 3pm in room 4."}))
        .await;
    assert_eq!(neutral["overall_sentiment"], "neutral");
    assert_eq!(neutral["scores"]["neu"], 1.0);

    skills
        .refused(
            json!({"task_type": "sentiment_analyzer", "prompt": "  "}),
            "Input Error (Details: Text for sentiment analysis cannot be empty.)",
        )
        .await;
    skills
        .refused(
            json!({"task_type": "sentiment_analyzer", "prompt": "fine", "operation": "summarize"}),
            "Unsupported Operation (Details: Operation 'summarize' is not supported.)",
        )
        .await;
}

/// The deepest body the API accepts (`serde_json`'s nesting limit of 128, the task's own object
/// included) as one extra field.
fn deepest_accepted(mut task: Value) -> Value {
    let mut deep = json!(1);
    for _ in 0..126 {
        deep = json!({ "a": deep });
    }
    task["deep"] = deep;
    task
}

#[tokio::test]
async fn the_deepest_accepted_body_fits_a_skills_stack() {
    // The skills are linked with a 128 KiB shadow stack (skills-wasm/.cargo/config.toml); a
    // skill reading its params recurses once per level, and must not overrun it.
    let skills = Skills::start();
    let echoed = skills
        .ok(deepest_accepted(
            json!({"task_type": "echo", "prompt": "deep"}),
        ))
        .await;
    assert_eq!(echoed["echoed_prompt"], "deep");
    let sum = skills
        .ok(deepest_accepted(json!({
            "task_type": "simple_math", "prompt": "p", "num1": 2, "num2": 3, "operation": "add"
        })))
        .await;
    assert_eq!(sum["result"], 5.0, "{sum}");
    let one_deeper = skills
        .process(json!({"task_type": "echo", "prompt": "p", "deep": deepest_accepted(json!({}))}))
        .await;
    assert_eq!(
        one_deeper.status, 422,
        "the limit is where the test assumes: {}",
        one_deeper.text
    );
}

#[tokio::test]
async fn the_new_skills_describe_themselves() -> anyhow::Result<()> {
    let server = Server::start()?;
    let skills = get(&client(), &server.url("/api/v1/skills")).await?;
    for (name, operation) in [
        ("csv_parser", "get_column_statistics"),
        ("datetime_tool", "parse_datetime"),
        ("pii_redactor", "redact"),
        ("sentiment_analyzer", "analyze_sentiment"),
        ("web_scraper", "extract_links"),
        ("weather_tool", "get_forecast"),
        ("web_search_tool", "perform_search"),
    ] {
        let skill = &skills.json[name];
        assert_eq!(skill["source"], "builtin", "{name}: {}", skills.text);
        assert!(
            skill["operations"][operation]["example_request_payload"].is_object(),
            "{name}: {skill}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn internal_summary_asks_the_router_with_the_persona_and_its_own_instructions()
-> anyhow::Result<()> {
    let provider = StandIn::start(Flavour::Openai, None).await?;
    let config = format!(
        "[identity]\nsystem_name = \"Praximous\"\nbusiness_name = \"Acme Solutions Inc.\"\n\n\
         [[providers]]\nname = \"summariser\"\ntype = \"openai\"\nmodel = \"small-model\"\n\
         base_url = \"{}\"\n",
        provider.base_url
    );
    let skills = Skills(Server::start_with_config(&config, |_| {})?);
    let text = "Quarterly sales rose 12% to 4.1M; returns fell to 2%.";
    let answer = skills
        .process(json!({"task_type": "internal_summary", "prompt": text, "max_words": 40, "style": "bullets"}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.json["result"]["summary"],
        format!("openai says: {text}")
    );
    assert_eq!(answer.json["result"]["provider"], "summariser");
    assert_eq!(answer.json["message"], "Summary by summariser");

    let sent = provider.requests().pop().unwrap_or_default();
    let system = sent["messages"][0]["content"].as_str().unwrap_or_default();
    assert_eq!(sent["messages"][0]["role"], "system", "{sent}");
    assert!(
        system.contains("Praximous-AcmeSolutions"),
        "the persona: {system}"
    );
    assert!(
        system.contains("bulleted list") && system.contains("at most 40 words"),
        "the skill's instructions: {system}"
    );
    assert_eq!(
        sent["messages"][1]["content"], text,
        "the text is the user's message"
    );
    assert_eq!(sent["max_tokens"], 80);

    skills
        .refused(
            json!({"task_type": "internal_summary", "prompt": "x", "style": "haiku"}),
            "Input error (Details: 'style' must be 'paragraph' or 'bullets', not 'haiku'.)",
        )
        .await;
    skills
        .refused(
            json!({"task_type": "internal_summary", "prompt": " "}),
            "Input error (Details: There is nothing to summarise: send the text as 'prompt'.)",
        )
        .await;
    assert_eq!(provider.count(), 1, "refused requests reach no provider");
    Ok(())
}
