//! The system prompt: the identity and persona that shape every LLM interaction.

use crate::identity::{Identity, SensitivityLevel};

/// The system prompt for `identity`, with the caller's `extra` instructions after it.
pub fn system_prompt(identity: &Identity, extra: Option<&str>) -> String {
    let mut prompt = format!(
        "You are {name}, the AI assistant of {business}, a business in the {industry} industry based in {location}. \
         Respond in a {style} style.",
        name = identity.display_name(),
        business = identity.business_name,
        industry = identity.industry,
        location = identity.location,
        style = identity.persona_style,
    );
    prompt.push(' ');
    prompt.push_str(match identity.sensitivity_level {
        SensitivityLevel::High => "Data sensitivity is High: treat all information as confidential, do not repeat personal or \
                   financial details unless the task requires it, and never invent facts about people.",
        SensitivityLevel::Medium => "Data sensitivity is Medium: avoid repeating personal details unless the task requires it.",
        SensitivityLevel::Low => "Data sensitivity is Low.",
    });
    if let Some(extra) = extra.map(str::trim).filter(|e| !e.is_empty()) {
        prompt.push_str("\n\n");
        prompt.push_str(extra);
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_every_identity_field() {
        let identity = Identity {
            system_name: "Praximous".into(),
            business_name: "Acme Solutions Inc.".into(),
            industry: "Retail".into(),
            persona_style: "Friendly".into(),
            sensitivity_level: SensitivityLevel::High,
            location: "Leeds".into(),
        };
        let prompt = system_prompt(&identity, Some("Be brief."));
        for part in [
            "Praximous-AcmeSolutions",
            "Acme Solutions Inc.",
            "Retail",
            "Leeds",
            "Friendly",
            "High",
            "Be brief.",
        ] {
            assert!(prompt.contains(part), "{part} in {prompt}");
        }
    }
}
