//! `datetime_tool`: the current time in any IANA time zone; parse and format date-times
//! with strftime-style formats. The time zone database is compiled into the component.

use jiff::fmt::strtime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned, civil};
use praximous_skill::{Reply, Request, Skill, SkillError, export_skill, json};
use serde::Deserialize;

const DEFAULT_FORMAT: &str = "%Y-%m-%d %H:%M:%S %Z";

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    timezone: Option<String>,
    datetime_str: Option<String>,
    format_string: Option<String>,
    input_timezone: Option<String>,
}

fn zone(name: &str) -> Result<TimeZone, SkillError> {
    TimeZone::get(name).map_err(|_| {
        SkillError::bad_input("Invalid Timezone")
            .with_details(format!("Timezone '{name}' is not recognized."))
    })
}

/// ISO 8601 as Python's `isoformat()` writes it: microseconds only when there are any,
/// and the offset as `+HH:MM`.
fn iso(zoned: &Zoned) -> String {
    let micros = zoned.subsec_nanosecond() / 1000;
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    let offset = zoned.offset().seconds();
    let (sign, offset) = if offset < 0 {
        ('-', -offset)
    } else {
        ('+', offset)
    };
    format!(
        "{}{fraction}{sign}{:02}:{:02}",
        zoned.datetime().strftime("%Y-%m-%dT%H:%M:%S"),
        offset / 3600,
        offset % 3600 / 60
    )
}

/// An ISO 8601 date-time: with a zone annotation, with an offset (shown in `tz`, as the
/// original did), or without either (read in `tz`).
fn read_iso(text: &str, tz: &TimeZone) -> Result<Zoned, SkillError> {
    let text = text.trim();
    if let Ok(zoned) = text.parse::<Zoned>() {
        return Ok(zoned.with_time_zone(tz.clone()));
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Ok(timestamp.to_zoned(tz.clone()));
    }
    let local: civil::DateTime = text.parse().map_err(|_| {
        SkillError::bad_input("Formatting Error").with_details(format!(
            "'{text}' is not an ISO 8601 date-time such as 2024-01-15T14:30:00+02:00."
        ))
    })?;
    local
        .to_zoned(tz.clone())
        .map_err(|e| SkillError::bad_input("Formatting Error").with_details(e.to_string()))
}

fn required(value: Option<String>, what: &str) -> Result<String, SkillError> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| {
        SkillError::bad_input("Input Error").with_details(format!("'{what}' is required."))
    })
}

struct DateTimeTool;

impl Skill for DateTimeTool {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let params = request.params;
        let operation = params
            .operation
            .unwrap_or_else(|| "get_current_datetime".into())
            .to_lowercase();
        let data = match operation.as_str() {
            "get_current_datetime" => {
                let name = params.timezone.unwrap_or_else(|| "UTC".into());
                let now = Timestamp::now().to_zoned(zone(&name)?);
                json!({
                    "datetime_iso": iso(&now),
                    "timezone": name,
                    "message": format!("Current datetime in {name}."),
                })
            }
            "format_datetime" => {
                let text = required(params.datetime_str, "datetime_str").map_err(|_| {
                    SkillError::bad_input("Input Error")
                        .with_details("'datetime_str' is required for formatting.")
                })?;
                let format = params
                    .format_string
                    .unwrap_or_else(|| DEFAULT_FORMAT.into());
                let tz_name = params.input_timezone.unwrap_or_else(|| "UTC".into());
                let zoned = read_iso(&text, &zone(&tz_name)?)?;
                let formatted = strtime::format(format.as_str(), &zoned).map_err(|e| {
                    SkillError::bad_input("Formatting Error")
                        .with_details(format!("'{format}' is not a usable format: {e}"))
                })?;
                let abbreviation = strtime::format("%Z", &zoned).unwrap_or(tz_name);
                json!({
                    "original_datetime": text,
                    "format_string": format,
                    "formatted_datetime": formatted,
                    "timezone_applied_for_formatting": abbreviation,
                })
            }
            "parse_datetime" => {
                let text = required(params.datetime_str, "datetime_str")?;
                let format = required(params.format_string, "format_string")?;
                let tz_name = params.input_timezone.unwrap_or_else(|| "UTC".into());
                let tz = zone(&tz_name)?;
                let parsed = strtime::parse(format.as_str(), text.trim()).map_err(|e| {
                    SkillError::bad_input("Parsing Error")
                        .with_details(format!("'{text}' does not match '{format}': {e}"))
                })?;
                let zoned = match parsed.to_timestamp() {
                    Ok(timestamp) => timestamp.to_zoned(tz),
                    Err(_) => parsed
                        .to_datetime()
                        .and_then(|local| local.to_zoned(tz))
                        .map_err(|e| {
                            SkillError::bad_input("Parsing Error").with_details(format!(
                                "'{text}' read with '{format}' is not a complete date-time: {e}"
                            ))
                        })?,
                };
                json!({
                    "original_datetime": text,
                    "format_string": format,
                    "datetime_iso": iso(&zoned),
                    "timezone": tz_name,
                })
            }
            other => {
                return Err(SkillError::bad_input("Unsupported Operation")
                    .with_details(format!("Operation '{other}' is not supported.")));
            }
        };
        Ok(Reply::data(data))
    }
}

export_skill!(DateTimeTool);
