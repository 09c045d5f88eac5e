//! Console logging: human-readable lines on stderr, each tagged with the system's display
//! name so that logs from several Praximous instances can be told apart.

use std::fmt;

use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Environment variable with a `tracing` filter, e.g. `debug` or `info,praximous=trace`.
pub const LOG_ENV: &str = "PRAX_LOG";

struct Tagged {
    tag: Option<String>,
    inner: Format,
}

impl<S, N> FormatEvent<S, N> for Tagged
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if let Some(tag) = &self.tag {
            write!(writer, "[{tag}] ")?;
        }
        self.inner.format_event(ctx, writer, event)
    }
}

/// Install the global subscriber; `tag` (the display name) prefixes every line.
pub fn init(tag: Option<String>) {
    let filter = EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,wasmtime=warn,cranelift=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(Tagged {
            tag,
            inner: Format::default(),
        })
        .try_init();
}
