//! The two cookies single sign-on sets: the session (opaque, HttpOnly, SameSite=Lax, Secure
//! behind HTTPS) and, while a sign-in is under way, the binding that ties its `state` to the
//! browser that started it.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use cookie::{Cookie, SameSite};

/// The session cookie.
pub const SESSION: &str = "prax_session";
/// The sign-in binding cookie.
pub const BINDING: &str = "prax_sso_binding";
/// The session cookie behind HTTPS: `__Host-` makes browsers refuse one set by a sibling
/// subdomain, or with a path or domain of its own.
pub const SECURE_SESSION: &str = "__Host-prax_session";
/// The binding cookie behind HTTPS (`__Secure-`: only set over HTTPS).
pub const SECURE_BINDING: &str = "__Secure-prax_sso_binding";

/// The session cookie's name.
pub fn session_name(secure: bool) -> &'static str {
    if secure { SECURE_SESSION } else { SESSION }
}

/// The binding cookie's name.
pub fn binding_name(secure: bool) -> &'static str {
    if secure { SECURE_BINDING } else { BINDING }
}
/// Where the binding cookie is sent: the callback only.
const BINDING_PATH: &str = "/api/v1/auth/sso";

/// The header a cookie-authenticated request that changes anything must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name` in `headers`, if sent.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

fn build(
    name: &'static str,
    value: String,
    path: &'static str,
    max_age: Duration,
    secure: bool,
) -> String {
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .build()
        .to_string()
}

/// `Set-Cookie` for a session `token` lasting `lifetime`.
pub fn session(token: String, lifetime: Duration, secure: bool) -> String {
    build(session_name(secure), token, "/", lifetime, secure)
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session(secure: bool) -> String {
    build(
        session_name(secure),
        String::new(),
        "/",
        Duration::ZERO,
        secure,
    )
}

/// `Set-Cookie` for a sign-in's binding `token`.
pub fn binding(token: String, lifetime: Duration, secure: bool) -> String {
    build(binding_name(secure), token, BINDING_PATH, lifetime, secure)
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn the_session_cookie_is_http_only_lax_and_secure_behind_https() {
        let cookie = super::session("abc".into(), std::time::Duration::from_secs(60), true);
        for part in [
            "__Host-prax_session=abc",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
            "Max-Age=60",
        ] {
            assert!(cookie.contains(part), "{part} in {cookie}");
        }
        let plain = super::session("abc".into(), std::time::Duration::from_secs(60), false);
        assert!(!plain.contains("Secure") && plain.starts_with("prax_session=abc"));
    }

    #[test]
    fn cookies_are_read_by_name_from_every_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            "cookie",
            HeaderValue::from_static("a=1; prax_sso_binding=b"),
        );
        headers.append("cookie", HeaderValue::from_static("prax_session=s"));
        assert_eq!(super::read(&headers, super::SESSION).as_deref(), Some("s"));
        assert_eq!(super::read(&headers, super::BINDING).as_deref(), Some("b"));
        assert_eq!(super::read(&headers, "missing"), None);
    }
}
