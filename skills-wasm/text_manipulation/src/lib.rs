//! `text_manipulation`: uppercase, lowercase or reverse the prompt.

use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    operation: Option<Value>,
}

struct TextManipulation;

impl Skill for TextManipulation {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let operation = match request.params.operation {
            None => "none".to_owned(),
            Some(Value::String(op)) => op.to_lowercase(),
            Some(other) => other.to_string().to_lowercase(),
        };
        let text = request.prompt;
        let modified = match operation.as_str() {
            "uppercase" => text.to_uppercase(),
            "lowercase" => text.to_lowercase(),
            "reverse" => text.chars().rev().collect(),
            _ => {
                return Err(
                    SkillError::bad_input(format!("Unsupported operation: {operation}"))
                        .with_details("Supported operations are: uppercase, lowercase, reverse."),
                );
            }
        };
        Ok(Reply::data(json!({
            "original_text": text,
            "operation_performed": operation,
            "modified_text": modified,
        })))
    }
}

export_skill!(TextManipulation);
