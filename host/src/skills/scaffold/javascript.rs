//! The JavaScript template: `skill.js` exporting `run`, built by componentize-js.

use crate::skills::author::toolchain::{COMPONENTIZE_JS_VERSION, JS_ENTRY, WIT_PACKAGE};

fn skill_js(name: &str) -> String {
    format!(
        r#"// {name}: a Praximous Smart Skill in JavaScript. `prax skill build` builds it with
// componentize-js (run `npm install` here once); see docs/skills.md.

import {{ log }} from 'praximous:skill/log@0.1.2';

export function run(request) {{
  // Every request field beside task_type and prompt, as JSON.
  const params = JSON.parse(request.params || '{{}}');
  const prompt = request.prompt.trim();
  if (!prompt) {{
    // A thrown failure is the skill's error: bad-input answers 400.
    throw {{ tag: 'bad-input', val: {{ message: 'Input error', details: 'The prompt is empty: send some text.' }} }};
  }}
  const text = params.shout ? prompt.toUpperCase() : prompt;
  log('info', `repeating ${{text.length}} characters`);
  return {{ data: JSON.stringify({{ text }}), message: 'Done.' }};
}}
"#
    )
}

fn package_json(name: &str) -> String {
    format!(
        r#"{{
  "name": "{name}",
  "private": true,
  "type": "module",
  "scripts": {{
    "build": "prax skill build ."
  }},
  "devDependencies": {{
    "@bytecodealliance/componentize-js": "{COMPONENTIZE_JS_VERSION}",
    "@bytecodealliance/preview2-shim": "0.25.0"
  }}
}}
"#,
        name = name.replace('_', "-")
    )
}

/// Every file of a new JavaScript skill, beside `skill.yaml`.
pub fn files(name: &str) -> Vec<(String, String)> {
    vec![
        (JS_ENTRY.into(), skill_js(name)),
        ("package.json".into(), package_json(name)),
        ("wit/skill.wit".into(), WIT_PACKAGE.into()),
        (".gitignore".into(), "node_modules/\n".into()),
        (
            ".npmrc".into(),
            "omit-lockfile-registry-resolved=true\nfund=false\naudit=false\n".into(),
        ),
    ]
}
