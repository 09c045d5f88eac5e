//! The Rust template: a cdylib crate with the guest SDK and the WIT package copied in
//! (`sdk/`), so it builds offline and against exactly the ABI this `prax` runs.

/// The SDK's sources and the WIT package, as this binary was built with them.
pub const SDK_FILES: &[(&str, &str)] = &[
    (
        "sdk/src/lib.rs",
        include_str!("../../../../skills-wasm/sdk/src/lib.rs"),
    ),
    (
        "sdk/src/host.rs",
        include_str!("../../../../skills-wasm/sdk/src/host.rs"),
    ),
    (
        "sdk/src/http.rs",
        include_str!("../../../../skills-wasm/sdk/src/http.rs"),
    ),
    (
        "sdk/src/reply.rs",
        include_str!("../../../../skills-wasm/sdk/src/reply.rs"),
    ),
    (
        "sdk/wit/skill.wit",
        include_str!("../../../../wit/skill.wit"),
    ),
];

/// The dependency versions the built-in skills are built and tested with: a new skill starts
/// from them (cargo prunes what it does not use), so it builds as ours do.
pub const CARGO_LOCK: &str = include_str!("../../../../skills-wasm/Cargo.lock");

/// The copied SDK's Cargo.toml.
pub const SDK_CARGO: &str = r#"[package]
name = "praximous-skill"
description = "Guest SDK for Praximous Smart Skills (copied by `prax skill new`)"
version = "0.1.0"
edition = "2024"
license = "Apache-2.0"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
wit-bindgen = "0.63.0"
url = "2.5"
wasip2 = "2.0.1"
"#;

/// The skill's Cargo.toml.
pub fn cargo_toml(name: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
praximous-skill = {{ path = "sdk" }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

# Small, fast components: compiled once per host, instantiated per request.
[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true

# A skill is its own workspace, built for wasm32-wasip2 by `prax skill build`.
[workspace]
members = ["sdk"]
"#
    )
}

/// The skill's `.cargo/config.toml`: the shadow-stack size the built-in skills are linked with
/// (`skills-wasm/.cargo/config.toml` says why), for the target `prax skill build` uses only.
pub const CARGO_CONFIG: &str = r#"[target.wasm32-wasip2]
# A 128 KiB shadow stack (what Rust keeps of the call stack in linear memory) instead of
# rustc's 1 MiB: every request instantiates the skill afresh, and a smaller memory is a
# cheaper one. Raise it if the skill recurses deeply through large frames: an overrun traps.
rustflags = ["-C", "link-arg=-zstack-size=131072"]
"#;

/// The skill's source.
pub fn lib_rs(name: &str) -> String {
    format!(
        r#"//! `{name}`: a Praximous Smart Skill. `prax skill build` builds it; see docs/skills.md.

use praximous_skill::{{Reply, Request, Skill, SkillError, export_skill, json}};
use serde::Deserialize;

/// The request's extra fields (everything beside `task_type` and `prompt`).
#[derive(Deserialize)]
struct Params {{
    /// Answer in capitals.
    #[serde(default)]
    shout: bool,
}}

struct Main;

impl Skill for Main {{
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {{
        let prompt = request.prompt.trim();
        if prompt.is_empty() {{
            return Err(SkillError::bad_input("Input error").with_details("The prompt is empty: send some text."));
        }}
        let text = if request.params.shout {{ prompt.to_uppercase() }} else {{ prompt.to_owned() }};
        Ok(Reply::data(json!({{ "text": text }})).with_message("Done."))
    }}
}}

export_skill!(Main);
"#
    )
}

/// Every file of a new Rust skill, beside `skill.yaml`.
pub fn files(name: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = vec![
        ("Cargo.toml".into(), cargo_toml(name)),
        ("src/lib.rs".into(), lib_rs(name)),
        (".gitignore".into(), "/target/\n".into()),
        (".cargo/config.toml".into(), CARGO_CONFIG.into()),
        ("Cargo.lock".into(), CARGO_LOCK.into()),
        ("sdk/Cargo.toml".into(), SDK_CARGO.into()),
    ];
    for (path, text) in SDK_FILES {
        // The copied SDK finds the WIT package inside its own folder.
        files.push((
            (*path).into(),
            text.replace(r#"path: "../../wit""#, r#"path: "wit""#),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of `config` that sets the stack size.
    fn stack_setting(config: &str) -> Option<&str> {
        config.lines().find(|line| line.starts_with("rustflags"))
    }

    #[test]
    fn a_new_skill_is_linked_like_the_built_in_ones() {
        let built_in = include_str!("../../../../skills-wasm/.cargo/config.toml");
        let example = include_str!("../../../../examples/rust/word_stats_rust/.cargo/config.toml");
        let ours = stack_setting(CARGO_CONFIG);
        assert!(ours.is_some_and(|line| line.contains("stack-size")));
        assert_eq!(stack_setting(built_in), ours);
        assert_eq!(stack_setting(example), ours);
        assert!(
            files("x")
                .iter()
                .any(|(path, text)| path == ".cargo/config.toml" && text == CARGO_CONFIG)
        );
    }
}
