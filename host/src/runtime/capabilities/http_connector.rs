//! The connector behind skills' `wasi:http`: each request (each redirect hop is a new one)
//! resolves its host once through the host's resolver, goes only to an address the skill's
//! [`AddressPolicy`] allows (see `crate::egress`), and speaks HTTP/1.1, with TLS for `https`.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use crate::egress::{AddressPolicy, LookupError, Resolver};

/// The connection a response's body is read from, driven to its end.
pub type ResponseIo = Box<dyn Future<Output = Result<(), Error>> + Send>;

/// How long to wait for a name, a connection, or the first byte, unless the skill asks less.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Connect to `host:port` at an address the skill may reach, resolving the name once. A name
/// whose every address is refused is `DestinationIpProhibited`, and no connection is opened.
async fn connect(
    skill: &str,
    host: &str,
    port: u16,
    reach: &Reach,
    timeout: Duration,
) -> Result<TcpStream, Error> {
    let addresses = match reach
        .resolver
        .reachable(host, port, &reach.addresses, timeout)
        .await
    {
        Ok(addresses) => addresses,
        Err(LookupError::Refused(refused)) => {
            tracing::warn!(
                target: "skill",
                skill,
                host,
                address = %refused.address,
                class = refused.class,
                "outbound request refused: the host resolves to a {} address; the operator can allow a range with allow_cidrs in the skill's [skills.<name>] table",
                refused.class
            );
            return Err(Error::DestinationIpProhibited);
        }
        Err(LookupError::Timeout { .. }) => return Err(Error::DnsTimeout),
        Err(LookupError::NotFound { .. }) => return Err(Error::DestinationNotFound),
    };
    let mut last_error = Error::DestinationNotFound;
    for address in addresses {
        match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(error)) => last_error = Error::Connect(error),
            Err(_) => last_error = Error::ConnectionTimeout,
        }
    }
    Err(last_error)
}

/// Where a skill's requests may go once its allow-list has passed them: the addresses its
/// policy allows, as the host's resolver answers.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// The internal ranges the operator allows the skill.
    pub addresses: AddressPolicy,
    /// The host's resolver.
    pub resolver: Resolver,
    /// `prax skill test`'s stand-in for every host: connect here, over plain HTTP.
    pub stand_in: Option<std::net::SocketAddr>,
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
    reach: Reach,
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
    let stream = match reach.stand_in {
        Some(stand_in) => tokio::time::timeout(connect_timeout, TcpStream::connect(stand_in))
            .await
            .map_err(|_| Error::ConnectionTimeout)?
            .map_err(Error::Connect)?,
        None => connect(&skill, &host, port, &reach, connect_timeout).await?,
    };
    let stream: Box<dyn Stream> = if use_tls && reach.stand_in.is_none() {
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
        let second = Duration::from_secs(2);
        let refused = connect("t", "localhost", port, &Reach::default(), second).await;
        assert!(matches!(refused, Err(Error::DestinationIpProhibited)));
        assert!(listener.accept().is_err(), "nothing connected");
        let reach = Reach {
            addresses: AddressPolicy::allowing(vec![
                "127.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}")),
            ]),
            resolver: Resolver::system(),
            stand_in: None,
        };
        assert!(
            connect("t", "127.0.0.1", port, &reach, second)
                .await
                .is_ok()
        );
    }
}
