//! `POST /api/v1/process` through the real binary: the built-in skills and every status code
//! of the Python original's contract.

use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Server, builtin_skill_names, client, get, post_json, post_raw};
use serde_json::{Value, json};

async fn process(server: &Server, body: Value) -> praximous_e2e::Answer {
    post_json(&client(), &server.url("/api/v1/process"), &body)
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
}

#[tokio::test]
async fn echo_answers_in_the_original_shape() -> anyhow::Result<()> {
    let server = Server::start()?;
    let answer = process(
        &server,
        json!({"task_type": "echo", "prompt": "Hello Praximous!"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json;
    assert_eq!(body["status"], "success");
    assert_eq!(
        body["result"],
        json!({"echoed_prompt": "Hello Praximous!", "message": "Prompt was successfully echoed."})
    );
    assert_eq!(body["message"], Value::Null);
    assert_eq!(body["details"], Value::Null);
    let id = body["request_id"].as_str().unwrap_or_default();
    assert_eq!(
        answer.request_id.as_deref(),
        Some(id),
        "header and body carry the same id"
    );
    assert_eq!(id.len(), 36, "a UUID: {id}");
    Ok(())
}

#[tokio::test]
async fn simple_math_operations_and_errors() -> anyhow::Result<()> {
    let server = Server::start()?;
    let math = |extra: Value| {
        let mut body = json!({"task_type": "simple_math", "prompt": "calc"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        body
    };
    let cases = [
        (
            json!({"num1": 10, "num2": 5, "operation": "add"}),
            json!(15),
        ),
        (
            json!({"num1": 10, "num2": 5, "operation": "subtract"}),
            json!(5),
        ),
        (
            json!({"num1": 10, "num2": 5, "operation": "multiply"}),
            json!(50),
        ),
        (
            json!({"num1": 10, "num2": 4, "operation": "divide"}),
            json!(2.5),
        ),
        (json!({"num1": 1.5, "num2": 2}), json!(3.5)),
        (
            json!({"num1": 2, "num2": 3, "operation": "MULTIPLY"}),
            json!(6),
        ),
    ];
    for (params, expected) in cases {
        let answer = process(&server, math(params.clone())).await;
        assert_eq!(answer.status, 200, "{params}: {}", answer.text);
        assert_eq!(answer.json["result"]["result"], expected, "{params}");
        assert_eq!(answer.json["result"]["message"], "calc");
    }
    let divide = process(
        &server,
        math(json!({"num1": 10, "num2": 5, "operation": "divide"})),
    )
    .await;
    assert_eq!(divide.json["result"]["result"].as_f64(), Some(2.0));
    assert_eq!(divide.json["result"]["operation"], "divide");

    let errors = [
        (
            json!({"num1": 1, "num2": 0, "operation": "divide"}),
            "Math error (Details: Cannot divide by zero.)",
        ),
        (
            json!({"num1": 1}),
            "Input error (Details: Both 'num1' and 'num2' must be provided as numbers.)",
        ),
        (
            json!({"num1": "1", "num2": 2}),
            "Input error (Details: Both 'num1' and 'num2' must be provided as numbers.)",
        ),
        (
            json!({"num1": 1, "num2": 2, "operation": "power"}),
            "Unsupported operation: power (Details: Supported operations: add, subtract, multiply, divide.)",
        ),
    ];
    for (params, detail) in errors {
        let answer = process(&server, math(params.clone())).await;
        assert_eq!(answer.status, 400, "{params}: {}", answer.text);
        assert_eq!(
            answer.json,
            json!({"detail": detail, "code": "bad_request"}),
            "{params}"
        );
        assert!(
            answer.request_id.is_some(),
            "errors carry the request id too"
        );
    }
    Ok(())
}

#[tokio::test]
async fn text_manipulation_operations_and_errors() -> anyhow::Result<()> {
    let server = Server::start()?;
    for (op, expected) in [
        ("uppercase", "SAMPLE ÉTÉ"),
        ("lowercase", "sample été"),
        ("reverse", "ÉTé elpmaS"),
    ] {
        let answer = process(
            &server,
            json!({"task_type": "text_manipulation", "prompt": "Sample éTÉ", "operation": op}),
        )
        .await;
        assert_eq!(answer.status, 200, "{op}: {}", answer.text);
        assert_eq!(
            answer.json["result"],
            json!({"original_text": "Sample éTÉ", "operation_performed": op, "modified_text": expected})
        );
    }
    let missing = process(
        &server,
        json!({"task_type": "text_manipulation", "prompt": "x"}),
    )
    .await;
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.json["detail"],
        "Unsupported operation: none (Details: Supported operations are: uppercase, lowercase, reverse.)"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_task_type_is_404() -> anyhow::Result<()> {
    let server = Server::start()?;
    let answer = process(&server, json!({"task_type": "teleport", "prompt": "x"})).await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json,
        json!({"detail": "Skill or LLM route 'teleport' not found.", "code": "not_found"})
    );
    assert!(answer.request_id.is_some());
    Ok(())
}

#[tokio::test]
async fn malformed_bodies_are_422_in_fastapi_shape() -> anyhow::Result<()> {
    let server = Server::start()?;
    let url = server.url("/api/v1/process");
    let c = client();

    let missing = post_json(&c, &url, &json!({"task_type": "echo"})).await?;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json["detail"],
        json!([{"type": "missing", "loc": ["body", "prompt"], "msg": "Field required", "input": {"task_type": "echo"}}])
    );
    assert!(missing.request_id.is_some());

    let wrong = post_json(&c, &url, &json!({"task_type": 7, "prompt": "x"})).await?;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.json["detail"][0]["loc"], json!(["body", "task_type"]));
    assert_eq!(
        wrong.json["detail"][0]["msg"],
        "Input should be a valid string"
    );

    let list = post_json(&c, &url, &json!(["echo"])).await?;
    assert_eq!(list.status, 422);
    assert_eq!(list.json["detail"][0]["loc"], json!(["body"]));

    let broken = post_raw(&c, &url, "{not json").await?;
    assert_eq!(broken.status, 422);
    assert_eq!(broken.json["detail"][0]["type"], "json_invalid");

    let empty = post_raw(&c, &url, "").await?;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.json["detail"][0]["msg"], "Field required");
    Ok(())
}

#[tokio::test]
async fn oversized_body_is_413_and_the_server_keeps_serving() -> anyhow::Result<()> {
    let server = Server::start()?;
    let huge = json!({"task_type": "echo", "prompt": "x".repeat(2 << 20)});
    let answer = post_json(&client(), &server.url("/api/v1/process"), &huge).await?;
    assert_eq!(answer.status, 413, "{}", answer.text);
    assert!(answer.json["detail"].is_string());
    let after = process(
        &server,
        json!({"task_type": "echo", "prompt": "still here"}),
    )
    .await;
    assert_eq!(after.status, 200);
    Ok(())
}

#[tokio::test]
async fn skills_listing_and_capabilities() -> anyhow::Result<()> {
    // A stand-in provider, so that the example of `internal_summary` (an LLM skill) runs too.
    let provider = StandIn::start(Flavour::Openai, None).await?;
    // The API skills get a key, and no host at all, so their examples stop at the allow-list
    // instead of reaching for the public internet.
    let config = format!(
        "[[providers]]\nname = \"standin\"\ntype = \"openai\"\nmodel = \"m\"\nbase_url = \"{}\"\n\n\
         [skills.weather_tool]\napi_key = \"k\"\nallow_hosts = []\n\n\
         [skills.web_search_tool]\napi_key = \"k\"\nallow_hosts = []\n",
        provider.base_url
    );
    let server = Server::start_with_config(&config, |_| {})?;
    let c = client();
    let all = get(&c, &server.url("/api/v1/skills")).await?;
    assert_eq!(all.status, 200);
    let names: Vec<&String> = all
        .json
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(names, builtin_skill_names().iter().collect::<Vec<_>>());

    let math = get(&c, &server.url("/api/v1/skills/simple_math/capabilities")).await?;
    assert_eq!(math.status, 200);
    let caps = &math.json;
    assert_eq!(caps["skill_name"], "simple_math");
    assert_eq!(caps, &all.json["simple_math"]);
    let calculate = &caps["operations"]["calculate"];
    assert_eq!(calculate["parameters_schema"]["num1"]["type"], "number");
    assert_eq!(calculate["params"]["required"], json!(["num1", "num2"]));
    assert_eq!(
        calculate["example_request_payload"]["task_type"],
        "simple_math"
    );
    assert_eq!(
        caps["permissions"],
        json!({"llm": false, "network": [], "knowledge": "none", "mail": false})
    );
    assert_eq!(caps["limits"]["memory_mb"], 16);
    assert_eq!(caps["source"], "builtin");

    // The example request in each manifest must actually work. A skill that reaches the
    // network has no host here, so its examples (for public sites) must get as far as that
    // refusal, one that sends mail as far as the missing SMTP server, and one that searches
    // knowledge as far as the missing collection; web_scraper.rs, api_skills.rs, email.rs and
    // knowledge.rs run them against real servers and documents.
    for (name, skill) in all.json.as_object().into_iter().flatten() {
        let needs_hosts = skill["permissions"]["network"]
            .as_array()
            .is_some_and(|hosts| !hosts.is_empty());
        let sends_mail = skill["permissions"]["mail"] == true;
        let searches_knowledge = skill["permissions"]["knowledge"]
            .as_array()
            .is_some_and(|collections| !collections.is_empty())
            || skill["permissions"]["knowledge"] == "write";
        for (op, spec) in skill["operations"].as_object().into_iter().flatten() {
            let example = &spec["example_request_payload"];
            let answer = post_json(&c, &server.url("/api/v1/process"), example).await?;
            let fetches = example.get("url").is_some();
            if searches_knowledge && !(needs_hosts && fetches) {
                // This server has no collections: the example gets as far as that.
                assert_eq!(answer.status, 400, "{name}.{op} example: {}", answer.text);
                assert!(
                    answer.text.contains("no collection is named"),
                    "{name}.{op} example: {}",
                    answer.text
                );
            } else if sends_mail {
                assert_eq!(answer.status, 500, "{name}.{op} example: {}", answer.text);
                assert!(
                    answer.text.contains("no SMTP server is configured"),
                    "{name}.{op} example: {}",
                    answer.text
                );
            } else if needs_hosts {
                assert_eq!(answer.status, 403, "{name}.{op} example: {}", answer.text);
                assert!(
                    answer.text.contains("Network access denied"),
                    "{name}.{op} example: {}",
                    answer.text
                );
            } else {
                assert_eq!(answer.status, 200, "{name}.{op} example: {}", answer.text);
            }
        }
    }

    let missing = get(&c, &server.url("/api/v1/skills/nope/capabilities")).await?;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json,
        json!({"detail": "Skill 'nope' not found.", "code": "not_found"})
    );
    Ok(())
}

#[tokio::test]
async fn health_openapi_docs_and_fallbacks() -> anyhow::Result<()> {
    let server = Server::start()?;
    let c = client();
    let health = get(&c, &server.url("/healthz")).await?;
    assert_eq!(health.status, 200);
    assert_eq!(health.json["status"], "ok");
    assert_eq!(health.json["skills"], builtin_skill_names().len());

    let openapi = get(&c, &server.url("/api/v1/openapi.json")).await?;
    assert_eq!(openapi.status, 200);
    for path in [
        "/api/v1/process",
        "/api/v1/skills",
        "/api/v1/skills/{skill_name}/capabilities",
        "/healthz",
    ] {
        assert!(
            openapi.json["paths"][path].is_object(),
            "OpenAPI documents {path}"
        );
    }
    assert!(openapi.json["paths"]["/api/v1/process"]["post"]["responses"]["422"].is_object());

    let docs = c.get(server.url("/docs/")).send().await?;
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await?.contains("swagger"),
        "/docs serves Swagger UI"
    );

    let unknown = get(&c, &server.url("/api/v1/nothing-here")).await?;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json,
        json!({"detail": "Not Found", "code": "not_found"})
    );
    assert!(unknown.request_id.is_some());

    let wrong_method = get(&c, &server.url("/api/v1/process")).await?;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(
        wrong_method.json,
        json!({"detail": "Method Not Allowed", "code": "method_not_allowed"})
    );
    Ok(())
}

#[tokio::test]
async fn request_ids_are_unique() -> anyhow::Result<()> {
    let server = Server::start()?;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..50 {
        let answer = process(&server, json!({"task_type": "echo", "prompt": "x"})).await;
        assert!(
            seen.insert(
                answer.json["request_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            )
        );
    }
    Ok(())
}
