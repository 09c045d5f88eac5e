//! Outgoing HTTP (`wasi:http`) for skills, only to the hosts their manifest names in
//! `permissions.network` (`host` for any port, or `host:port`). Everything else is refused
//! before a connection is made, with `HttpRequestDenied`.

use std::future::Future;
use std::sync::Arc;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// One request's outbound allow-list.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    allowed: Arc<[String]>,
    skill: Arc<str>,
}

type ResponseIo = Box<dyn Future<Output = Result<(), Error>> + Send>;
type Sent = Box<dyn Future<Output = Result<(http::Response<WasiBody>, ResponseIo), Error>> + Send>;

impl NetworkPolicy {
    /// The policy for `skill`, whose manifest allows `allowed`.
    pub fn new(skill: Arc<str>, allowed: Arc<[String]>) -> Self {
        Self { allowed, skill }
    }

    /// Whether a request to `uri` may leave the sandbox.
    pub fn permits(&self, uri: &http::Uri) -> bool {
        let Some(host) = uri.host() else {
            return false;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("http") => 80,
            _ => 443,
        });
        self.allowed
            .iter()
            .any(|entry| match entry.rsplit_once(':') {
                Some((name, wanted)) if wanted.parse::<u16>().is_ok() => {
                    name.eq_ignore_ascii_case(host) && wanted.parse() == Ok(port)
                }
                _ => entry.eq_ignore_ascii_case(host),
            })
    }
}

impl WasiHttpHooks for NetworkPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: ResponseIo,
    ) -> Sent {
        if !self.permits(request.uri()) {
            tracing::warn!(
                target: "skill",
                skill = &*self.skill,
                host = request.uri().host().unwrap_or_default(),
                "outbound request refused: the host is not in the skill's permissions.network"
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        drop(fut);
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as ResponseIo,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[&str]) -> NetworkPolicy {
        NetworkPolicy::new(
            Arc::from("t"),
            entries.iter().map(|e| (*e).to_owned()).collect(),
        )
    }

    fn uri(text: &str) -> http::Uri {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn only_listed_hosts_and_ports_are_permitted() {
        let p = policy(&["api.example.com", "127.0.0.1:8080"]);
        assert!(p.permits(&uri("https://api.example.com/v1")));
        assert!(p.permits(&uri("http://API.example.com:9000/")));
        assert!(p.permits(&uri("http://127.0.0.1:8080/x")));
        assert!(!p.permits(&uri("http://127.0.0.1:8081/x")));
        assert!(!p.permits(&uri("http://127.0.0.1/x")));
        assert!(!p.permits(&uri("https://example.com/")));
        assert!(!p.permits(&uri("https://api.example.com.evil.io/")));
        assert!(!policy(&[]).permits(&uri("https://api.example.com/")));
    }
}
