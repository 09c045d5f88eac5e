//! The host's capabilities, as plain functions.

use crate::bindings::praximous::skill::{context, log as wit_log, output};

pub use crate::bindings::praximous::skill::context::Identity;

/// Log at info level; the host tags the line with the skill and request id.
pub fn log_info(message: &str) {
    wit_log::log(wit_log::Level::Info, message);
}

/// Log at warn level.
pub fn log_warn(message: &str) {
    wit_log::log(wit_log::Level::Warn, message);
}

/// Log at debug level.
pub fn log_debug(message: &str) {
    wit_log::log(wit_log::Level::Debug, message);
}

/// The system identity the operator configured (name, business, persona...).
pub fn identity() -> Identity {
    context::current()
}

/// Stream a chunk of partial output to callers that listen (WebSocket, SSE).
///
/// Returns `false` when the host dropped the chunk because the output budget is spent.
pub fn emit(chunk: &str) -> bool {
    output::emit(chunk)
}
