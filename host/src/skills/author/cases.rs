//! The cases `prax skill test` runs: each operation's manifest example (it must succeed) and
//! the author's `tests/*.yaml` files, each a list of requests with what must come back, and
//! the stand-ins the skill talks to while they run. The examples run with the stand-ins of the
//! first case file (in name order), so that a skill that needs settings or a host can show
//! working examples.
//!
//! ```yaml
//! stand_ins:                      # for every case of the file (each optional)
//!   config: { units: metric }     # the [skills.<name>] settings the skill reads
//!   llm: A short summary.         # what the llm import answers (default: echoes the prompt)
//!   hosts:                        # what the network hosts the manifest allows answer
//!     api.example.com:
//!       /v1/forecast: { status: 200, body: { temperature: 21 } }
//! cases:
//!   - name: adds two numbers
//!     request: { prompt: "1 + 2", num1: 1, num2: 2 }
//!     expect:
//!       result: { result: 3 }     # these fields (and any others) in the result
//!       message: Done.            # exactly this message
//!       mail: [{ to: [ops@example.com], subject: Report }]   # the messages it sent
//!   - name: refuses to divide by zero
//!     request: { num1: 1, num2: 0, operation: divide }
//!     expect:
//!       error: { status: 400, contains: divide by zero }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use praximous_registry::manifest::Manifest;
use serde::Deserialize;
use serde_json::{Map, Value};

/// What one network host answers, by path.
pub type HostAnswers = BTreeMap<String, StandInAnswer>;

/// One stand-in answer of a network host.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandInAnswer {
    /// The status (200 unless given).
    #[serde(default = "ok")]
    pub status: u16,
    /// The body: text as it is, anything else as JSON.
    #[serde(default)]
    pub body: Value,
    /// The content type (`application/json` for a JSON body, else `text/plain`).
    #[serde(default)]
    pub content_type: Option<String>,
}

fn ok() -> u16 {
    200
}

/// What the skill talks to while a file's cases run.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandIns {
    /// The operator's `[skills.<name>]` settings, as the `config` import reads them.
    #[serde(default)]
    pub config: Map<String, Value>,
    /// What every LLM call answers; absent: the prompt it was asked, echoed.
    #[serde(default)]
    pub llm: Option<String>,
    /// The network hosts' answers, by host name, then path.
    #[serde(default)]
    pub hosts: BTreeMap<String, HostAnswers>,
}

/// What must come back.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Fields the result data must have (with these values; others may be there too).
    #[serde(default)]
    pub result: Option<Value>,
    /// The exact message.
    #[serde(default)]
    pub message: Option<String>,
    /// The request must fail so.
    #[serde(default)]
    pub error: Option<ExpectError>,
    /// The messages the skill must have sent, in order, each with these fields (`from`, `to`,
    /// `subject`, `body`).
    #[serde(default)]
    pub mail: Option<Vec<Value>>,
}

/// How a request must fail.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectError {
    /// The HTTP status the server would answer with (400 bad input, 403 denied, 500, 504, ...).
    #[serde(default)]
    pub status: Option<u16>,
    /// Text the error must contain.
    #[serde(default)]
    pub contains: Option<String>,
}

/// One case as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// What it shows.
    pub name: String,
    /// The request body, as `POST /api/v1/process` takes it (`task_type` may be left out).
    pub request: Map<String, Value>,
    /// What must come back; absent: any success.
    #[serde(default)]
    pub expect: Expect,
}

/// A case file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Its stand-ins.
    #[serde(default)]
    pub stand_ins: StandIns,
    /// Its cases.
    pub cases: Vec<CaseSpec>,
}

/// A case ready to run: where it comes from, its request split as the server splits it, and
/// the stand-ins it runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// `example of <operation>` or `<file>: <name>`.
    pub label: String,
    /// The prompt.
    pub prompt: String,
    /// The other fields.
    pub params: Map<String, Value>,
    /// What must come back.
    pub expect: Expect,
    /// Index into the stand-ins of [`Cases::stand_ins`].
    pub stand_ins: usize,
}

/// Every case of a skill, and the stand-ins they run with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cases {
    /// The cases, examples first.
    pub cases: Vec<Case>,
    /// The stand-ins: the examples' (the first file's, or none), then each file's.
    pub stand_ins: Vec<StandIns>,
}

/// A case file that cannot be used, or a case that names another skill.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Not a case file.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
}

/// The request split as `POST /api/v1/process` splits it, or what is wrong with it.
fn split(
    skill: &str,
    mut request: Map<String, Value>,
) -> Result<(String, Map<String, Value>), String> {
    match request.remove("task_type") {
        None => {}
        Some(Value::String(named)) if named == skill => {}
        Some(other) => return Err(format!("its task_type is {other}, not `{skill}`")),
    }
    let prompt = match request.remove("prompt") {
        None => String::new(),
        Some(Value::String(prompt)) => prompt,
        Some(other) => return Err(format!("its prompt must be text, not {other}")),
    };
    Ok((prompt, request))
}

/// The manifest's examples and the cases of every `tests/*.yaml` in `dir`, in file order.
pub fn load(dir: &Path, manifest: &Manifest) -> Result<Cases, CaseError> {
    let skill = manifest.name.as_str();
    let mut cases = Cases {
        cases: Vec::new(),
        stand_ins: vec![StandIns::default()],
    };
    for (operation, details) in &manifest.operations {
        let Some(Value::Object(example)) = &details.example else {
            continue;
        };
        let (prompt, params) =
            split(skill, example.clone()).map_err(|message| CaseError::Invalid {
                path: dir.join("skill.yaml"),
                message: format!("the example of `{operation}`: {message}"),
            })?;
        cases.cases.push(Case {
            label: format!("example of {operation}"),
            prompt,
            params,
            expect: Expect::default(),
            stand_ins: 0,
        });
    }
    let folder = dir.join("tests");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml")
            })
            .collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(CaseError::Io {
                path: folder,
                source,
            });
        }
    };
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| CaseError::Io {
            path: path.clone(),
            source,
        })?;
        let file: CaseFile = serde_norway::from_str(&text).map_err(|error| CaseError::Invalid {
            path: path.clone(),
            message: error.to_string(),
        })?;
        let stand_ins = cases.stand_ins.len();
        if stand_ins == 1 {
            // The first file's stand-ins are the examples' too.
            cases.stand_ins[0] = file.stand_ins.clone();
        }
        cases.stand_ins.push(file.stand_ins);
        let stem = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for spec in file.cases {
            let (prompt, params) =
                split(skill, spec.request).map_err(|message| CaseError::Invalid {
                    path: path.clone(),
                    message: format!("case `{}`: {message}", spec.name),
                })?;
            cases.cases.push(Case {
                label: format!("{stem}: {}", spec.name),
                prompt,
                params,
                expect: spec.expect,
                stand_ins,
            });
        }
    }
    Ok(cases)
}

/// Whether `actual` has everything `expected` has: objects by their keys (extra keys in
/// `actual` are fine), arrays element by element, anything else equal.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => expected
            .iter()
            .all(|(key, want)| actual.get(key).is_some_and(|got| contains(got, want))),
        (Value::Array(actual), Value::Array(expected)) => {
            actual.len() == expected.len()
                && actual
                    .iter()
                    .zip(expected)
                    .all(|(got, want)| contains(got, want))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => actual == expected,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn results_match_by_the_fields_expected() {
        let actual = json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}, "f": "x"});
        assert!(contains(&actual, &json!({"b": {"c": [1, {"d": 2}]}})));
        assert!(contains(&actual, &json!({"a": 1.0})), "numbers by value");
        assert!(!contains(&actual, &json!({"a": 2})));
        assert!(
            !contains(&actual, &json!({"g": null})),
            "a missing key is not null"
        );
        assert!(
            !contains(&actual, &json!({"b": {"c": [1]}})),
            "arrays whole"
        );
    }

    #[test]
    fn a_case_file_reads_with_its_stand_ins() -> Result<(), Box<dyn std::error::Error>> {
        let file: CaseFile = serde_norway::from_str(
            "stand_ins:\n  config: { units: metric }\n  llm: Fine.\n  hosts:\n    api.example.com:\n      /x: { body: { t: 1 } }\n\
             cases:\n  - name: one\n    request: { prompt: hi, n: 1 }\n    expect: { error: { status: 400 } }\n",
        )?;
        assert_eq!(file.stand_ins.llm.as_deref(), Some("Fine."));
        assert_eq!(file.stand_ins.hosts["api.example.com"]["/x"].status, 200);
        assert_eq!(
            file.cases[0].expect.error.as_ref().and_then(|e| e.status),
            Some(400)
        );
        let (prompt, params) = split("s", file.cases[0].request.clone())?;
        assert_eq!((prompt.as_str(), params.get("n")), ("hi", Some(&json!(1))));
        assert!(
            split(
                "s",
                json!({"task_type": "other"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            )
            .is_err()
        );
        let unknown = serde_norway::from_str::<CaseFile>("cases: []\nstandins: {}\n");
        assert!(unknown.is_err(), "a misspelt key is refused, not ignored");
        Ok(())
    }
}
