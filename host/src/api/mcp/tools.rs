//! Skills as MCP tools: each operation of each loaded skill the key may use is one tool, named
//! after the skill (`skill.operation` when a skill offers several), described and typed by the
//! skill's manifest. Calling one runs the skill in its sandbox, as `/api/v1/process` would,
//! audited as kind `mcp`.

use std::sync::Arc;
use std::time::Instant;

use axum::http::StatusCode;
use praximous_registry::manifest::{KnowledgeAccess, Manifest};
use serde_json::{Map, Value, json};

use super::super::AppState;
use super::super::error::ApiError;
use super::super::process::{Ended, skill_answer, skill_served, write_audit};
use super::super::scope::{self, Target};
use super::super::task_stream::Caller;
use super::jsonrpc::{INTERNAL_ERROR, INVALID_PARAMS, REFUSED, RpcError};
use super::protocol::Era;
use crate::runtime::Call;
use crate::skills::{Catalogue, LoadedSkill};
use crate::store::TaskKind;

/// A tool call that did not produce a tool result: the JSON-RPC error, and the HTTP status
/// its answer has.
#[derive(Debug)]
pub struct Failed {
    /// The HTTP status of the answer (200 for protocol errors, 403 for a tool outside the
    /// key's scope, 503 when the call could not be recorded).
    pub status: StatusCode,
    /// The error.
    pub error: RpcError,
}

impl Failed {
    fn protocol(code: i64, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::OK,
            error: RpcError::new(code, message),
        }
    }

    /// An API error (a refusal, an unrecorded call) as a JSON-RPC error with the same status.
    pub fn from_api(error: &ApiError) -> Self {
        let code = if error.status().is_server_error() {
            INTERNAL_ERROR
        } else {
            REFUSED
        };
        Self {
            status: error.status(),
            error: RpcError::new(code, error.detail_text())
                .with_data(json!({"status": error.status().as_u16(), "code": error.code()})),
        }
    }
}

/// The name of the tool for `operation` of the skill `manifest`.
pub fn tool_name(manifest: &Manifest, operation: &str) -> String {
    if manifest.operations.len() == 1 {
        manifest.name.to_string()
    } else {
        format!("{}.{operation}", manifest.name)
    }
}

/// The skill and operation a tool name stands for.
fn find(catalogue: &Catalogue, name: &str) -> Option<(Arc<LoadedSkill>, String)> {
    if let Some(skill) = catalogue.get(name)
        && skill.manifest.operations.len() == 1
    {
        let operation = skill.manifest.operations.keys().next()?.clone();
        return Some((skill, operation));
    }
    let (skill_name, operation) = name.split_once('.')?;
    let skill = catalogue.get(skill_name)?;
    (skill.manifest.operations.len() > 1 && skill.manifest.operations.contains_key(operation))
        .then(|| (skill, operation.to_owned()))
}

/// What a tool may do, as MCP's hints: read-only unless it reaches the network, sends mail or
/// writes to the knowledge store; open-world when it reaches the network or sends mail. The
/// manifest's permissions themselves are in `_meta`.
fn annotations(manifest: &Manifest, title: &str) -> Value {
    let permissions = &manifest.permissions;
    let reaches_network = !permissions.network.is_empty();
    let writes = permissions.knowledge.level() == KnowledgeAccess::Write;
    let read_only = !(reaches_network || permissions.mail || writes);
    json!({
        "title": title,
        "readOnlyHint": read_only,
        "destructiveHint": writes,
        "idempotentHint": read_only,
        "openWorldHint": reaches_network || permissions.mail,
    })
}

/// The manifest's parameter schema as MCP wants it: an object schema.
fn input_schema(params: &Value) -> Value {
    let mut schema = match params {
        Value::Object(fields) => fields.clone(),
        _ => Map::new(),
    };
    schema
        .entry("type")
        .or_insert_with(|| Value::String("object".into()));
    Value::Object(schema)
}

/// The tools the key of `caller` may use, in name order.
pub fn list(catalogue: &Catalogue, caller: &Caller) -> Vec<Value> {
    let principal = caller.principal.as_ref();
    let mut tools = Vec::new();
    for skill in catalogue.iter() {
        let manifest = &skill.manifest;
        for (operation, details) in &manifest.operations {
            let target = Target::Operation {
                skill: manifest.name.as_str(),
                operation,
            };
            if !scope::allows(principal, target) {
                continue;
            }
            let name = tool_name(manifest, operation);
            let title = if manifest.operations.len() == 1 {
                manifest.name.to_string()
            } else {
                format!("{} — {operation}", manifest.name)
            };
            tools.push(json!({
                "name": name,
                "title": title,
                "description": format!("{} {}", details.description, manifest.description),
                "inputSchema": input_schema(&details.params),
                "annotations": annotations(manifest, &title),
                "_meta": {
                    "praximous/skill": manifest.name,
                    "praximous/operation": operation,
                    "praximous/version": manifest.version.to_string(),
                    "praximous/permissions": manifest.permissions,
                },
            }));
        }
    }
    tools.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    tools
}

/// The answer to `tools/list`.
pub fn list_result(state: &AppState, caller: &Caller, era: Era) -> Value {
    let tools = list(&state.catalogue.snapshot(), caller);
    let mut result = json!({"tools": tools});
    if era == Era::Modern {
        result["ttlMs"] = json!(0);
        result["cacheScope"] = json!("private");
    }
    era.complete(result)
}

/// A tool result with one text block.
fn text_result(text: String, structured: Option<Value>, is_error: bool) -> Value {
    let mut result = json!({
        "content": [{"type": "text", "text": text}],
        "isError": is_error,
    });
    if let Some(structured) = structured {
        result["structuredContent"] = structured;
    }
    result
}

/// Run `tools/call` with `params`: the tool result, or the error that replaces it.
pub async fn call(
    state: &AppState,
    caller: &Caller,
    request_id: Arc<str>,
    era: Era,
    params: &Value,
) -> Result<Value, Failed> {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Err(Failed::protocol(
            INVALID_PARAMS,
            "tools/call needs `name`, the tool to call (tools/list names them).",
        ));
    };
    let catalogue = state.catalogue.snapshot();
    let principal = caller.principal.as_ref();
    // A tool the key may not use is not listed, but calling it is refused by name (below),
    // as `/api/v1/process` refuses a skill outside the key's scope.
    let Some((skill, operation)) = find(&catalogue, name) else {
        return Err(Failed::protocol(
            INVALID_PARAMS,
            format!("Unknown tool: {name}. tools/list names the tools this key may call."),
        ));
    };
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(arguments)) => arguments.clone(),
        Some(_) => {
            return Ok(era.complete(text_result(
                format!(
                    "The arguments of {name} must be an object of its inputSchema's properties."
                ),
                None,
                true,
            )));
        }
    };
    let started = Instant::now();
    let arrived = time::OffsetDateTime::now_utc();
    let mut served = skill_served(&skill.manifest);
    served.kind = TaskKind::Mcp;
    let mut params = arguments;
    let prompt = match params.remove("prompt") {
        Some(Value::String(prompt)) => prompt,
        Some(other) => {
            params.insert("prompt".into(), other);
            String::new()
        }
        None => String::new(),
    };
    let target = Target::Operation {
        skill: skill.manifest.name.as_str(),
        operation: &operation,
    };
    let answer = match scope::check(principal, target).and_then(|()| {
        crate::api::license::check_skill(&state.licensing, skill.manifest.name.as_str())
    }) {
        Err(refused) => Err(refused),
        Ok(()) => {
            let call = Call {
                request_id: request_id.clone(),
                task_type: skill.manifest.name.to_string(),
                prompt: prompt.clone(),
                params,
                key_id: principal.map(|p| p.key_id.clone()),
                caller_role: principal.map(|p| p.role),
                deltas: None,
            };
            let result = state.runtime.invoke(&skill.prepared, call).await;
            skill_answer(state, &request_id, skill.manifest.name.as_str(), result)
        }
    };
    let ended = Ended {
        request_id: &request_id,
        arrived,
        task_type: skill.manifest.name.to_string(),
        served,
        prompt: &prompt,
        latency: started.elapsed(),
        caller,
        stream: None,
    };
    write_audit(state, ended, answer.as_ref().map(|a| &a.result))
        .await
        .map_err(|unrecorded| Failed::from_api(&unrecorded))?;
    match answer {
        Ok(response) => {
            let structured = json!({
                "result": response.result,
                "message": response.message,
                "details": response.details,
                "request_id": response.request_id,
            });
            let text = serde_json::to_string(&structured).unwrap_or_default();
            Ok(era.complete(text_result(text, Some(structured), false)))
        }
        Err(error) if error.code() == super::super::error::ErrorCode::NotInScope => {
            Err(Failed::from_api(&error))
        }
        Err(error) => {
            let mut result = text_result(error.detail_text(), None, true);
            result["_meta"] = json!({
                "praximous/status": error.status().as_u16(),
                "praximous/code": error.code(),
                "praximous/request_id": request_id.as_ref(),
            });
            Ok(era.complete(result))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_schemas_are_object_schemas() {
        assert_eq!(input_schema(&json!({})), json!({"type": "object"}));
        let schema =
            input_schema(&json!({"properties": {"a": {"type": "number"}}, "required": ["a"]}));
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["a"]));
    }
}
