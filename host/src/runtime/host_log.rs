//! The `log` import: guest log lines, tagged with skill and request id, bounded per request.

use super::bindings::log::{Host, Level};
use super::state::SkillState;

/// Longest log line kept, in bytes; the rest is cut.
const MAX_LINE_BYTES: usize = 4096;

impl Host for SkillState {
    async fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let call = &mut self.call;
        if call.log_lines_left == 0 {
            return Ok(());
        }
        call.log_lines_left -= 1;
        let message = truncate(&message, MAX_LINE_BYTES);
        let (skill, request_id) = (&*call.skill, &*call.request_id);
        match level {
            Level::Trace => tracing::trace!(target: "skill", skill, request_id, "{message}"),
            Level::Debug => tracing::debug!(target: "skill", skill, request_id, "{message}"),
            Level::Info => tracing::info!(target: "skill", skill, request_id, "{message}"),
            Level::Warn => tracing::warn!(target: "skill", skill, request_id, "{message}"),
            Level::Error => tracing::error!(target: "skill", skill, request_id, "{message}"),
        }
        if call.log_lines_left == 0 {
            tracing::warn!(target: "skill", skill, request_id, "log line budget spent; further lines from this request are dropped");
        }
        Ok(())
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(super::truncate("héllo", 2), "h");
        assert_eq!(super::truncate("hello", 10), "hello");
    }
}
