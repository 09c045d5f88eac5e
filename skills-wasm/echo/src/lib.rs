//! `echo`: returns the prompt unchanged.

use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, json};

struct Echo;

impl Skill for Echo {
    type Params = Value;

    fn run(request: Request<Value>) -> Result<Reply, SkillError> {
        Ok(Reply::data(json!({
            "echoed_prompt": request.prompt,
            "message": "Prompt was successfully echoed.",
        })))
    }
}

export_skill!(Echo);
