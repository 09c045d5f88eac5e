//! `weather_tool`: current weather and forecast for a place, from OpenWeatherMap's API (or any
//! server that speaks it, at the operator's `base_url`), with the operator's API key, never the
//! caller's.

use praximous_skill::host::{required_setting, setting};
use praximous_skill::http::{self, Limits};
use praximous_skill::{Reply, Request, Skill, SkillError, Url, Value, export_skill, json};
use serde::Deserialize;

/// OpenWeatherMap's API, as the original called it.
const DEFAULT_BASE_URL: &str = "https://api.openweathermap.org/data/2.5";
const UNITS: &[&str] = &["metric", "imperial", "standard"];

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    location: Option<String>,
    units: Option<String>,
}

fn input_error(details: impl Into<String>) -> SkillError {
    SkillError::bad_input("Input Error").with_details(details.into())
}

/// `base_url` + `/endpoint?q=...&appid=...&units=...`.
fn endpoint_url(endpoint: &str, location: &str, units: &str, key: &str) -> Result<Url, SkillError> {
    let base = setting("base_url").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let mut url =
        Url::parse(&format!("{}/{endpoint}", base.trim_end_matches('/'))).map_err(|e| {
            SkillError::internal("Configuration Error").with_details(format!(
                "The operator's `base_url` for this skill, `{base}`, is not a URL: {e}."
            ))
        })?;
    url.query_pairs_mut()
        .append_pair("q", location)
        .append_pair("appid", key)
        .append_pair("units", units);
    Ok(url)
}

struct WeatherTool;

impl Skill for WeatherTool {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            operation,
            location,
            units,
        } = request.params;
        let operation = operation
            .unwrap_or_else(|| "get_current_weather".into())
            .to_lowercase();
        let key = required_setting("api_key", "{ env = \"WEATHER_API_KEY\" }")?;
        let location = location
            .filter(|l| !l.trim().is_empty())
            .ok_or_else(|| input_error("'location' parameter is required."))?;
        let units = units.unwrap_or_else(|| "metric".into());
        if !UNITS.contains(&units.as_str()) {
            return Err(input_error(format!(
                "'units' must be one of metric, imperial or standard, not '{units}'."
            )));
        }
        let endpoint = match operation.as_str() {
            "get_current_weather" => "weather",
            "get_forecast" => "forecast",
            other => {
                return Err(SkillError::bad_input("Unsupported Operation")
                    .with_details(format!("Operation '{other}' is not supported.")));
            }
        };
        let url = endpoint_url(endpoint, &location, &units, &key)?;
        let response = http::get(&url, &[("accept", "application/json")], &Limits::default())?;
        let body: Option<Value> = serde_json::from_slice(&response.body).ok();
        if response.status >= 400 {
            let mut details = format!("API request failed with status {}.", response.status);
            if let Some(body) = &body {
                let message = body["message"].as_str().unwrap_or("No specific message.");
                details.push_str(&format!(" Message: {message}"));
            }
            return Err(SkillError::bad_input("API Error").with_details(details));
        }
        let weather = body.ok_or_else(|| {
            SkillError::internal("API Error")
                .with_details("The weather API answered with something that is not JSON.")
        })?;
        Ok(Reply::data(json!({
            "location": location,
            "weather_info": weather,
            "units": units,
        })))
    }
}

export_skill!(WeatherTool);
