//! Address settings written by hand (`allow_cidrs`, `nameservers`), parsed with messages that
//! say what to write instead.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use serde::{Deserialize, Deserializer};

/// `allow_cidrs = ["10.20.0.0/16", ...]`; a bare address is its own one-address range.
pub fn address_ranges<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| {
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "`{text}` is not an address range; write one such as \"10.20.0.0/16\" or \"192.168.1.7/32\""
                    ))
                })
        })
        .collect()
}

/// `nameservers = ["10.0.0.53", "[fd00::53]:5353"]`: an address, with its port when not 53.
pub fn name_servers<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<SocketAddr>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| {
            text.parse::<SocketAddr>()
                .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "`{text}` is not a name server address; write its IP address, with the port when it is not 53 (\"10.0.0.53\", \"10.0.0.53:5353\", \"[fd00::53]:53\")"
                    ))
                })
        })
        .collect()
}
