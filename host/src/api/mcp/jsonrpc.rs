//! JSON-RPC 2.0 as MCP uses it: what a client sends, and the answers and errors it gets.

use serde::Serialize;
use serde_json::{Value, json};

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a JSON-RPC request.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Bad parameters (an unknown tool, say).
pub const INVALID_PARAMS: i64 = -32602;
/// The server failed.
pub const INTERNAL_ERROR: i64 = -32603;
/// The request's headers and its `_meta` envelope disagree (2026-07-28).
pub const HEADER_MISMATCH: i64 = -32020;
/// A protocol version this server does not speak; `data` lists the ones it does.
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
/// The HTTP layer refused the request: no or a bad key, a key over its rate limit, a key
/// whose scope does not include the tool. `data` holds the HTTP status and Praximous's code.
pub const REFUSED: i64 = -32003;

/// One message a client sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A request: it gets an answer with its `id`.
    Request {
        /// Its id, echoed in the answer.
        id: Value,
        /// The method.
        method: String,
        /// The parameters (`null` when absent).
        params: Value,
    },
    /// A notification: no answer.
    Notification {
        /// The method.
        method: String,
        /// The parameters (`null` when absent).
        params: Value,
    },
    /// An answer to a request of the server's (this server sends none; it is ignored).
    Response,
}

impl Incoming {
    /// Read one message, or the error answer it gets.
    pub fn parse(value: Value) -> Result<Self, Box<RpcError>> {
        let Value::Object(mut message) = value else {
            return Err(Box::new(RpcError::new(
                INVALID_REQUEST,
                "A JSON-RPC message is an object.",
            )));
        };
        if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err(Box::new(RpcError::new(
                INVALID_REQUEST,
                "The message must have \"jsonrpc\": \"2.0\".",
            )));
        }
        let params = message.remove("params").unwrap_or(Value::Null);
        let id = message.remove("id");
        match (message.remove("method"), id) {
            (Some(Value::String(method)), Some(id)) if is_valid_id(&id) => {
                Ok(Self::Request { id, method, params })
            }
            (Some(Value::String(_)), Some(_)) => Err(Box::new(RpcError::new(
                INVALID_REQUEST,
                "A request id is a string or a number.",
            ))),
            (Some(Value::String(method)), None) => Ok(Self::Notification { method, params }),
            (Some(_), _) => Err(Box::new(RpcError::new(
                INVALID_REQUEST,
                "\"method\" must be a string.",
            ))),
            (None, Some(_)) if message.contains_key("result") || message.contains_key("error") => {
                Ok(Self::Response)
            }
            (None, _) => Err(Box::new(RpcError::new(
                INVALID_REQUEST,
                "The message has no \"method\".",
            ))),
        }
    }

    /// The request's id, if it is one.
    pub fn id(&self) -> Option<&Value> {
        match self {
            Self::Request { id, .. } => Some(id),
            _ => None,
        }
    }
}

fn is_valid_id(id: &Value) -> bool {
    id.is_string() || id.is_i64() || id.is_u64()
}

/// A JSON-RPC error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RpcError {
    /// What kind of error.
    pub code: i64,
    /// For people: what went wrong and what to do.
    pub message: String,
    /// More, for programs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with no data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The same, with `data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// The answer to the request `id`: its result.
pub fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// The answer to the request `id` (`null` when it could not be read): an error.
pub fn error(id: Option<&Value>, error: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id.cloned().unwrap_or(Value::Null), "error": error})
}

/// A notification from the server.
pub fn notification(method: &str, params: Option<Value>) -> Value {
    match params {
        Some(params) => json!({"jsonrpc": "2.0", "method": method, "params": params}),
        None => json!({"jsonrpc": "2.0", "method": method}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_told_apart() {
        let request = Incoming::parse(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}));
        assert_eq!(
            request,
            Ok(Incoming::Request {
                id: json!(3),
                method: "tools/list".into(),
                params: Value::Null
            })
        );
        let note =
            Incoming::parse(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        assert!(matches!(note, Ok(Incoming::Notification { .. })));
        let answer = Incoming::parse(json!({"jsonrpc": "2.0", "id": "s1", "result": {}}));
        assert_eq!(answer, Ok(Incoming::Response));
    }

    #[test]
    fn malformed_messages_get_invalid_request() {
        for bad in [
            json!([1]),
            json!({"id": 1, "method": "ping"}),
            json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}),
            json!({"jsonrpc": "2.0", "id": 1, "method": 7}),
            json!({"jsonrpc": "2.0", "id": 1}),
        ] {
            let parsed = Incoming::parse(bad.clone());
            assert!(
                parsed.as_ref().is_err_and(|e| e.code == INVALID_REQUEST),
                "{bad}: {parsed:?}"
            );
        }
    }
}
