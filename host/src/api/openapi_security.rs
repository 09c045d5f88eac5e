//! Annotates the OpenAPI document from the access policy: the two key schemes, each route's
//! required role (as `x-required-role` and in its description), and the answers a protected
//! route may give before its handler runs.

use utoipa::Modify;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{OpenApi, Ref, RefOr, Response, ResponseBuilder};

use crate::auth::policy::{Access, POLICY, Verb};

/// The [`Modify`] that applies [`POLICY`] to the document.
pub struct AccessPolicy;

fn error_answer(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content_ref("application/json", Ref::from_schema_name("ErrorBody"))
            .build(),
    )
}

impl Modify for AccessPolicy {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        for (verb, path, access) in POLICY {
            let Access::Role(role) = access else { continue };
            let Some(item) = openapi.paths.paths.get_mut(*path) else {
                continue;
            };
            let operation = match verb {
                Verb::Get => item.get.as_mut(),
                Verb::Post => item.post.as_mut(),
                Verb::Delete => item.delete.as_mut(),
            };
            let Some(operation) = operation else { continue };
            operation.security = Some(vec![
                SecurityRequirement::new("api_key", Vec::<String>::new()),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ]);
            let note = format!("Requires a key with the `{role}` role or higher.");
            operation.description = Some(match operation.description.take() {
                Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
                _ => note,
            });
            operation
                .extensions
                .get_or_insert_with(Default::default)
                .insert("x-required-role".into(), role.as_str().into());
            let answers = &mut operation.responses.responses;
            answers.insert("401".into(), error_answer("No API key was sent"));
            answers
                .entry("403".into())
                .or_insert_with(|| error_answer("The key is not valid, or its role is too low"));
            answers.insert(
                "429".into(),
                error_answer("The key is over its rate limit; see `Retry-After`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    use crate::api::ApiDoc;
    use crate::auth::policy::{Access, POLICY, Verb};

    #[test]
    fn the_policy_and_the_document_list_the_same_routes() {
        let doc = ApiDoc::openapi();
        let mut documented = Vec::new();
        for (path, item) in &doc.paths.paths {
            for (verb, operation) in [
                (Verb::Get, &item.get),
                (Verb::Post, &item.post),
                (Verb::Delete, &item.delete),
            ] {
                if operation.is_some() {
                    documented.push((verb, path.as_str()));
                }
            }
            assert!(
                item.put.is_none() && item.patch.is_none(),
                "{path}: add PUT/PATCH to auth::policy::Verb"
            );
        }
        let mut listed: Vec<_> = POLICY
            .iter()
            .map(|(verb, path, _)| (*verb, *path))
            .collect();
        let key = |(verb, path): &(Verb, &str)| (path.to_string(), verb.as_str());
        documented.sort_by_key(key);
        listed.sort_by_key(key);
        assert_eq!(documented, listed);
    }

    #[test]
    fn protected_routes_carry_their_role_and_key_schemes() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for (verb, path, access) in POLICY {
            let operation = &doc["paths"][path][verb.as_str().to_lowercase()];
            match access {
                Access::Public => assert!(operation["security"].is_null(), "{path}"),
                Access::Role(role) => {
                    assert_eq!(operation["x-required-role"], role.as_str(), "{path}");
                    assert!(operation["responses"]["401"].is_object(), "{path}");
                    assert_eq!(operation["security"][0]["api_key"], serde_json::json!([]));
                }
            }
        }
    }
}
