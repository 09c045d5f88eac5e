//! One page over `wasi:http`: redirects followed hop by hop (the host checks every hop against
//! the skill's allowed hosts), a size ceiling, and connect / first-byte / between-bytes
//! timeouts. The host's wall-clock deadline for the whole call still applies.

use url::Url;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingResponse, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

/// How a fetch is bounded.
pub struct FetchLimits {
    /// Largest body read, in bytes.
    pub max_bytes: usize,
    /// Connect, first-byte and between-bytes timeout, in milliseconds.
    pub timeout_ms: u64,
    /// Redirects followed before giving up.
    pub max_redirects: u8,
    /// The `User-Agent` header sent.
    pub user_agent: String,
}

/// A fetched page.
pub struct Page {
    /// Where the page was finally found, after redirects.
    pub url: Url,
    /// HTTP status (below 400).
    pub status: u16,
    /// The body, decoded as UTF-8 (invalid sequences replaced).
    pub body: String,
}

/// Why no page came back.
pub enum FetchError {
    /// The host refused to connect: the skill may not reach `host`.
    Denied { host: String },
    /// The server answered with an error status.
    Status(u16),
    /// The body is larger than the limit.
    TooLarge(usize),
    /// Connecting or reading took longer than the limit.
    Timeout,
    /// Too many redirects, or a redirect to something that is not an http(s) URL.
    Redirect(String),
    /// Anything else on the way.
    Network(String),
}

/// GET `url`, following redirects.
pub fn get(url: &Url, limits: &FetchLimits) -> Result<Page, FetchError> {
    let mut current = url.clone();
    for _ in 0..=limits.max_redirects {
        let response = send(&current, limits)?;
        let status = response.status();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let location = header(&response, "location").ok_or_else(|| {
                FetchError::Redirect(format!("status {status} without a Location header"))
            })?;
            current = current
                .join(&location)
                .ok()
                .filter(|next| matches!(next.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    FetchError::Redirect(format!("redirect to `{location}`, not an http(s) URL"))
                })?;
            continue;
        }
        if status >= 400 {
            return Err(FetchError::Status(status));
        }
        let body = read_body(response, limits.max_bytes)?;
        return Ok(Page {
            url: current,
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    Err(FetchError::Redirect(format!(
        "more than {} redirects",
        limits.max_redirects
    )))
}

fn send(url: &Url, limits: &FetchLimits) -> Result<IncomingResponse, FetchError> {
    let network = |what: &str| FetchError::Network(what.to_owned());
    let host = url.host_str().unwrap_or_default().to_owned();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let headers = Fields::from_list(&[(
        "user-agent".to_owned(),
        limits.user_agent.clone().into_bytes(),
    )])
    .map_err(|e| FetchError::Network(format!("invalid User-Agent: {e:?}")))?;
    let request = OutgoingRequest::new(headers);
    let scheme = if url.scheme() == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    };
    request
        .set_scheme(Some(&scheme))
        .and_then(|()| request.set_authority(Some(&authority)))
        .and_then(|()| request.set_path_with_query(Some(&path)))
        .map_err(|()| network("the URL cannot be sent as an HTTP request"))?;
    let timeout = Some(limits.timeout_ms.saturating_mul(1_000_000));
    let options = RequestOptions::new();
    // A host may not support every timeout; the call's deadline still bounds the wait.
    let _ = options.set_connect_timeout(timeout);
    let _ = options.set_first_byte_timeout(timeout);
    let _ = options.set_between_bytes_timeout(timeout);
    let body = request.body().map_err(|()| network("no request body"))?;
    OutgoingBody::finish(body, None).map_err(|e| classify(e, &host))?;
    let pending =
        outgoing_handler::handle(request, Some(options)).map_err(|e| classify(e, &host))?;
    let response = loop {
        match pending.get() {
            Some(answer) => break answer,
            None => pending.subscribe().block(),
        }
    };
    response
        .map_err(|()| network("response taken twice"))?
        .map_err(|e| classify(e, &host))
}

fn classify(error: ErrorCode, host: &str) -> FetchError {
    match error {
        ErrorCode::HttpRequestDenied => FetchError::Denied {
            host: host.to_owned(),
        },
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => FetchError::Timeout,
        other => FetchError::Network(format!("{other:?}")),
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

fn read_body(response: IncomingResponse, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
    let network = |what: &str| FetchError::Network(what.to_owned());
    if header(&response, "content-length")
        .and_then(|length| length.trim().parse::<u64>().ok())
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Err(FetchError::TooLarge(max_bytes));
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
                    return Err(FetchError::TooLarge(max_bytes));
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(match e.to_debug_string() {
                    text if text.contains("imeout") => FetchError::Timeout,
                    text => FetchError::Network(text),
                });
            }
        }
    }
    Ok(bytes)
}
