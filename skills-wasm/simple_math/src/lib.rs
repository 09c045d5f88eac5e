//! `simple_math`: add, subtract, multiply or divide two numbers.

use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    num1: Option<Value>,
    num2: Option<Value>,
    operation: Option<Value>,
}

struct SimpleMath;

/// Integer arithmetic while both inputs are integers and the result fits, as Python does;
/// floating point otherwise.
fn apply(
    operation: &str,
    a: &serde_json::Number,
    b: &serde_json::Number,
) -> Result<Value, SkillError> {
    let (x, y) = (
        a.as_f64().unwrap_or(f64::NAN),
        b.as_f64().unwrap_or(f64::NAN),
    );
    let ints = a.as_i64().zip(b.as_i64());
    let exact = |checked: Option<i64>, float: f64| match checked {
        Some(n) => json!(n),
        None => json!(float),
    };
    match operation {
        "add" => Ok(exact(ints.and_then(|(a, b)| a.checked_add(b)), x + y)),
        "subtract" => Ok(exact(ints.and_then(|(a, b)| a.checked_sub(b)), x - y)),
        "multiply" => Ok(exact(ints.and_then(|(a, b)| a.checked_mul(b)), x * y)),
        "divide" if y == 0.0 => {
            Err(SkillError::bad_input("Math error").with_details("Cannot divide by zero."))
        }
        "divide" => Ok(json!(x / y)),
        other => Err(
            SkillError::bad_input(format!("Unsupported operation: {other}"))
                .with_details("Supported operations: add, subtract, multiply, divide."),
        ),
    }
}

impl Skill for SimpleMath {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            num1,
            num2,
            operation,
        } = request.params;
        let (Some(Value::Number(a)), Some(Value::Number(b))) = (num1, num2) else {
            return Err(SkillError::bad_input("Input error")
                .with_details("Both 'num1' and 'num2' must be provided as numbers."));
        };
        let operation = match operation {
            None => "add".to_owned(),
            Some(Value::String(op)) => op.to_lowercase(),
            Some(_) => {
                return Err(SkillError::bad_input("Input error").with_details(
                    "'operation' must be a string: add, subtract, multiply or divide.",
                ));
            }
        };
        let result = apply(&operation, &a, &b)?;
        if result.as_f64().is_some_and(|r| !r.is_finite()) {
            return Err(SkillError::bad_input("Math error")
                .with_details("The result is not a finite number."));
        }
        Ok(Reply::data(json!({
            "num1": a,
            "num2": b,
            "operation": operation,
            "result": result,
            "message": request.prompt,
        })))
    }
}

export_skill!(SimpleMath);
