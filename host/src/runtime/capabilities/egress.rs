//! Outbound connections for skills, checked by the address actually connected to.
//!
//! A host name a skill may reach can still resolve to this machine, the private network or a
//! cloud metadata service, and a resolver can answer one address when a name is checked and
//! another when it is used (DNS rebinding). So the name is resolved here, every address is
//! classified, and the connection goes to an address that passed: loopback, private (RFC 1918,
//! unique local), link-local (169.254.169.254 among them), multicast, unspecified, broadcast
//! and shared (CGNAT) addresses, and their IPv4-mapped forms, are refused unless the operator
//! allows a range for the skill with `allow_cidrs`. Each redirect is a new request from the
//! skill and passes through here again.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper_util::rt::TokioIo;
use ipnet::IpNet;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// The connection a response's body is read from, driven to its end.
pub type ResponseIo = Box<dyn Future<Output = Result<(), Error>> + Send>;

/// How long to wait for a name, a connection, or the first byte, unless the skill asks less.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why an address may not be reached without the operator's explicit range, if it may not.
pub fn forbidden_class(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(a) => {
            let [first, second, ..] = a.octets();
            if a.is_loopback() {
                Some("loopback")
            } else if a.is_private() {
                Some("private")
            } else if a.is_link_local() {
                Some("link-local (cloud metadata among them)")
            } else if a.is_multicast() {
                Some("multicast")
            } else if a.is_unspecified() || first == 0 {
                Some("unspecified")
            } else if a.is_broadcast() {
                Some("broadcast")
            } else if first == 100 && (second & 0xc0) == 64 {
                Some("shared (carrier-grade NAT)")
            } else {
                None
            }
        }
        IpAddr::V6(a) => {
            let first = a.segments()[0];
            if a.is_loopback() {
                Some("loopback")
            } else if a.is_unspecified() {
                Some("unspecified")
            } else if a.is_multicast() {
                Some("multicast")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else {
                None
            }
        }
    }
}

/// Whether the operator's ranges `allowed` cover `ip` (or the IPv4 address it maps).
fn allowed_by(allowed: &[IpNet], ip: IpAddr) -> bool {
    let mapped = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    };
    allowed
        .iter()
        .any(|net| net.contains(&ip) || mapped.is_some_and(|m| net.contains(&m)))
}

/// Connect to `host:port` at an address the skill may reach. A name whose every address is
/// refused is `DestinationIpProhibited`, and no connection is opened.
async fn connect(
    skill: &str,
    host: &str,
    port: u16,
    allowed: &[IpNet],
    timeout: Duration,
) -> Result<TcpStream, Error> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| Error::DnsTimeout)?
            .map_err(|_| Error::DestinationNotFound)?
            .collect(),
    };
    let mut refused = None;
    let mut last_error = Error::DestinationNotFound;
    for address in addresses {
        if let Some(class) = forbidden_class(address.ip())
            && !allowed_by(allowed, address.ip())
        {
            refused = Some((address.ip(), class));
            continue;
        }
        match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(error)) => last_error = Error::Connect(error),
            Err(_) => last_error = Error::ConnectionTimeout,
        }
    }
    if let Some((ip, class)) = refused {
        tracing::warn!(
            target: "skill",
            skill,
            host,
            address = %ip,
            class,
            "outbound request refused: the host resolves to a {class} address; the operator can allow a range with allow_cidrs in the skill's [skills.<name>] table"
        );
        return Err(Error::DestinationIpProhibited);
    }
    Err(last_error)
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// The TLS client configuration, with the web's root certificates: built once, not per request.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.into(),
            };
            Arc::new(
                rustls::ClientConfig::builder()
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        })
        .clone()
}

/// TLS for `host` over `stream`.
async fn tls(host: &str, stream: TcpStream) -> Result<Box<dyn Stream>, Error> {
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| Error::HttpRequestUriInvalid)?;
    let stream = tokio_rustls::TlsConnector::from(tls_config())
        .connect(name, stream)
        .await
        .map_err(Error::Tls)?;
    Ok(Box::new(stream))
}

/// Send `request` for `skill`, connecting only to an address it may reach.
pub async fn send(
    skill: Arc<str>,
    allowed: Arc<[IpNet]>,
    mut request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> Result<(http::Response<WasiBody>, ResponseIo), Error> {
    let uri = request.uri().clone();
    let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_owned();
    let use_tls = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if use_tls { 443 } else { 80 });
    let connect_timeout = options
        .and_then(|o| o.connect_timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    let first_byte_timeout = options
        .and_then(|o| o.first_byte_timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    let stream = connect(&skill, &host, port, &allowed, connect_timeout).await?;
    let stream: Box<dyn Stream> = if use_tls {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        tokio::time::timeout(connect_timeout, tls(bare, stream))
            .await
            .map_err(|_| Error::ConnectionTimeout)??
    } else {
        Box::new(stream)
    };
    let (mut sender, connection) = tokio::time::timeout(
        connect_timeout,
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await
    .map_err(|_| Error::ConnectionTimeout)??;
    // The request line carries the path only; the host travels in the Host header.
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    *request.uri_mut() = path.parse().map_err(|_| Error::HttpRequestUriInvalid)?;
    let driver = tokio::spawn(connection);
    let response = tokio::time::timeout(first_byte_timeout, sender.send_request(request))
        .await
        .map_err(|_| Error::ConnectionReadTimeout)??;
    let io: ResponseIo = Box::new(async move {
        match driver.await {
            Ok(result) => result.map_err(Error::from),
            Err(_) => Err(Error::ConnectionTerminated),
        }
    });
    Ok((
        response.map(|body| body.map_err(Error::from).boxed_unsync()),
        io,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn internal_addresses_are_classified_and_public_ones_pass() {
        for (address, class) in [
            ("127.0.0.1", "loopback"),
            ("::1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local (cloud metadata among them)"),
            ("fe80::1", "link-local"),
            ("fd00::1", "private (unique local)"),
            ("0.0.0.0", "unspecified"),
            ("224.0.0.1", "multicast"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("::ffff:127.0.0.1", "loopback"),
            (
                "::ffff:169.254.169.254",
                "link-local (cloud metadata among them)",
            ),
        ] {
            assert_eq!(forbidden_class(ip(address)), Some(class), "{address}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert_eq!(forbidden_class(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn the_operators_ranges_allow_exactly_what_they_cover() {
        let allowed: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"))];
        assert!(allowed_by(&allowed, ip("127.0.0.1")));
        assert!(allowed_by(&allowed, ip("::ffff:127.0.0.2")));
        assert!(!allowed_by(&allowed, ip("10.0.0.1")));
    }

    #[tokio::test]
    async fn a_refused_address_opens_no_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let refused = connect("t", "localhost", port, &[], Duration::from_secs(2)).await;
        assert!(matches!(refused, Err(Error::DestinationIpProhibited)));
        assert!(listener.accept().is_err(), "nothing connected");
        let allowed: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"))];
        assert!(
            connect("t", "127.0.0.1", port, &allowed, Duration::from_secs(2))
                .await
                .is_ok()
        );
    }
}
