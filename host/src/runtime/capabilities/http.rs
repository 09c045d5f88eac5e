//! `wasi:http`: outgoing HTTP for skills, only to the hosts their manifest names in
//! `permissions.network` (`host` for any port, or `host:port`), narrowed by the operator's
//! `allow_hosts`. Everything else is refused before a connection is made, with
//! `HttpRequestDenied`; an allowed host is then reached only at an address the skill may
//! reach (see `http_connector.rs` and `crate::egress`).

use std::future::Future;
use std::sync::Arc;

use praximous_registry::manifest::OPERATOR_HOSTS;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi_http::{
    Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

use super::http_connector::{self, Reach, ResponseIo};
use crate::egress::AddressPolicy;
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `wasi:http` capability.
pub struct Http;

/// One instance's outgoing HTTP: wasmtime's context and the skill's allow-list.
pub struct HttpState {
    ctx: WasiHttpCtx,
    policy: NetworkPolicy,
}

impl HttpState {
    /// What `wasi:http`'s imports see: this state, over the resource table it shares with WASI.
    pub fn view<'a>(&'a mut self, table: &'a mut ResourceTable) -> WasiHttpCtxView<'a> {
        WasiHttpCtxView {
            ctx: &mut self.ctx,
            table,
            hooks: &mut self.policy,
        }
    }
}

/// What a skill may reach over HTTP.
#[derive(Debug, Clone, Default)]
pub struct HttpGrant {
    /// The hosts (`name` or `name:port`).
    hosts: Arc<[String]>,
    /// The addresses its hosts may resolve to, and the resolver that answers.
    reach: Reach,
}

impl Capability for Http {
    type Grant = HttpGrant;
    type State = HttpState;

    fn grant(input: &GrantInput<'_>) -> HttpGrant {
        let manifest = &input.permissions.network;
        let hosts = effective_network(
            manifest,
            input.operator.and_then(|s| s.allow_hosts.as_deref()),
        );
        if &hosts != manifest {
            tracing::info!(skill = %input.skill, hosts = ?hosts, "outbound hosts as the operator allows them");
        }
        HttpGrant {
            hosts: hosts.into(),
            reach: Reach {
                addresses: AddressPolicy::allowing(
                    input
                        .operator
                        .map(|s| s.allow_cidrs.clone())
                        .unwrap_or_default(),
                ),
                resolver: input.services.resolver.clone(),
                stand_in: input.services.stand_in_hosts,
            },
        }
    }

    fn instantiate(grant: &HttpGrant, input: &InstanceInput<'_>) -> HttpState {
        HttpState {
            ctx: WasiHttpCtx::new(),
            policy: NetworkPolicy {
                allowed: grant.hosts.clone(),
                reach: grant.reach.clone(),
                skill: input.skill.clone(),
            },
        }
    }
}

impl<T: WasiHttpView + Send + 'static> LinkCapability<T> for Http {
    /// `wasi:http` shares the instance's resource table with WASI, so its imports reach their
    /// state through [`WasiHttpView`] on the whole store data (see [`HttpState::view`])
    /// rather than through `state`.
    fn add_to_linker(
        linker: &mut Linker<T>,
        _state: fn(&mut T) -> &mut HttpState,
    ) -> wasmtime::Result<()> {
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
    }
}

/// The hosts a skill may reach: what its manifest names, narrowed to what the operator allows
/// when `allow_hosts` is set; the operator can never widen such a manifest. A manifest entry
/// `*` defers to the operator: with `allow_hosts` set, the skill reaches exactly those hosts;
/// without it, only the hosts the manifest names beside `*` (a weather skill's public API, say,
/// which an operator may redirect to a proxy) or none.
pub fn effective_network(manifest: &[String], operator: Option<&[String]>) -> Vec<String> {
    let defers = manifest.iter().any(|entry| entry == OPERATOR_HOSTS);
    match operator {
        None => manifest
            .iter()
            .filter(|entry| *entry != OPERATOR_HOSTS)
            .cloned()
            .collect(),
        Some(allowed) if defers => allowed.to_vec(),
        Some(allowed) => allowed
            .iter()
            .filter(|wanted| manifest.iter().any(|granted| covers(granted, wanted)))
            .cloned()
            .collect(),
    }
}

/// Whether the manifest entry `granted` (`host` or `host:port`) covers the operator's entry
/// `wanted`: same host, and the same port unless `granted` allows any.
fn covers(granted: &str, wanted: &str) -> bool {
    let split = |entry: &str| -> (String, Option<String>) {
        match entry.rsplit_once(':') {
            Some((host, port)) => (host.to_ascii_lowercase(), Some(port.to_owned())),
            None => (entry.to_ascii_lowercase(), None),
        }
    };
    let (granted_host, granted_port) = split(granted);
    let (wanted_host, wanted_port) = split(wanted);
    granted_host == wanted_host && (granted_port.is_none() || granted_port == wanted_port)
}

/// One request's outbound allow-list.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    allowed: Arc<[String]>,
    reach: Reach,
    skill: Arc<str>,
}

type Sent = Box<dyn Future<Output = Result<(http::Response<WasiBody>, ResponseIo), Error>> + Send>;

impl NetworkPolicy {
    /// The policy for `skill`, whose manifest allows `allowed`, with no internal ranges.
    pub fn new(skill: Arc<str>, allowed: Arc<[String]>) -> Self {
        Self {
            allowed,
            reach: Reach::default(),
            skill,
        }
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
        Box::new(http_connector::send(
            self.skill.clone(),
            self.reach.clone(),
            request,
            options,
        ))
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

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_operator_narrows_a_manifest_and_fills_in_a_star() {
        let manifest = strings(&["api.example.com", "127.0.0.1:8080"]);
        assert_eq!(effective_network(&manifest, None), manifest);
        assert_eq!(
            effective_network(
                &manifest,
                Some(&strings(&[
                    "api.example.com:443",
                    "127.0.0.1:8080",
                    "evil.com",
                    "127.0.0.1:9090"
                ]))
            ),
            strings(&["api.example.com:443", "127.0.0.1:8080"]),
            "the operator narrows, never widens"
        );
        assert!(effective_network(&manifest, Some(&[])).is_empty());
        let star = strings(&["*"]);
        assert!(
            effective_network(&star, None).is_empty(),
            "nothing until the operator says"
        );
        let api_or_proxy = strings(&["api.weather.example", "*"]);
        assert_eq!(
            effective_network(&api_or_proxy, None),
            strings(&["api.weather.example"])
        );
        assert_eq!(
            effective_network(&api_or_proxy, Some(&strings(&["127.0.0.1:8080"]))),
            strings(&["127.0.0.1:8080"])
        );
        assert_eq!(
            effective_network(&star, Some(&strings(&["docs.example.com"]))),
            strings(&["docs.example.com"])
        );
        assert!(effective_network(&[], Some(&strings(&["docs.example.com"]))).is_empty());
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
