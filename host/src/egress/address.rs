//! Which addresses may be connected to: the classes of internal addresses, and the ranges an
//! operator allows.

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

/// Why an address may not be reached without the operator's explicit range, if it may not:
/// loopback, private (RFC 1918, unique local), link-local (169.254.169.254 among them),
/// multicast, unspecified, broadcast and shared (CGNAT) addresses, and their IPv4-mapped forms.
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

/// An address that may not be reached, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} resolves to {address}, a {class} address")]
pub struct Refused {
    /// The name (or literal) that was asked for.
    pub host: String,
    /// The address it resolved to.
    pub address: IpAddr,
    /// The address's class, as [`forbidden_class`] names it.
    pub class: &'static str,
}

/// The internal ranges one connector may reach besides the public internet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    allowed: Arc<[IpNet]>,
}

impl AddressPolicy {
    /// Public addresses, and internal ones only within `ranges`.
    pub fn allowing(ranges: impl Into<Arc<[IpNet]>>) -> Self {
        Self {
            allowed: ranges.into(),
        }
    }

    /// The policy for a server the operator configured by `host` (a provider's base URL, the
    /// SMTP server): besides `ranges`, the operator's own choice of an address is honoured,
    /// since it cannot be rebound: an address literal allows that address, and `localhost`
    /// allows the loopback ranges (RFC 6761 reserves it to them). A name is checked like any.
    pub fn for_configured_host(host: &str, ranges: &[IpNet]) -> Self {
        let mut allowed = ranges.to_vec();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            allowed.push(IpNet::from(ip));
        } else if literal.eq_ignore_ascii_case("localhost") {
            allowed.extend(
                ["127.0.0.0/8", "::1/128"]
                    .iter()
                    .filter_map(|range| range.parse::<IpNet>().ok()),
            );
        }
        Self::allowing(allowed)
    }

    /// The internal ranges allowed.
    pub fn ranges(&self) -> &[IpNet] {
        &self.allowed
    }

    /// Whether `ip`, which `host` resolved to, may be connected to.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), Refused> {
        match forbidden_class(ip) {
            Some(class) if !self.covers(ip) => Err(Refused {
                host: host.to_owned(),
                address: ip,
                class,
            }),
            _ => Ok(()),
        }
    }

    /// Whether the allowed ranges cover `ip` (or the IPv4 address it maps).
    fn covers(&self, ip: IpAddr) -> bool {
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.allowed
            .iter()
            .any(|net| net.contains(&ip) || mapped.is_some_and(|m| net.contains(&m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn net(text: &str) -> IpNet {
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
        let policy = AddressPolicy::allowing(vec![net("127.0.0.0/8")]);
        assert!(policy.check("h", ip("127.0.0.1")).is_ok());
        assert!(policy.check("h", ip("::ffff:127.0.0.2")).is_ok());
        let refused = policy.check("h", ip("10.0.0.1"));
        assert_eq!(
            refused.map_err(|r| r.to_string()),
            Err("h resolves to 10.0.0.1, a private address".to_owned())
        );
        assert!(policy.check("h", ip("93.184.216.34")).is_ok());
    }

    #[test]
    fn a_configured_literal_or_localhost_is_the_operators_choice_and_a_name_is_not() {
        let literal = AddressPolicy::for_configured_host("10.0.0.7", &[]);
        assert!(literal.check("10.0.0.7", ip("10.0.0.7")).is_ok());
        assert!(literal.check("10.0.0.7", ip("10.0.0.8")).is_err());
        let v6 = AddressPolicy::for_configured_host("[::1]", &[]);
        assert!(v6.check("::1", ip("::1")).is_ok());
        let localhost = AddressPolicy::for_configured_host("LOCALHOST", &[]);
        assert!(localhost.check("localhost", ip("127.0.0.1")).is_ok());
        assert!(localhost.check("localhost", ip("169.254.169.254")).is_err());
        let name = AddressPolicy::for_configured_host("ollama.example", &[]);
        assert!(name.check("ollama.example", ip("127.0.0.1")).is_err());
        let allowed = AddressPolicy::for_configured_host("ollama.example", &[net("10.0.0.0/8")]);
        assert!(allowed.check("ollama.example", ip("10.1.1.1")).is_ok());
    }
}
