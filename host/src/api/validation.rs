//! Reading a task request body the way the Python original (FastAPI + pydantic) did, so that
//! a malformed body gets the same 422 answer: a list of `{type, loc, msg, input}` issues.

use serde_json::{Map, Value, json};

use super::error::{LocPart, ValidationIssue};
use crate::task_type::{MAX_TASK_TYPE_CHARS, TASK_TYPE_PATTERN, is_task_type};

/// A task request: the two required fields and everything else.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskBody {
    /// The skill or LLM route to use.
    pub task_type: String,
    /// The prompt.
    pub prompt: String,
    /// Every other field, passed to the skill as its params.
    pub extra: Map<String, Value>,
}

/// Parse `bytes` as a task request, or list every problem with it.
pub fn parse_task_body(bytes: &[u8]) -> Result<TaskBody, Vec<ValidationIssue>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![issue(
            "missing",
            vec!["body".into()],
            "Field required",
            Value::Null,
        )]);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![ValidationIssue {
            kind: "json_invalid",
            loc: vec!["body".into(), byte_offset(bytes, &e).into()],
            msg: "JSON decode error".into(),
            input: json!({}),
            ctx: Some(json!({ "error": e.to_string() })),
        }]
    })?;
    let Value::Object(mut fields) = value else {
        return Err(vec![issue(
            "model_attributes_type",
            vec!["body".into()],
            "Input should be a valid dictionary or object to extract fields from",
            value,
        )]);
    };
    let whole = Value::Object(fields.clone());
    let mut issues = Vec::new();
    let task_type = take_string(&mut fields, "task_type", &whole, &mut issues)
        .and_then(|task_type| check_task_type(task_type, &mut issues));
    let prompt = take_string(&mut fields, "prompt", &whole, &mut issues);
    match (task_type, prompt) {
        (Some(task_type), Some(prompt)) if issues.is_empty() => Ok(TaskBody {
            task_type,
            prompt,
            extra: fields,
        }),
        _ => Err(issues),
    }
}

fn take_string(
    fields: &mut Map<String, Value>,
    name: &'static str,
    whole: &Value,
    issues: &mut Vec<ValidationIssue>,
) -> Option<String> {
    let loc = vec!["body".into(), name.into()];
    match fields.remove(name) {
        None => {
            issues.push(issue("missing", loc, "Field required", whole.clone()));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            issues.push(issue(
                "string_type",
                loc,
                "Input should be a valid string",
                other,
            ));
            None
        }
    }
}

/// A task type that no skill or route could have is refused as pydantic refuses a string
/// outside its constraints.
fn check_task_type(task_type: String, issues: &mut Vec<ValidationIssue>) -> Option<String> {
    if is_task_type(&task_type) {
        return Some(task_type);
    }
    let loc = vec!["body".into(), "task_type".into()];
    let (kind, msg, ctx) = if task_type.is_empty() {
        (
            "string_too_short",
            "String should have at least 1 character".to_owned(),
            json!({"min_length": 1}),
        )
    } else if task_type.chars().count() > MAX_TASK_TYPE_CHARS {
        (
            "string_too_long",
            format!("String should have at most {MAX_TASK_TYPE_CHARS} characters"),
            json!({"max_length": MAX_TASK_TYPE_CHARS}),
        )
    } else {
        (
            "string_pattern_mismatch",
            format!("String should match pattern '{TASK_TYPE_PATTERN}'"),
            json!({"pattern": TASK_TYPE_PATTERN}),
        )
    };
    // The input is echoed cut short: the answer must not be a way to reflect megabytes.
    let shown = &task_type[..task_type.floor_char_boundary(MAX_TASK_TYPE_CHARS * 4)];
    issues.push(ValidationIssue {
        kind,
        loc,
        msg,
        input: json!(shown),
        ctx: Some(ctx),
    });
    None
}

fn issue(kind: &'static str, loc: Vec<LocPart>, msg: &str, input: Value) -> ValidationIssue {
    ValidationIssue {
        kind,
        loc,
        msg: msg.into(),
        input,
        ctx: None,
    }
}

/// The byte offset of a JSON syntax error, from serde's 1-based line and column.
fn byte_offset(bytes: &[u8], error: &serde_json::Error) -> usize {
    let line_start: usize = bytes
        .split(|&b| b == b'\n')
        .take(error.line().saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum();
    line_start + error.column().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(body: &str) -> Value {
        json!(parse_task_body(body.as_bytes()).err().unwrap_or_default())
    }

    #[test]
    fn extra_fields_become_params() {
        let body = parse_task_body(br#"{"task_type":"simple_math","prompt":"p","num1":1}"#)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(body.task_type, "simple_math");
        assert_eq!(
            body.extra,
            json!({"num1": 1}).as_object().cloned().unwrap_or_default()
        );
    }

    #[test]
    fn both_missing_fields_are_reported() {
        let found = issues(r#"{"num1": 1}"#);
        assert_eq!(found[0]["loc"], json!(["body", "task_type"]));
        assert_eq!(found[1]["loc"], json!(["body", "prompt"]));
        assert_eq!(found[1]["msg"], "Field required");
        assert_eq!(found[1]["type"], "missing");
    }

    #[test]
    fn wrong_type_is_string_type() {
        let found = issues(r#"{"task_type":"echo","prompt":42}"#);
        assert_eq!(
            found,
            json!([{"type":"string_type","loc":["body","prompt"],"msg":"Input should be a valid string","input":42}])
        );
    }

    #[test]
    fn task_types_no_skill_or_route_could_have_are_refused() {
        let long = "a".repeat(MAX_TASK_TYPE_CHARS + 1);
        for (task_type, kind) in [
            ("", "string_too_short"),
            (long.as_str(), "string_too_long"),
            ("echo; rm -rf /", "string_pattern_mismatch"),
            ("line\nbreak", "string_pattern_mismatch"),
        ] {
            let body = json!({"task_type": task_type, "prompt": "p"}).to_string();
            let found = issues(&body);
            assert_eq!(found[0]["type"], kind, "{task_type:?}");
            assert_eq!(found[0]["loc"], json!(["body", "task_type"]));
        }
    }

    #[test]
    fn non_object_and_bad_json_and_empty() {
        assert_eq!(issues("[1,2]")[0]["type"], "model_attributes_type");
        let bad = issues("{\"task_type\": }");
        assert_eq!(bad[0]["type"], "json_invalid");
        assert_eq!(bad[0]["loc"], json!(["body", 14]));
        assert_eq!(issues("")[0]["loc"], json!(["body"]));
    }

    mod properties {
        use proptest::prelude::*;
        use serde_json::json;

        use super::super::parse_task_body;
        use crate::task_type::is_task_type;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_bytes_are_a_task_or_a_list_of_issues(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                match parse_task_body(&bytes) {
                    Ok(task) => prop_assert!(is_task_type(&task.task_type)),
                    Err(issues) => prop_assert!(!issues.is_empty()),
                }
            }

            #[test]
            fn a_well_formed_body_keeps_every_field(
                task_type in "[A-Za-z0-9_.:-]{1,40}",
                prompt in "\\PC{0,200}",
                extra in prop::collection::btree_map("[a-z]{1,8}", any::<i64>(), 0..6),
            ) {
                let mut body = json!({"task_type": task_type, "prompt": prompt});
                for (key, value) in &extra {
                    if key != "task_type" && key != "prompt" {
                        body[key] = json!(value);
                    }
                }
                let task = parse_task_body(body.to_string().as_bytes())
                    .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!(task.task_type, task_type);
                prop_assert_eq!(task.prompt, prompt);
                for (key, value) in &extra {
                    if key != "task_type" && key != "prompt" {
                        prop_assert_eq!(&task.extra[key.as_str()], &json!(value));
                    }
                }
            }

            #[test]
            fn task_types_outside_the_pattern_never_pass(task_type in "\\PC{0,200}") {
                let body = json!({"task_type": task_type, "prompt": ""}).to_string();
                prop_assert_eq!(parse_task_body(body.as_bytes()).is_ok(), is_task_type(&task_type));
            }
        }
    }
}
