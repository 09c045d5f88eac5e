//! The guest SDK for Praximous Smart Skills.
//!
//! A skill is a type that implements [`Skill`], exported with [`export_skill!`]:
//!
//! ```ignore
//! use praximous_skill::{export_skill, Reply, Request, Skill, SkillError};
//!
//! #[derive(serde::Deserialize)]
//! struct Params { shout: Option<bool> }
//!
//! struct Greeter;
//!
//! impl Skill for Greeter {
//!     type Params = Params;
//!     fn run(request: Request<Params>) -> Result<Reply, SkillError> {
//!         let hello = format!("Hello, {}!", request.prompt);
//!         let text = if request.params.shout == Some(true) { hello.to_uppercase() } else { hello };
//!         Ok(Reply::data(serde_json::json!({ "greeting": text })))
//!     }
//! }
//!
//! export_skill!(Greeter);
//! ```
//!
//! The host gives each request a fresh instance, so a skill keeps no state between calls.

pub mod host;
pub mod http;
mod reply;

pub use reply::{Reply, SkillError};
pub use serde_json::{Value, json};
pub use url::Url;

/// Bindings generated from the `praximous:skill` WIT package (`wit/` at the repository root).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)] // generated code: the identity record lifts as 8 arguments
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "skill",
        pub_export_macro: true,
        export_macro_name: "__export_skill_world",
        default_bindings_module: "praximous_skill::bindings",
    });
}

/// One request, with the caller's extra fields deserialized into `P`.
#[derive(Debug)]
pub struct Request<P> {
    /// Unique id of the request (also in the caller's answer and the audit log).
    pub request_id: String,
    /// The task type the caller sent (this skill's name).
    pub task_type: String,
    /// The caller's prompt.
    pub prompt: String,
    /// The request's extra fields.
    pub params: P,
}

/// What a Smart Skill implements.
pub trait Skill {
    /// The request's extra fields. Use `serde_json::Value` to take them untyped.
    type Params: serde::de::DeserializeOwned;

    /// Handle one request.
    fn run(request: Request<Self::Params>) -> Result<Reply, SkillError>;
}

/// Deserialize the invocation, call the skill, and convert the answer for the host.
#[doc(hidden)]
pub fn __dispatch<S: Skill>(
    invocation: bindings::praximous::skill::types::Invocation,
) -> Result<bindings::praximous::skill::types::Outcome, bindings::praximous::skill::types::Failure>
{
    let params = serde_json::from_str::<S::Params>(&invocation.params).map_err(|e| {
        SkillError::bad_input("Input error")
            .with_details(format!("The request's fields do not fit this skill: {e}."))
            .into_failure()
    })?;
    let request = Request {
        request_id: invocation.request_id,
        task_type: invocation.task_type,
        prompt: invocation.prompt,
        params,
    };
    S::run(request)
        .map(Reply::into_outcome)
        .map_err(SkillError::into_failure)
}

/// Export a type implementing [`Skill`] as this component's `run` function.
#[macro_export]
macro_rules! export_skill {
    ($skill:ty) => {
        #[doc(hidden)]
        struct __PraximousSkillExport;

        impl $crate::bindings::Guest for __PraximousSkillExport {
            fn run(
                request: $crate::bindings::praximous::skill::types::Invocation,
            ) -> ::core::result::Result<
                $crate::bindings::praximous::skill::types::Outcome,
                $crate::bindings::praximous::skill::types::Failure,
            > {
                $crate::__dispatch::<$skill>(request)
            }
        }

        $crate::bindings::__export_skill_world!(__PraximousSkillExport with_types_in $crate::bindings);
    };
}
