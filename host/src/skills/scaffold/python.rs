//! The Python template: `app.py` implementing the `skill` world, built by componentize-py.

use crate::skills::author::toolchain::{COMPONENTIZE_PY_VERSION, WIT_PACKAGE};

fn app_py(name: &str) -> String {
    format!(
        r#""""{name}: a Praximous Smart Skill in Python. `prax skill build` builds it with
componentize-py; see docs/skills.md. Editor hints: `componentize-py -d wit -w skill bindings .`"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import log, types


class WitWorld(wit_world.WitWorld):
    def run(self, request: types.Invocation) -> types.Outcome:
        # Every request field beside task_type and prompt, as JSON.
        params = json.loads(request.params or "{{}}")
        prompt = request.prompt.strip()
        if not prompt:
            raise Err(
                types.Failure_BadInput(
                    types.ErrorInfo(message="Input error", details="The prompt is empty: send some text.")
                )
            )
        text = prompt.upper() if params.get("shout") else prompt
        log.log(log.Level.INFO, f"repeating {{len(text)}} characters")
        return types.Outcome(data=json.dumps({{"text": text}}), message="Done.", details=None)
"#
    )
}

/// Every file of a new Python skill, beside `skill.yaml`.
pub fn files(name: &str) -> Vec<(String, String)> {
    vec![
        ("app.py".into(), app_py(name)),
        ("wit/skill.wit".into(), WIT_PACKAGE.into()),
        (
            "requirements-dev.txt".into(),
            format!("componentize-py=={COMPONENTIZE_PY_VERSION}\n"),
        ),
        (
            ".gitignore".into(),
            "__pycache__/\n/wit_world/\n/componentize_py_*/\n".into(),
        ),
    ]
}
