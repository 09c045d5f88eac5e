//! What an upgrade would grant a skill that its installed version did not have.

use praximous_registry::Manifest;
use praximous_registry::manifest::OPERATOR_HOSTS;

/// Each way `new` asks for more than `old`, in words, e.g. `network: + api.example.com`.
/// Empty when nothing widens.
pub fn widening(old: &Manifest, new: &Manifest) -> Vec<String> {
    let (was, now) = (&old.permissions, &new.permissions);
    let mut changes = Vec::new();
    if now.llm && !was.llm {
        changes.push("llm: may now call the LLM router".to_owned());
    }
    if now.mail && !was.mail {
        changes.push("mail: may now send e-mail through the operator's SMTP server".to_owned());
    }
    for host in &now.network {
        if !was.network.contains(host) {
            changes.push(if host == OPERATOR_HOSTS {
                "network: + any host the operator allows in [skills.<name>] allow_hosts".to_owned()
            } else {
                format!("network: + {host}")
            });
        }
    }
    changes.extend(now.knowledge.widening_from(&was.knowledge));
    let (a, b) = (&old.limits, &new.limits);
    if b.memory_mb > a.memory_mb {
        changes.push(format!(
            "limits.memory_mb: {} -> {}",
            a.memory_mb, b.memory_mb
        ));
    }
    if b.timeout_ms > a.timeout_ms {
        changes.push(format!(
            "limits.timeout_ms: {} -> {}",
            a.timeout_ms, b.timeout_ms
        ));
    }
    if b.cpu_budget_ms() > a.cpu_budget_ms() {
        changes.push(format!(
            "limits.cpu_ms: {} -> {}",
            a.cpu_budget_ms(),
            b.cpu_budget_ms()
        ));
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(permissions: &str, limits: &str) -> Manifest {
        let text = format!(
            "name: demo\nversion: 1.0.0\ndescription: d\nauthor: a\nlicense: MIT\nwit: praximous:skill@0.1.0\n\
             component: skill.wasm\nsha256: {}\noperations:\n  run: {{ description: r, params: {{ type: object }} }}\n\
             permissions: {permissions}\nlimits: {limits}\n",
            "0".repeat(64)
        );
        Manifest::from_yaml(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn only_what_widens_is_listed() {
        let old = manifest(
            "{ llm: false, network: [a.example.com] }",
            "{ memory_mb: 64, timeout_ms: 1000 }",
        );
        let same = manifest(
            "{ llm: false, network: [a.example.com] }",
            "{ memory_mb: 32, timeout_ms: 1000 }",
        );
        assert!(widening(&old, &same).is_empty());
        let wider = manifest(
            "{ llm: true, mail: true, network: [a.example.com, b.example.com], knowledge: read }",
            "{ memory_mb: 128, timeout_ms: 1000 }",
        );
        assert_eq!(
            widening(&old, &wider),
            [
                "llm: may now call the LLM router",
                "mail: may now send e-mail through the operator's SMTP server",
                "network: + b.example.com",
                "knowledge: none -> read",
                "limits.memory_mb: 64 -> 128",
            ]
        );
    }

    #[test]
    fn a_collection_not_granted_before_is_a_widening() {
        let limits = "{ memory_mb: 64, timeout_ms: 1000 }";
        let one = manifest("{ knowledge: [policies] }", limits);
        let two = manifest("{ knowledge: [policies, payroll] }", limits);
        let any = manifest("{ knowledge: [\"*\"] }", limits);
        let read = manifest("{ knowledge: read }", limits);
        assert_eq!(widening(&one, &two), ["knowledge: + payroll"]);
        assert!(widening(&two, &one).is_empty());
        assert_eq!(
            widening(&two, &any),
            ["knowledge: [policies, payroll] -> [*]"]
        );
        assert!(widening(&read, &two).is_empty());
        assert!(widening(&any, &read).is_empty());
    }
}
