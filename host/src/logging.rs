//! Logging: human-readable lines on stderr and, for the server, JSON Lines in a daily-rotated
//! file under the data directory. Every line carries the system's display name; lines
//! logged while serving a request carry its request id (from the `request` span).

use std::fmt;
use std::path::Path;

use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{Format, JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// Environment variable with a `tracing` filter, e.g. `debug` or `info,praximous=trace`.
pub const LOG_ENV: &str = "PRAX_LOG";
/// File name prefix of the JSON log; the date is appended daily.
pub const LOG_FILE_PREFIX: &str = "prax.jsonl";

fn filter() -> EnvFilter {
    EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,wasmtime=warn,cranelift=warn"))
}

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

/// One JSON object per line: timestamp, level, target, system, request id (if any), and the
/// event's fields.
struct JsonLine {
    system: String,
}

impl<S> FormatEvent<S, JsonFields> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = serde_json::Map::new();
        line.insert("timestamp".into(), crate::timestamp::now_rfc3339().into());
        line.insert("level".into(), event.metadata().level().as_str().into());
        line.insert("target".into(), event.metadata().target().into());
        line.insert("system".into(), self.system.clone().into());
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<JsonFields>>() else {
                    continue;
                };
                if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(fields.as_str()) {
                    line.extend(map);
                }
            }
        }
        let mut fields = String::new();
        ctx.format_fields(Writer::new(&mut fields), event)?;
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&fields) {
            line.extend(map);
        }
        writeln!(writer, "{}", serde_json::Value::Object(line))
    }
}

/// Keeps the file writer's background thread alive; dropping it flushes the log.
pub struct LogGuard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

/// Console logging only (CLI commands); `tag` (the display name) prefixes every line.
pub fn init(tag: Option<String>) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .event_format(Tagged {
            tag,
            inner: Format::default(),
        })
        .try_init();
}

/// Console plus JSON Lines in `dir` (a new file each day, `prax.jsonl.YYYY-MM-DD`, the newest
/// `keep_days` kept), so the logs of a busy server cannot fill the disk.
pub fn init_server(display_name: String, dir: &Path, keep_days: u32) -> LogGuard {
    let console = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(Tagged {
            tag: Some(display_name.clone()),
            inner: Format::default(),
        });
    // The appender looks for old files to delete as it starts: the folder must exist by then.
    let _ = std::fs::create_dir_all(dir);
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .max_log_files(keep_days.max(1) as usize)
        .build(dir);
    let (file, guard) = match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .fmt_fields(JsonFields::new())
                .event_format(JsonLine {
                    system: display_name,
                });
            (Some(layer), Some(guard))
        }
        Err(e) => {
            eprintln!(
                "warning: cannot write the log file in {}: {e}; logging to the console only",
                dir.display()
            );
            (None, None)
        }
    };
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(console)
        .with(file)
        .try_init();
    LogGuard(guard)
}
