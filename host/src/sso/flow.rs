//! The authorization code flow with PKCE: [`Sso::begin`] sends the browser to the provider
//! with a fresh `state`, nonce and code challenge, kept in the store and bound to the browser
//! by a cookie; [`Sso::finish`] takes them back (once), redeems the code, checks the ID token,
//! maps the groups to a role, records the user and begins a session.

use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::groups::{self, Groups};
use super::id_token::{self, Expected};
use super::store::{PendingSignIn, Session, SignInFacts, User};
use super::{Sso, SsoError, digest, random_token};
use crate::admin_audit::{Actor, Change};

/// A sign-in begun: where to send the browser, and the binding cookie's value.
pub struct Begun {
    /// The provider's authorization URL with our parameters.
    pub redirect: String,
    /// The value of the binding cookie to set.
    pub binding: String,
}

/// A sign-in finished: the session cookie's value and where to land.
pub struct SignedIn {
    /// The session cookie's value.
    pub token: String,
    /// The user, as now recorded.
    pub user: User,
    /// Where in the UI to go.
    pub return_to: String,
}

/// A sign-in that failed, and whether it got past the state and browser checks (only then
/// may it have changed anything: a user, their role, their keys).
#[derive(Debug)]
pub struct SignInFailure {
    /// Why.
    pub error: SsoError,
    /// Whether the provider's answer was taken up.
    pub reached_provider: bool,
}

/// How far a sign-in got, for the record of its failure.
#[derive(Default)]
struct Progress {
    /// Its state was ours and its browser the one that began it.
    bound: bool,
    /// Who the provider said it was, as an actor id (`user:<id>`, or `sso:<issuer>#<sub>`
    /// before the user is recorded) and how they appear.
    who: Option<(String, String)>,
}

/// What the token endpoint answers (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    access_token: Option<String>,
}

/// A path in this UI to return to; anything else (another site, `//host`) is `/`.
pub fn safe_return_to(requested: Option<&str>) -> String {
    match requested {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.chars().all(|c| c.is_ascii_graphic()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

impl Sso {
    /// Begin a sign-in that returns to `return_to` afterwards.
    pub async fn begin(
        &self,
        return_to: Option<&str>,
        binding: Option<String>,
        client: std::net::IpAddr,
    ) -> Result<Begun, SsoError> {
        if !self.licensed() {
            return Err(SsoError::NotLicensed);
        }
        if self.starts.len() > 10_000 {
            self.starts.retain_recent();
        }
        if self.starts.check_key(&client).is_err() {
            return Err(SsoError::Refused(format!(
                "more than {} sign-ins were begun from your address in a minute; wait a minute and try again",
                super::SIGN_INS_PER_MINUTE
            )));
        }
        let metadata = self.metadata().await?;
        // The browser's binding cookie when it already has one of ours (another tab began a
        // sign-in), else a new one.
        let ours = |b: &String| {
            b.len() == 43
                && b.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        };
        let binding = match binding.filter(ours) {
            Some(existing) => existing,
            None => random_token()?,
        };
        let (state, nonce, verifier) = (random_token()?, random_token()?, random_token()?);
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        let pending = PendingSignIn {
            state_digest: digest(&state),
            binding_digest: digest(&binding),
            nonce: nonce.clone(),
            verifier,
            return_to: safe_return_to(return_to),
            expires_at: super::later(super::SIGN_IN_TIMEOUT),
        };
        let store = self.store.clone();
        blocking(move || store.put_pending(&pending, &super::now())).await?;
        let scope = std::iter::once("openid")
            .chain(
                self.config
                    .scopes
                    .iter()
                    .map(String::as_str)
                    .filter(|s| *s != "openid"),
            )
            .collect::<Vec<_>>()
            .join(" ");
        let mut url = reqwest::Url::parse(&metadata.authorization_endpoint).map_err(|e| {
            SsoError::Provider(format!("its authorization_endpoint is not a URL: {e}"))
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri())
            .append_pair("scope", &scope)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(Begun {
            redirect: url.into(),
            binding,
        })
    }

    /// Finish the sign-in the provider sent back with `code` and `state`, in the browser
    /// that holds `binding`, from `source`. A failure after the state and browser checked out
    /// is recorded in the admin audit log.
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        binding: Option<&str>,
        source: &str,
    ) -> Result<SignedIn, SignInFailure> {
        let mut progress = Progress::default();
        let result = self
            .try_finish(code, state, binding, source, &mut progress)
            .await;
        // A callback with an unknown state, or from another browser, never reached the
        // provider's answer: anyone can send those, so they are logged, not recorded.
        if let Err(error) = &result
            && !progress.bound
        {
            tracing::info!(%error, %source, "a single sign-on callback was refused before its code was redeemed");
        } else if let Err(error) = &result {
            let subject = progress.who;
            let actor = Actor {
                id: subject
                    .as_ref()
                    .map_or_else(|| "sso:unknown".to_owned(), |(id, _)| id.clone()),
                name: subject
                    .as_ref()
                    .map_or_else(|| "unknown".to_owned(), |(_, name)| name.clone()),
                source: source.to_owned(),
            };
            self.record(Change {
                target: actor.id.clone(),
                actor,
                action: "user.sign_in_failed",
                before: None,
                after: Some(json!({"reason": error.to_string()})),
            })
            .await;
        }
        result.map_err(|error| SignInFailure {
            error,
            reached_provider: progress.bound,
        })
    }

    async fn try_finish(
        &self,
        code: &str,
        state: &str,
        binding: Option<&str>,
        source: &str,
        progress: &mut Progress,
    ) -> Result<SignedIn, SsoError> {
        if !self.licensed() {
            return Err(SsoError::NotLicensed);
        }
        let store = self.store.clone();
        let state_digest = digest(state);
        let pending = blocking(move || store.take_pending(&state_digest, &super::now()))
            .await?
            .ok_or_else(|| {
                SsoError::Refused(
                    "this sign-in link was already used or has expired; sign in again".into(),
                )
            })?;
        let bound = binding.is_some_and(|b| {
            bool::from(
                digest(b)
                    .as_bytes()
                    .ct_eq(pending.binding_digest.as_bytes()),
            )
        });
        if !bound {
            return Err(SsoError::Refused(
                "this sign-in was started in another browser (or its cookie was lost); sign in again from this one".into(),
            ));
        }
        progress.bound = true;
        let metadata = self.metadata().await?;
        let tokens = self.redeem(&metadata, code, &pending.verifier).await?;
        let token = tokens.id_token.ok_or_else(|| {
            SsoError::Provider("the token endpoint answered without an id_token".into())
        })?;
        let (alg, kid) = id_token::header(&token, &self.config.algorithms)?;
        let key = self
            .keys
            .key_for(&self.http, &metadata.jwks_uri, kid.as_deref())
            .await?;
        let claims = id_token::verify(
            &token,
            alg,
            &key,
            &Expected {
                metadata: &metadata,
                client_id: &self.config.client_id,
                nonce: &pending.nonce,
                algorithms: &self.config.algorithms,
                skew_s: self.config.clock_skew_s,
                tenants: &self.config.allowed_tenants,
            },
        )?;
        let text = |claims: &Map<String, Value>, name: &str| {
            claims.get(name).and_then(Value::as_str).map(str::to_owned)
        };
        let sub = text(&claims, "sub").unwrap_or_default();
        let issuer = text(&claims, "iss").unwrap_or_default();
        let userinfo = match (&metadata.userinfo_endpoint, &tokens.access_token) {
            (Some(endpoint), Some(access)) => self.userinfo(endpoint, access, &sub).await?,
            _ => Map::new(),
        };
        let email = text(&claims, "email").or_else(|| text(&userinfo, "email"));
        let name = text(&claims, "name").or_else(|| text(&userinfo, "name"));
        progress.who = Some((
            format!("sso:{issuer}#{sub}"),
            email.clone().or(name.clone()).unwrap_or(sub.clone()),
        ));
        // Groups from the ID token first; a provider may put scope claims in userinfo only.
        let claim = &self.config.groups_claim;
        let groups = match groups::read(&claims, claim)? {
            Groups::Listed(groups) => groups,
            Groups::Absent => match groups::read(&userinfo, claim)? {
                Groups::Listed(groups) => groups,
                Groups::Absent => Vec::new(),
            },
        };
        let (mapped_role, mapped_by) =
            groups::role_for(&groups, &self.config.roles, self.config.default_role);
        let facts = SignInFacts {
            issuer,
            subject: sub,
            email,
            name,
            groups,
            mapped_role,
            mapped_by,
        };
        let store = self.store.clone();
        let (before, user) = blocking(move || store.record_sign_in(&facts, &super::now())).await?;
        progress.who = Some((format!("user:{}", user.id), user.display()));
        self.after_role_change(before.as_ref(), &user, &Actor::sso(source))
            .await?;
        if user.disabled_at.is_some() {
            return Err(SsoError::Refused(
                "your account is disabled in Praximous; ask an admin to enable it".into(),
            ));
        }
        let Some(role) = user.role else {
            return Err(SsoError::Refused(format!(
                "none of your groups ({}) maps to a Praximous role; ask an admin to map one in [sso.roles], or to set [sso] default_role",
                if user.groups.is_empty() {
                    "none were sent".to_owned()
                } else {
                    user.groups.join(", ")
                }
            )));
        };
        let session_token = random_token()?;
        let session = Session {
            digest: digest(&session_token),
            user_id: user.id.clone(),
            created_at: super::now(),
            expires_at: super::later(Duration::from_secs(self.config.session_lifetime_min * 60)),
            last_seen_at: super::now(),
            id_token: Some(token),
        };
        let session_digest = session.digest.clone();
        let store = self.store.clone();
        blocking(move || store.create_session(&session)).await?;
        // An admin may have disabled them while this sign-in ran: the session must not
        // outlive that (nor come back if they are enabled again).
        let store = self.store.clone();
        let user_id = user.id.clone();
        let now_user = blocking(move || store.user(&user_id)).await?;
        if now_user.as_ref().and_then(User::active_role).is_none() {
            let store = self.store.clone();
            blocking(move || store.end_session(&session_digest).map(drop)).await?;
            return Err(SsoError::Refused(
                "your account was disabled while you signed in; ask an admin".into(),
            ));
        }
        self.record(Change {
            actor: Actor::user(&user, source),
            action: "user.signed_in",
            target: user.id.clone(),
            before: None,
            after: Some(json!({"role": role, "groups": user.groups})),
        })
        .await;
        Ok(SignedIn {
            token: session_token,
            user,
            return_to: pending.return_to,
        })
    }

    /// Redeem `code` at the token endpoint, with the PKCE `verifier` and our client's
    /// credentials (HTTP Basic unless the provider takes them only in the body).
    async fn redeem(
        &self,
        metadata: &super::discovery::ProviderMetadata,
        code: &str,
        verifier: &str,
    ) -> Result<TokenAnswer, SsoError> {
        let redirect_uri = self.config.redirect_uri();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier),
            ("client_id", self.config.client_id.as_str()),
        ];
        let mut request = self.http.post(&metadata.token_endpoint);
        if let Some(secret) = &self.client_secret {
            if metadata.wants_secret_in_body() {
                form.push(("client_secret", secret.as_str()));
            } else {
                // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
                request = request
                    .basic_auth(url_encode(&self.config.client_id), Some(url_encode(secret)));
            }
        }
        let answer = request
            .form(&form)
            .send()
            .await
            .map_err(|e| SsoError::Provider(format!("cannot reach its token endpoint: {e}")))?;
        let status = answer.status();
        if !status.is_success() {
            let body: Value = answer.json().await.unwrap_or(Value::Null);
            let error = body["error"].as_str().unwrap_or("unknown");
            let description = body["error_description"].as_str().unwrap_or("");
            return Err(SsoError::Provider(format!(
                "its token endpoint refused the code ({status}: {error} {description}); check [sso] client_id, the client secret and the registered redirect URI {}",
                self.config.redirect_uri()
            )));
        }
        answer.json().await.map_err(|e| {
            SsoError::Provider(format!(
                "its token endpoint answered something unreadable: {e}"
            ))
        })
    }

    /// The userinfo claims for the user `sub` (their `sub` must be the ID token's).
    async fn userinfo(
        &self,
        endpoint: &str,
        access_token: &str,
        sub: &str,
    ) -> Result<Map<String, Value>, SsoError> {
        let answer = self
            .http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| SsoError::Provider(format!("cannot reach its userinfo endpoint: {e}")))?;
        if !answer.status().is_success() {
            return Err(SsoError::Provider(format!(
                "its userinfo endpoint answered {}",
                answer.status()
            )));
        }
        let claims: Map<String, Value> = answer.json().await.map_err(|e| {
            SsoError::Provider(format!("its userinfo endpoint answered something unreadable (a signed JWT is not supported): {e}"))
        })?;
        if claims.get("sub").and_then(Value::as_str) != Some(sub) {
            return Err(SsoError::Token(
                "the userinfo answer is about another user than the ID token".into(),
            ));
        }
        Ok(claims)
    }

    /// Append `change` to the admin audit log; a failure is logged, not the caller's.
    pub async fn record(&self, change: Change) {
        let log = self.admin_audit.clone();
        let result = blocking(move || log.append(&change, &super::now()).map(drop)).await;
        if let Err(error) = result {
            tracing::error!(%error, "cannot append to the admin audit log");
        }
    }
}

/// Form-urlencoding (`application/x-www-form-urlencoded`) of one value.
fn url_encode(value: &str) -> String {
    reqwest::Url::parse_with_params("x:", [("v", value)])
        .ok()
        .and_then(|url| url.query().map(|q| q.trim_start_matches("v=").to_owned()))
        .unwrap_or_else(|| value.to_owned())
}

/// Run a store call on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    run: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, SsoError> {
    tokio::task::spawn_blocking(run)
        .await
        .map_err(|e| {
            SsoError::Store(crate::store::StoreError::Database(format!(
                "store task failed: {e}"
            )))
        })?
        .map_err(SsoError::from)
}

#[cfg(test)]
mod tests {
    use super::{safe_return_to, url_encode};

    #[test]
    fn only_paths_of_this_ui_are_returned_to() {
        assert_eq!(safe_return_to(Some("/analytics?x=1")), "/analytics?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "analytics",
            "/é",
            "/a b",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_to(None), "/");
    }

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        assert_eq!(url_encode("a b:c/d"), "a+b%3Ac%2Fd");
    }
}
