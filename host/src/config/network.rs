//! `[network]`: how the host resolves the names it connects to.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// `[network]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// DNS servers (`"10.0.0.53"`, `"10.0.0.53:5353"`) that resolve every name the host connects to (skills'
    /// outbound hosts, providers, the SMTP server), asked in order; empty means the system's
    /// resolver. Either way each address is checked before a connection is opened.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::addresses::name_servers"
    )]
    pub nameservers: Vec<SocketAddr>,
}
