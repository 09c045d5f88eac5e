//! Outgoing HTTP over `wasi:http`, for skills whose manifest grants hosts in
//! `permissions.network`: one request, redirects followed hop by hop (the host checks every
//! hop against the hosts this skill may reach), a body-size ceiling, and connect / first-byte /
//! between-bytes timeouts. The host's wall-clock deadline for the whole call still applies.
//!
//! ```ignore
//! use praximous_skill::http::{self, Limits};
//! let url = url::Url::parse("https://api.example.com/v1/items?q=1")?;
//! let page = http::get(&url, &[], &Limits::default())?;
//! ```

use url::Url;
use wasip2::http::outgoing_handler;

use crate::SkillError;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions,
    Scheme,
};
use wasip2::io::streams::StreamError;

/// How a request is bounded.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest response body read, in bytes.
    pub max_bytes: usize,
    /// Connect, first-byte and between-bytes timeout, in milliseconds.
    pub timeout_ms: u64,
    /// Redirects followed before giving up (0: a redirect is an answer like any other).
    pub max_redirects: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 2 * 1024 * 1024,
            timeout_ms: 10_000,
            max_redirects: 5,
        }
    }
}

/// A response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Where the answer finally came from, after redirects.
    pub url: Url,
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why no response came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The host refused to connect: this skill may not reach `host`.
    Denied {
        /// The host refused.
        host: String,
    },
    /// `host` resolves only to addresses this skill may not reach (loopback, private,
    /// link-local, ...), unless the operator allows their range.
    AddressProhibited {
        /// The host refused.
        host: String,
    },
    /// The body is larger than the limit (bytes).
    TooLarge(usize),
    /// Connecting or reading took longer than the limit.
    Timeout,
    /// Too many redirects, or a redirect to something that is not an http(s) URL.
    Redirect(String),
    /// Anything else on the way.
    Network(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Denied { host } => write!(f, "this skill may not reach '{host}'"),
            Self::AddressProhibited { host } => write!(
                f,
                "'{host}' resolves to an internal address (loopback, private, link-local or similar) this skill may not reach"
            ),
            Self::TooLarge(limit) => write!(f, "the response is larger than {limit} bytes"),
            Self::Timeout => f.write_str("no answer in time"),
            Self::Redirect(problem) | Self::Network(problem) => f.write_str(problem),
        }
    }
}

impl From<HttpError> for SkillError {
    /// A refused host is a denied capability (403) that the operator can grant; anything else
    /// on the way to an upstream API is a failure the caller cannot fix (500).
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Denied { host } => SkillError::denied("Network access denied").with_details(format!(
                "This skill may not reach '{host}'. An operator can allow it with `allow_hosts` in the skill's [skills.<name>] table of the configuration."
            )),
            HttpError::AddressProhibited { host } => SkillError::denied("Network access denied").with_details(format!(
                "'{host}' resolves to an internal address (loopback, private, link-local or similar). An operator can allow its range with `allow_cidrs` in the skill's [skills.<name>] table of the configuration."
            )),
            other => SkillError::internal("Network Error").with_details(other.to_string()),
        }
    }
}

/// GET `url` with `headers`, following redirects.
pub fn get(url: &Url, headers: &[(&str, &str)], limits: &Limits) -> Result<Response, HttpError> {
    let mut current = url.clone();
    for _ in 0..=limits.max_redirects {
        let response = send(&Method::Get, &current, headers, None, limits)?;
        match redirect_target(&response, &current, limits)? {
            Some(next) => current = next,
            None => return finish(response, current, limits),
        }
    }
    Err(HttpError::Redirect(format!(
        "more than {} redirects",
        limits.max_redirects
    )))
}

/// POST `body` to `url` with `headers`. Redirects are not followed (a POST is not repeated).
pub fn post(
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    limits: &Limits,
) -> Result<Response, HttpError> {
    let response = send(&Method::Post, url, headers, Some(body), limits)?;
    finish(response, url.clone(), limits)
}

fn redirect_target(
    response: &IncomingResponse,
    current: &Url,
    limits: &Limits,
) -> Result<Option<Url>, HttpError> {
    let status = response.status();
    if limits.max_redirects == 0 || !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let location = header(response, "location")
        .ok_or_else(|| HttpError::Redirect(format!("status {status} without a Location header")))?;
    current
        .join(&location)
        .ok()
        .filter(|next| matches!(next.scheme(), "http" | "https"))
        .map(Some)
        .ok_or_else(|| HttpError::Redirect(format!("redirect to `{location}`, not an http(s) URL")))
}

fn finish(response: IncomingResponse, url: Url, limits: &Limits) -> Result<Response, HttpError> {
    let status = response.status();
    let body = read_body(response, limits.max_bytes)?;
    Ok(Response { url, status, body })
}

fn send(
    method: &Method,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    limits: &Limits,
) -> Result<IncomingResponse, HttpError> {
    let network = |what: &str| HttpError::Network(what.to_owned());
    if !matches!(url.scheme(), "http" | "https") {
        return Err(network("only http and https URLs can be requested"));
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let fields: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.as_bytes().to_vec()))
        .collect();
    let fields =
        Fields::from_list(&fields).map_err(|e| network(&format!("invalid header: {e:?}")))?;
    let request = OutgoingRequest::new(fields);
    let scheme = if url.scheme() == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    };
    request
        .set_method(method)
        .and_then(|()| request.set_scheme(Some(&scheme)))
        .and_then(|()| request.set_authority(Some(&authority)))
        .and_then(|()| request.set_path_with_query(Some(&path)))
        .map_err(|()| network("the URL cannot be sent as an HTTP request"))?;
    let timeout = Some(limits.timeout_ms.saturating_mul(1_000_000));
    let options = RequestOptions::new();
    // A host may not support every timeout; the call's deadline still bounds the wait.
    let _ = options.set_connect_timeout(timeout);
    let _ = options.set_first_byte_timeout(timeout);
    let _ = options.set_between_bytes_timeout(timeout);
    let outgoing = request.body().map_err(|()| network("no request body"))?;
    // Sent first, so a body larger than the host's buffer streams instead of blocking.
    let pending =
        outgoing_handler::handle(request, Some(options)).map_err(|e| classify(e, &host))?;
    let written = match body {
        Some(bytes) => write_body(&outgoing, bytes),
        None => Ok(()),
    };
    let finished =
        written.and_then(|()| OutgoingBody::finish(outgoing, None).map_err(|e| classify(e, &host)));
    let response = loop {
        match pending.get() {
            Some(answer) => break answer,
            None => pending.subscribe().block(),
        }
    };
    // When the host refuses the request it drops the body too, so the write fails; the
    // response says why, and that is the error worth reporting.
    let response = response
        .map_err(|()| network("response taken twice"))?
        .map_err(|e| classify(e, &host))?;
    finished.map(|()| response)
}

fn write_body(outgoing: &OutgoingBody, bytes: &[u8]) -> Result<(), HttpError> {
    let stream = outgoing
        .write()
        .map_err(|()| HttpError::Network("no request body stream".into()))?;
    for chunk in bytes.chunks(4096) {
        stream
            .blocking_write_and_flush(chunk)
            .map_err(|e| HttpError::Network(format!("cannot send the request body: {e:?}")))?;
    }
    Ok(())
}

fn classify(error: ErrorCode, host: &str) -> HttpError {
    match error {
        ErrorCode::HttpRequestDenied => HttpError::Denied {
            host: host.to_owned(),
        },
        ErrorCode::DestinationIpProhibited => HttpError::AddressProhibited {
            host: host.to_owned(),
        },
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => HttpError::Timeout,
        other => HttpError::Network(format!("{other:?}")),
    }
}

fn header(response: &IncomingResponse, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .into_iter()
        .next()
        .map(|value| String::from_utf8_lossy(&value).into_owned())
}

fn read_body(response: IncomingResponse, max_bytes: usize) -> Result<Vec<u8>, HttpError> {
    let network = |what: &str| HttpError::Network(what.to_owned());
    if header(&response, "content-length")
        .and_then(|length| length.trim().parse::<u64>().ok())
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Err(HttpError::TooLarge(max_bytes));
    }
    let body = response
        .consume()
        .map_err(|()| network("no response body"))?;
    let stream = body
        .stream()
        .map_err(|()| network("no response body stream"))?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => {
                bytes.extend(chunk);
                if bytes.len() > max_bytes {
                    return Err(HttpError::TooLarge(max_bytes));
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(match e.to_debug_string() {
                    text if text.contains("imeout") => HttpError::Timeout,
                    text => HttpError::Network(text),
                });
            }
        }
    }
    Ok(bytes)
}
