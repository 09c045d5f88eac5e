//! Which providers run inside the customer's network ("local") and which are external
//! services: the Standard tier allows any number of the first and one of the second.
//!
//! Ollama is local by nature. Any other provider is local when its base URL names this
//! machine or a private network: `localhost`, a loopback, private (RFC 1918), carrier-grade
//! NAT, link-local or unique-local address, a single-label host name (a container or cluster
//! service such as `vllm`), or a name under `.local`, `.internal`, `.lan`, `.home.arpa` or
//! `.cluster.local`. Everything else (a public name such as `api.openai.com`) is external.

use std::net::IpAddr;

use super::provider_config::{ProviderConfig, ProviderKind};

/// Suffixes of names that only resolve inside a private network.
const PRIVATE_SUFFIXES: [&str; 5] = [".local", ".internal", ".lan", ".home.arpa", ".localhost"];

/// Whether the provider `config`, reached at `base_url`, is local.
pub fn is_local(config: &ProviderConfig, base_url: Option<&str>) -> bool {
    if config.kind == ProviderKind::Ollama {
        return true;
    }
    let Some(host) = base_url
        .and_then(|url| reqwest::Url::parse(url).ok())
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
    else {
        // No URL (a hosted API's default endpoint): external.
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) => is_private(ip),
        Err(_) => {
            host == "localhost"
                || !host.contains('.')
                || PRIVATE_SUFFIXES.iter().any(|suffix| host.ends_with(suffix))
        }
    }
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                // 100.64.0.0/10, carrier-grade NAT (and Tailscale-style overlays).
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(kind: &str) -> ProviderConfig {
        toml::from_str(&format!("name = \"p\"\ntype = \"{kind}\"\nmodel = \"m\"\n"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn private_addresses_and_names_are_local_and_public_ones_external() {
        let openai = provider("openai");
        for url in [
            "http://127.0.0.1:8080/v1",
            "http://10.1.2.3/v1",
            "http://192.168.0.10:8000",
            "http://172.20.0.5",
            "http://100.100.1.1",
            "http://[::1]:8000",
            "http://[fd00::5]/v1",
            "http://localhost:11434",
            "http://vllm:8000/v1",
            "https://llm.corp.internal/v1",
            "http://gpu-box.local",
            "http://vllm.ai.svc.cluster.local/v1",
        ] {
            assert!(is_local(&openai, Some(url)), "{url}");
        }
        for url in [
            "https://api.openai.com/v1",
            "https://8.8.8.8/v1",
            "https://llm.example.com",
            "http://[2001:db8::1]/v1",
        ] {
            assert!(!is_local(&openai, Some(url)), "{url}");
        }
        assert!(!is_local(&provider("gemini"), None));
        assert!(is_local(
            &provider("ollama"),
            Some("https://ollama.example.com")
        ));
    }
}
