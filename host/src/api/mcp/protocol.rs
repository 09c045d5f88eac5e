//! The MCP revisions this server speaks and what tells them apart.
//!
//! - **2026-07-28**, the current one: no sessions and no `initialize`; every request says its
//!   revision (the `MCP-Protocol-Version` header and the `_meta` envelope), `server/discover`
//!   describes the server, `subscriptions/listen` carries notifications.
//! - **2025-11-25, 2025-06-18 and 2025-03-26**, which most clients still speak: `initialize`
//!   agrees a revision and opens a session; notifications come on `GET /mcp`.

use serde_json::{Value, json};

use super::jsonrpc::{RpcError, UNSUPPORTED_PROTOCOL_VERSION};

/// The current revision.
pub const MODERN: &str = "2026-07-28";
/// The revisions with `initialize` and sessions, newest first.
pub const HANDSHAKE: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// `_meta` key of the revision a 2026-07-28 request is made in.
pub const PROTOCOL_VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of the server's name and version in `server/discover`.
pub const SERVER_INFO_META: &str = "io.modelcontextprotocol/serverInfo";
/// `_meta` key naming the subscription a notification belongs to.
pub const SUBSCRIPTION_ID_META: &str = "io.modelcontextprotocol/subscriptionId";

/// Which family a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2026-07-28: stateless, every result says `resultType`.
    Modern,
    /// A 2025 revision, in a session.
    Handshake(&'static str),
}

impl Era {
    /// The revision.
    pub fn version(self) -> &'static str {
        match self {
            Self::Modern => MODERN,
            Self::Handshake(version) => version,
        }
    }

    /// `result` as this revision wants it: 2026-07-28 results say they are complete.
    pub fn complete(self, mut result: Value) -> Value {
        if self == Self::Modern
            && let Value::Object(fields) = &mut result
        {
            fields.insert("resultType".into(), json!("complete"));
        }
        result
    }
}

/// Every revision served, newest first.
pub fn supported() -> Vec<&'static str> {
    std::iter::once(MODERN).chain(HANDSHAKE).collect()
}

/// The 2025 revision `initialize` agrees on: the one asked for if served, else the newest
/// (the client then decides whether it can speak it, as the specification says).
pub fn negotiate(requested: Option<&str>) -> &'static str {
    HANDSHAKE
        .into_iter()
        .find(|version| Some(*version) == requested)
        .unwrap_or(HANDSHAKE[0])
}

/// The error for a revision this server does not speak.
pub fn unsupported(requested: &str) -> RpcError {
    RpcError::new(
        UNSUPPORTED_PROTOCOL_VERSION,
        format!(
            "Unsupported MCP protocol version '{requested}': this server speaks {}.",
            supported().join(", ")
        ),
    )
    .with_data(json!({"supported": supported(), "requested": requested}))
}

/// Who this server is.
pub fn server_info() -> Value {
    json!({
        "name": "praximous",
        "title": "Praximous",
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// What the server offers: tools, and word when their list changes.
fn capabilities() -> Value {
    json!({"tools": {"listChanged": true}})
}

const INSTRUCTIONS: &str = "Each tool is a Praximous Smart Skill, run in a sandbox with only the capabilities its signed manifest declares. A tool's annotations say whether it reaches the network or sends mail.";

/// The answer to `initialize` for `version`.
pub fn initialize_result(version: &'static str) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": INSTRUCTIONS,
    })
}

/// The answer to `server/discover` (2026-07-28).
pub fn discover_result() -> Value {
    json!({
        "supportedVersions": supported(),
        "capabilities": capabilities(),
        "instructions": INSTRUCTIONS,
        "resultType": "complete",
        "ttlMs": 0,
        "cacheScope": "private",
        "_meta": {SERVER_INFO_META: server_info()},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initialize_agrees_on_a_2025_revision() {
        assert_eq!(negotiate(Some("2025-06-18")), "2025-06-18");
        assert_eq!(negotiate(Some("2025-03-26")), "2025-03-26");
        assert_eq!(negotiate(Some("2024-11-05")), "2025-11-25");
        assert_eq!(
            negotiate(Some(MODERN)),
            "2025-11-25",
            "no sessions in 2026-07-28"
        );
        assert_eq!(negotiate(None), "2025-11-25");
    }

    #[test]
    fn only_2026_results_say_they_are_complete() {
        let modern = Era::Modern.complete(json!({"tools": []}));
        assert_eq!(modern["resultType"], "complete");
        let old = Era::Handshake("2025-11-25").complete(json!({"tools": []}));
        assert!(old.get("resultType").is_none());
    }

    #[test]
    fn an_unsupported_version_lists_the_ones_served() {
        let error = unsupported("2099-01-01");
        assert_eq!(error.code, UNSUPPORTED_PROTOCOL_VERSION);
        let data = error.data.unwrap_or_default();
        assert_eq!(data["requested"], "2099-01-01");
        assert_eq!(data["supported"][0], MODERN);
    }
}
