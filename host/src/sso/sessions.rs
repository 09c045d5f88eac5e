//! Browser sessions: the cookie's value is looked up (by digest) on every request, so a
//! disabled user, a session signed out on another replica, or one past its lifetime or idle
//! timeout stops at once. Requests that change anything must also carry the session's CSRF
//! token, which only pages of this origin can read (from `GET /api/v1/auth/me`).

use std::sync::Arc;
use std::time::Duration;

use subtle::ConstantTimeEq as _;

use super::flow::blocking;
use super::store::{Session, User};
use super::{Sso, SsoError, digest};
use crate::auth::{KeyScope, Principal};

/// A session is marked used at most this often (each request would be a write).
const TOUCH_EVERY: Duration = Duration::from_secs(30);

/// Why a session cookie did not admit a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionDenial {
    /// No such session, or it ended (signed out, expired, idle, user disabled or without a
    /// role, licence without SSO). The text says which, for the answer.
    Ended(&'static str),
    /// The request changes something and has no valid CSRF token.
    Csrf,
    /// The store failed.
    Unavailable,
}

/// The CSRF token of the session whose cookie is `token`.
pub fn csrf_token(token: &str) -> String {
    digest(&format!("prax-csrf:{token}"))
}

/// Whether `presented` is the CSRF token of the session `token`.
pub fn csrf_matches(token: &str, presented: Option<&str>) -> bool {
    presented.is_some_and(|presented| {
        bool::from(presented.as_bytes().ct_eq(csrf_token(token).as_bytes()))
    })
}

/// The principal a session stands for: the user, with their role, under an id that says it
/// is a session (`user:<id>`), so audit records and analytics name the person.
pub fn principal(user: &User, role: crate::auth::Role) -> Principal {
    Principal::from(crate::auth::PrincipalInfo {
        key_id: format!("user:{}", user.id).into(),
        key_name: user.display().into(),
        role,
        rate_limit_per_minute: None,
        scope: Arc::new(KeyScope::default()),
        user: Some(user.id.as_str().into()),
        via_session: true,
    })
}

/// The role a session admits its user with at `now`, or why it has ended: checked in the
/// order that tells the user most (a disabled user's sessions also expired when they were
/// disabled), then its lifetime, then whether it was unused since `idle_cutoff`.
pub fn live_role(
    session: &Session,
    user: &User,
    now: &str,
    idle_cutoff: &str,
) -> Result<crate::auth::Role, &'static str> {
    if user.disabled_at.is_some() {
        return Err("your account is disabled in Praximous; ask an admin");
    }
    let Some(role) = user.active_role() else {
        return Err("your account has no role in Praximous any more; ask an admin");
    };
    if session.expires_at.as_str() <= now {
        return Err("your session has expired; sign in again");
    }
    if session.last_seen_at.as_str() < idle_cutoff {
        return Err("your session ended after a time without use; sign in again");
    }
    Ok(role)
}

impl Sso {
    /// The session behind cookie `token`, for a request that changes something when
    /// `changes` (then `csrf` must be its token).
    pub async fn admit(
        &self,
        token: &str,
        changes: bool,
        csrf: Option<&str>,
    ) -> Result<(Principal, Session, User), SessionDenial> {
        if !self.licensed() {
            return Err(SessionDenial::Ended(
                "single sign-on is not in the licence in force; sign in with an API key",
            ));
        }
        let store = self.store.clone();
        let session_digest = digest(token);
        let found = blocking(move || store.session(&session_digest))
            .await
            .map_err(|error| {
                tracing::error!(%error, "cannot look up a session");
                SessionDenial::Unavailable
            })?;
        let Some((session, user)) = found else {
            return Err(SessionDenial::Ended(
                "your session has ended (signed out, or ended by an admin); sign in again",
            ));
        };
        let idle = Duration::from_secs(self.config.session_idle_min * 60);
        let role = match live_role(&session, &user, &super::now(), &super::earlier(idle)) {
            Ok(role) => role,
            Err(why) => {
                self.end(&session.digest).await;
                return Err(SessionDenial::Ended(why));
            }
        };
        if changes && !csrf_matches(token, csrf) {
            return Err(SessionDenial::Csrf);
        }
        if session.last_seen_at < super::earlier(TOUCH_EVERY) {
            let store = self.store.clone();
            let touched = session.clone();
            let now = super::now();
            if let Err(error) = blocking(move || store.touch_session(&touched, &now)).await {
                tracing::warn!(%error, "cannot mark a session used");
            }
        }
        Ok((principal(&user, role), session, user))
    }

    async fn end(&self, session_digest: &str) {
        let store = self.store.clone();
        let session_digest = session_digest.to_owned();
        if let Err(error) = blocking(move || store.end_session(&session_digest).map(drop)).await {
            tracing::warn!(%error, "cannot end a session");
        }
    }

    /// Sign out the session whose cookie is `token`: it ends here, and the answer is where
    /// to send the browser to end it at the provider too (when the provider offers that).
    pub async fn sign_out(&self, token: &str) -> Result<Option<String>, SsoError> {
        let store = self.store.clone();
        let session_digest = digest(token);
        let ended = blocking(move || store.end_session(&session_digest)).await?;
        let Some(session) = ended else {
            return Ok(None);
        };
        let metadata = match self.metadata().await {
            Ok(metadata) => metadata,
            // Signed out here; the provider's own session is left as it is.
            Err(error) => {
                tracing::warn!(%error, "signed out locally; cannot reach the provider to end its session");
                return Ok(None);
            }
        };
        let Some(endpoint) = &metadata.end_session_endpoint else {
            return Ok(None);
        };
        let Ok(mut url) = reqwest::Url::parse(endpoint) else {
            return Ok(None);
        };
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &self.config.client_id)
                .append_pair(
                    "post_logout_redirect_uri",
                    &format!("{}/signin", self.config.public_url.trim_end_matches('/')),
                );
            if let Some(id_token) = &session.id_token {
                query.append_pair("id_token_hint", id_token);
            }
        }
        Ok(Some(url.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::{csrf_matches, csrf_token, live_role};
    use crate::auth::Role;
    use crate::sso::store::{Session, SignInFacts, signed_in};

    #[test]
    fn a_session_ends_at_its_lifetime_when_idle_and_with_its_users_access() {
        let session = Session {
            digest: "d".into(),
            user_id: "u1".into(),
            created_at: "2026-12-06T10:00:00.000Z".into(),
            expires_at: "2026-12-06T22:00:00.000Z".into(),
            last_seen_at: "2026-12-06T11:00:00.000Z".into(),
            id_token: None,
        };
        let facts = SignInFacts {
            issuer: "https://idp".into(),
            subject: "olga".into(),
            email: None,
            name: None,
            groups: vec![],
            mapped_role: Some(Role::Operator),
            mapped_by: "sso:groups",
        };
        let user = signed_in(None, &facts, "u1", "2026-12-06T10:00:00.000Z");
        let (now, fresh) = ("2026-12-06T11:30:00.000Z", "2026-12-06T10:30:00.000Z");
        assert_eq!(live_role(&session, &user, now, fresh), Ok(Role::Operator));
        let idle = live_role(&session, &user, now, "2026-12-06T11:00:00.001Z");
        assert!(idle.is_err_and(|why| why.contains("without use")));
        let late = live_role(&session, &user, "2026-12-06T22:00:00.000Z", fresh);
        assert!(late.is_err_and(|why| why.contains("expired")));
        let mut disabled = user.clone();
        disabled.disabled_at = Some(now.into());
        let refused = live_role(&session, &disabled, now, fresh);
        assert!(refused.is_err_and(|why| why.contains("disabled")));
        let mut roleless = user;
        roleless.role = None;
        let refused = live_role(&session, &roleless, now, fresh);
        assert!(refused.is_err_and(|why| why.contains("no role")));
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let token = csrf_token("session-a");
        assert!(csrf_matches("session-a", Some(&token)));
        assert!(!csrf_matches("session-b", Some(&token)));
        assert!(!csrf_matches("session-a", None));
        assert!(!csrf_matches("session-a", Some("")));
    }
}
