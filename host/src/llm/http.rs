//! Sending one provider request: connection and timeout failures classified, the answer
//! read in full, and the HTTP error statuses every provider shares mapped to a
//! [`ProviderError`].

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::provider::{ProviderError, excerpt};

/// An HTTP answer: status, headers and body.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub body: String,
}

/// Send `request`, giving up after `timeout` (connection, headers and body included).
pub async fn send(
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<Answer, ProviderError> {
    let exchange = async {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await?;
        Ok::<_, reqwest::Error>(Answer {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => Err(ProviderError::Timeout(timeout)),
        Ok(Err(e)) if e.is_timeout() => Err(ProviderError::Timeout(timeout)),
        Ok(Err(e)) => Err(ProviderError::Connect(describe(e))),
        Ok(Ok(answer)) => Ok(answer),
    }
}

/// The error and its causes in one line, without the URL.
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Map the statuses every provider shares; `Ok(())` for 2xx. Provider-specific refusals
/// (context length, safety) are recognised by the caller first, from the body.
pub fn check_status(
    answer: &Answer,
    message: impl Fn(&str) -> String,
) -> Result<(), ProviderError> {
    let status = answer.status;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let text = message(&answer.body);
    Err(match status {
        429 => ProviderError::RateLimited {
            retry_after: retry_after(&answer.headers),
        },
        500..=599 => ProviderError::Server {
            status,
            message: text,
        },
        _ => ProviderError::Rejected {
            status,
            message: text,
        },
    })
}

/// `Retry-After` in seconds (the HTTP-date form is rare from these APIs and is ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// The `message` of a JSON error body at `pointer`, else an excerpt of the body.
pub fn json_message(body: &str, pointer: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer(pointer)
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| excerpt(body))
}
