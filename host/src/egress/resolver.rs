//! Turning names into addresses: the system's resolver, or the name servers the operator lists
//! in `[network] nameservers` (an internal DNS server, or a test's).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;

use super::address::{AddressPolicy, Refused};

/// Why a name gave no address that may be connected to.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The name has no address, or the resolver did not answer.
    #[error("cannot resolve {host}: {problem}")]
    NotFound {
        /// The name.
        host: String,
        /// What the resolver said.
        problem: String,
    },
    /// The resolver did not answer in time.
    #[error("resolving {host} took longer than {0:?}", timeout)]
    Timeout {
        /// The name.
        host: String,
        /// How long it was given.
        timeout: Duration,
    },
    /// Every address the name resolved to is one the policy refuses.
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// Resolves names for every outbound connection the host makes. Cheap to clone.
#[derive(Clone, Default)]
pub struct Resolver {
    servers: Option<Arc<TokioResolver>>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.servers.is_some() {
            "Resolver(nameservers)"
        } else {
            "Resolver(system)"
        })
    }
}

impl Resolver {
    /// The operating system's resolver (`/etc/hosts`, `/etc/resolv.conf`, NSS).
    pub fn system() -> Self {
        Self::default()
    }

    /// Ask `nameservers` (UDP, then TCP for long answers), in order; none means the system's.
    pub fn with_nameservers(nameservers: &[SocketAddr]) -> Result<Self, LookupError> {
        if nameservers.is_empty() {
            return Ok(Self::system());
        }
        let servers = nameservers
            .iter()
            .map(|server| {
                let mut config = NameServerConfig::udp_and_tcp(server.ip());
                for connection in &mut config.connections {
                    connection.port = server.port();
                }
                config
            })
            .collect();
        let resolver = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(servers),
            TokioRuntimeProvider::default(),
        )
        .build()
        .map_err(|e| LookupError::NotFound {
            host: "[network] nameservers".to_owned(),
            problem: e.to_string(),
        })?;
        Ok(Self {
            servers: Some(Arc::new(resolver)),
        })
    }

    /// Every address of `host` (a name or an address literal, IPv6 in brackets or not).
    pub async fn lookup(
        &self,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<Vec<SocketAddr>, LookupError> {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let not_found = |problem: String| LookupError::NotFound {
            host: host.to_owned(),
            problem,
        };
        let answer = async {
            match &self.servers {
                None => tokio::net::lookup_host((literal, port))
                    .await
                    .map(|addresses| addresses.collect::<Vec<_>>())
                    .map_err(|e| not_found(e.to_string())),
                Some(servers) => servers
                    .lookup_ip(literal)
                    .await
                    .map(|ips| ips.iter().map(|ip| SocketAddr::new(ip, port)).collect())
                    .map_err(|e| not_found(e.to_string())),
            }
        };
        let addresses =
            tokio::time::timeout(timeout, answer)
                .await
                .map_err(|_| LookupError::Timeout {
                    host: host.to_owned(),
                    timeout,
                })??;
        if addresses.is_empty() {
            return Err(not_found("no address".to_owned()));
        }
        Ok(addresses)
    }

    /// The addresses of `host` that `policy` lets a connection go to, resolved once: the
    /// caller connects to these, never to a second answer. If every address is refused, the
    /// first refusal.
    pub async fn reachable(
        &self,
        host: &str,
        port: u16,
        policy: &AddressPolicy,
        timeout: Duration,
    ) -> Result<Vec<SocketAddr>, LookupError> {
        let mut refused = None;
        let mut reachable = Vec::new();
        for address in self.lookup(host, port, timeout).await? {
            match policy.check(host, address.ip()) {
                Ok(()) => reachable.push(address),
                Err(refusal) => {
                    refused.get_or_insert(refusal);
                }
            }
        }
        match refused {
            Some(refusal) if reachable.is_empty() => Err(refusal.into()),
            _ => Ok(reachable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_literal_is_its_own_answer_and_still_checked() {
        let resolver = Resolver::system();
        let second = Duration::from_secs(1);
        let found = resolver.lookup("[::1]", 80, second).await;
        assert_eq!(
            found.ok(),
            Some(vec!["[::1]:80".parse().unwrap_or_else(|e| panic!("{e}"))])
        );
        let refused = resolver
            .reachable("127.0.0.1", 80, &AddressPolicy::default(), second)
            .await;
        assert!(
            matches!(&refused, Err(LookupError::Refused(r)) if r.class == "loopback"),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_silent_name_server_times_out_with_the_name() {
        // A bound UDP socket that never answers.
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let address = silent.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let resolver = Resolver::with_nameservers(&[address]).unwrap_or_else(|e| panic!("{e}"));
        let answer = resolver
            .lookup("api.example.com", 443, Duration::from_millis(300))
            .await;
        let text = answer.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("api.example.com"), "{text}");
    }
}
