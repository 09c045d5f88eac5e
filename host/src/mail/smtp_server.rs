//! Reaching the operator's SMTP server: its name resolved once per message through the host's
//! resolver, connected to only at an address the `[mail]` policy allows, with TLS verified
//! against the configured name (not the address).

use std::net::SocketAddr;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::config::{MailConfig, Security};
use super::outbox::{MailError, MailSetupError};
use crate::egress::{AddressPolicy, LookupError, Resolver};

/// The SMTP server `[mail]` names, and how to log in and speak TLS to it.
pub struct SmtpServer {
    host: String,
    port: u16,
    timeout: Duration,
    tls: Option<(Security, TlsParameters)>,
    credentials: Option<Credentials>,
    addresses: AddressPolicy,
    resolver: Resolver,
}

impl SmtpServer {
    /// The server of a validated `[mail]` table; `password` is the login's, if it has one.
    pub fn new(
        config: &MailConfig,
        password: Option<String>,
        resolver: &Resolver,
    ) -> Result<Self, MailSetupError> {
        let tls = match config.security {
            Security::None => None,
            security => Some((security, tls_parameters(config)?)),
        };
        Ok(Self {
            host: config.host.clone(),
            port: config.port(),
            timeout: Duration::from_millis(config.timeout_ms),
            tls,
            credentials: config
                .username
                .clone()
                .zip(password)
                .map(|(user, password)| Credentials::new(user, password)),
            addresses: AddressPolicy::for_configured_host(&config.host, &config.allow_cidrs),
            resolver: resolver.clone(),
        })
    }

    /// `host:port`, as configured.
    pub fn name(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// A transport to an address of the server that may be reached, resolved now.
    pub async fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let address = self.address().await?;
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(address.ip().to_string())
                .port(self.port)
                .timeout(Some(self.timeout));
        if let Some((security, parameters)) = &self.tls {
            builder = builder.tls(match security {
                Security::Tls => Tls::Wrapper(parameters.clone()),
                _ => Tls::Required(parameters.clone()),
            });
        }
        if let Some(credentials) = &self.credentials {
            builder = builder.credentials(credentials.clone());
        }
        Ok(builder.build())
    }

    async fn address(&self) -> Result<SocketAddr, MailError> {
        let found = self
            .resolver
            .reachable(&self.host, self.port, &self.addresses, self.timeout)
            .await;
        match found {
            Ok(addresses) => addresses.into_iter().next().ok_or_else(|| {
                MailError::Unavailable(format!("the SMTP server {} has no address", self.name()))
            }),
            Err(refused @ LookupError::Refused(_)) => Err(MailError::Unavailable(format!(
                "the SMTP server is not contacted: {refused}; if that is the right server, add its range to allow_cidrs in [mail]"
            ))),
            Err(other) => Err(MailError::Unavailable(format!(
                "cannot reach the SMTP server: {other}"
            ))),
        }
    }
}

/// TLS towards `host`, verified against that name, with the operator's extra CAs.
fn tls_parameters(config: &MailConfig) -> Result<TlsParameters, MailSetupError> {
    let mut parameters = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path).map_err(|e| MailSetupError::CaFile {
            path: path.clone(),
            problem: e.to_string(),
        })?;
        let certificate = Certificate::from_pem(&pem).map_err(|e| MailSetupError::CaFile {
            path: path.clone(),
            problem: format!("not a PEM certificate: {e}"),
        })?;
        parameters = parameters.add_root_certificate(certificate);
    }
    parameters.build().map_err(|e| MailSetupError::Tls {
        host: config.host.clone(),
        problem: e.to_string(),
    })
}
