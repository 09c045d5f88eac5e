//! `weather_tool` and `web_search_tool` on the real binary, against stand-ins on 127.0.0.1 that
//! speak OpenWeatherMap's and Serper's wire formats: the API key comes from the operator's
//! configuration (through an environment variable), reaches the API, and never the answer or
//! the log; API errors come back in the original's words.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use praximous_e2e::{Answer, Server, client, post_json};
use serde_json::{Value, json};

const WEATHER_KEY: &str = "owm-key-6d1f0c";
const SEARCH_KEY: &str = "serper-key-9a2b77";

/// What the stand-ins were sent.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Value>>>);

impl Seen {
    fn push(&self, value: Value) {
        if let Ok(mut seen) = self.0.lock() {
            seen.push(value);
        }
    }

    fn all(&self) -> Vec<Value> {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn paris(units: &str) -> Value {
    json!({
        "coord": {"lon": 2.3488, "lat": 48.8534},
        "weather": [{"id": 800, "main": "Clear", "description": "clear sky", "icon": "01d"}],
        "base": "stations",
        "main": {"temp": if units == "imperial" { 65.3 } else { 18.5 }, "feels_like": 17.9,
                 "temp_min": 17.2, "temp_max": 19.4, "pressure": 1015, "humidity": 55},
        "visibility": 10000,
        "wind": {"speed": 3.6, "deg": 240},
        "clouds": {"all": 0},
        "dt": 1_717_243_200,
        "sys": {"type": 2, "id": 2_041_230, "country": "FR", "sunrise": 1_717_213_870, "sunset": 1_717_271_393},
        "timezone": 7200, "id": 2_988_507, "name": "Paris", "cod": 200
    })
}

/// OpenWeatherMap's `/data/2.5/weather` and `/data/2.5/forecast`, with its error bodies.
async fn weather(
    State(seen): State<Seen>,
    Query(query): Query<HashMap<String, String>>,
    uri: axum::http::Uri,
) -> Response {
    seen.push(json!({"path": uri.path(), "query": query}));
    if query.get("appid").map(String::as_str) != Some(WEATHER_KEY) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"cod": 401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."})),
        )
            .into_response();
    }
    let place = query.get("q").cloned().unwrap_or_default();
    if !place.starts_with("Paris") {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"cod": "404", "message": "city not found"})),
        )
            .into_response();
    }
    let units = query.get("units").cloned().unwrap_or_default();
    if uri.path().ends_with("/forecast") {
        return Json(
            json!({"cod": "200", "message": 0, "cnt": 1, "list": [paris(&units)],
                           "city": {"id": 2_988_507, "name": "Paris", "country": "FR"}}),
        )
        .into_response();
    }
    Json(paris(&units)).into_response()
}

/// Serper's `POST /search`.
async fn search(State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    seen.push(json!({"key": key, "body": body}));
    if key != SEARCH_KEY {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "Unauthorized.", "statusCode": 403})),
        )
            .into_response();
    }
    let q = body["q"].as_str().unwrap_or_default();
    let organic: Vec<Value> = (1..=8)
        .map(|i| {
            json!({"title": format!("{q} — result {i}"), "link": format!("https://example.org/{i}"),
                   "snippet": format!("Snippet {i} about {q}."), "position": i})
        })
        .collect();
    Json(json!({
        "searchParameters": {"q": q, "type": "search", "engine": "google"},
        "organic": organic,
        "credits": 1
    }))
    .into_response()
}

/// Both stand-ins on one port; returns its `host:port` and what each was sent.
async fn stand_ins() -> anyhow::Result<(String, Seen, Seen)> {
    let (weather_seen, search_seen) = (Seen::default(), Seen::default());
    let app = Router::new()
        .route("/data/2.5/weather", get(weather))
        .route("/data/2.5/forecast", get(weather))
        .with_state(weather_seen.clone())
        .merge(
            Router::new()
                .route("/search", post(search))
                .with_state(search_seen.clone()),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let authority = listener.local_addr()?.to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((authority, weather_seen, search_seen))
}

async fn call(server: &Server, body: Value) -> Answer {
    post_json(&client(), &server.url("/api/v1/process"), &body)
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
}

async fn detail(server: &Server, body: Value, status: u16) -> String {
    let answer = call(server, body.clone()).await;
    assert_eq!(answer.status, status, "{body}: {}", answer.text);
    answer.json["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn weather_and_search_use_the_operators_keys_and_apis() -> anyhow::Result<()> {
    let (authority, weather_seen, search_seen) = stand_ins().await?;
    let config = format!(
        "[skills.weather_tool]\nbase_url = \"http://{authority}/data/2.5\"\napi_key = {{ env = \"TEST_WEATHER_KEY\" }}\n\
         allow_hosts = [\"{authority}\"]\nallow_cidrs = [\"127.0.0.0/8\"]\n\n\
         [skills.web_search_tool]\nendpoint = \"http://{authority}/search\"\napi_key = {{ env = \"TEST_SEARCH_KEY\" }}\n\
         allow_hosts = [\"{authority}\"]\nallow_cidrs = [\"127.0.0.0/8\"]\n"
    );
    let server = Server::start_with_config_and_env(
        &config,
        &[
            ("TEST_WEATHER_KEY", WEATHER_KEY),
            ("TEST_SEARCH_KEY", SEARCH_KEY),
        ],
    )?;

    let now = call(
        &server,
        json!({"task_type": "weather_tool", "prompt": "Weather?", "location": "Paris,FR", "units": "imperial"}),
    )
    .await;
    assert_eq!(now.status, 200, "{}", now.text);
    assert_eq!(
        now.json["result"],
        json!({"location": "Paris,FR", "weather_info": paris("imperial"), "units": "imperial"})
    );
    let sent = weather_seen.all();
    assert_eq!(sent[0]["path"], "/data/2.5/weather");
    assert_eq!(
        sent[0]["query"],
        json!({"q": "Paris,FR", "appid": WEATHER_KEY, "units": "imperial"})
    );

    let forecast = call(
        &server,
        json!({"task_type": "weather_tool", "prompt": "", "operation": "get_forecast", "location": "Paris"}),
    )
    .await;
    assert_eq!(forecast.status, 200, "{}", forecast.text);
    assert_eq!(forecast.json["result"]["units"], "metric", "the default");
    assert_eq!(forecast.json["result"]["weather_info"]["cnt"], 1);

    assert_eq!(
        detail(
            &server,
            json!({"task_type": "weather_tool", "prompt": "", "location": "Atlantis"}),
            400
        )
        .await,
        "API Error (Details: API request failed with status 404. Message: city not found)"
    );
    for (body, expected) in [
        (
            json!({"task_type": "weather_tool", "prompt": "Paris"}),
            "Input Error (Details: 'location' parameter is required.)",
        ),
        (
            json!({"task_type": "weather_tool", "prompt": "", "location": "Paris", "units": "kelvin"}),
            "Input Error (Details: 'units' must be one of metric, imperial or standard, not 'kelvin'.)",
        ),
        (
            json!({"task_type": "weather_tool", "prompt": "", "location": "Paris", "operation": "get_radar"}),
            "Unsupported Operation (Details: Operation 'get_radar' is not supported.)",
        ),
    ] {
        assert_eq!(detail(&server, body, 400).await, expected);
    }

    let found = call(
        &server,
        json!({"task_type": "web_search_tool", "prompt": "rust wasm components", "num_results": "3"}),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.text);
    let result = &found.json["result"];
    assert_eq!(
        result["query"], "rust wasm components",
        "the prompt is the query"
    );
    assert_eq!(result["results_count"], 3);
    assert_eq!(
        result["results"][2],
        json!({"title": "rust wasm components — result 3", "link": "https://example.org/3",
               "snippet": "Snippet 3 about rust wasm components."})
    );
    assert_eq!(
        search_seen.all(),
        [json!({"key": SEARCH_KEY, "body": {"q": "rust wasm components", "num": 3}})]
    );
    for (body, expected) in [
        (
            json!({"task_type": "web_search_tool", "prompt": "  "}),
            "Input Error (Details: 'query' cannot be empty.)",
        ),
        (
            json!({"task_type": "web_search_tool", "prompt": "x", "num_results": 0}),
            "Input Error (Details: 'num_results' must be a whole number from 1 to 100.)",
        ),
    ] {
        assert_eq!(detail(&server, body, 400).await, expected);
    }

    // The keys reached the APIs, and nothing else.
    let answers = format!("{}{}{}", now.text, forecast.text, found.text);
    assert!(!answers.contains(WEATHER_KEY) && !answers.contains(SEARCH_KEY));
    let log = server.log();
    assert!(
        !log.contains(WEATHER_KEY) && !log.contains(SEARCH_KEY),
        "no key in the log:\n{log}"
    );
    Ok(())
}

#[tokio::test]
async fn without_keys_or_hosts_the_api_skills_say_what_the_operator_must_set() -> anyhow::Result<()>
{
    let (authority, weather_seen, search_seen) = stand_ins().await?;
    // Base URLs point at the stand-ins, but allow_hosts is not set: only the public APIs the
    // manifests name are allowed by default, so the stand-ins stay unreachable.
    let config = format!(
        "[skills.weather_tool]\nbase_url = \"http://{authority}/data/2.5\"\napi_key = \"wrong-key\"\n\n\
         [skills.web_search_tool]\nendpoint = \"http://{authority}/search\"\n"
    );
    let server = Server::start_with_config_and_env(&config, &[])?;
    assert_eq!(
        detail(
            &server,
            json!({"task_type": "weather_tool", "prompt": "", "location": "Paris"}),
            403
        )
        .await,
        "Network access denied (Details: This skill may not reach '127.0.0.1'. An operator can allow it with `allow_hosts` in the skill's [skills.<name>] table of the configuration.)"
    );
    assert!(weather_seen.all().is_empty());
    assert_eq!(
        detail(
            &server,
            json!({"task_type": "web_search_tool", "prompt": "x"}),
            500
        )
        .await,
        "Configuration Error (Details: The operator has not set `api_key` for this skill: add `api_key = { env = \"SEARCH_API_KEY\" }` to its [skills.<name>] table in the configuration.)"
    );
    assert!(search_seen.all().is_empty());
    drop(server);

    // A wrong key is the API's 401, in the original's words.
    let config = format!(
        "[skills.weather_tool]\nbase_url = \"http://{authority}/data/2.5\"\napi_key = \"wrong-key\"\nallow_hosts = [\"{authority}\"]\nallow_cidrs = [\"127.0.0.0/8\"]\n"
    );
    let server = Server::start_with_config_and_env(&config, &[])?;
    assert_eq!(
        detail(
            &server,
            json!({"task_type": "weather_tool", "prompt": "", "location": "Paris"}),
            400
        )
        .await,
        "API Error (Details: API request failed with status 401. Message: Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.)"
    );
    Ok(())
}
