//! A stand-in OpenID provider on 127.0.0.1 that speaks the real protocol over HTTP (discovery,
//! JWKS, the authorization endpoint, the token endpoint with PKCE and client authentication,
//! userinfo, end-session), signing ES256 ID tokens; and a "browser" that follows redirects and
//! keeps cookies, to sign in through it. The tests choose who signs in and can spoil the next
//! token (wrong audience, expired, forged) or rotate the signing key: things a real provider
//! cannot be asked to do. The Chromium test signs in through npm's `oidc-provider` instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::Digest as _;

/// The client id the tests register.
pub const CLIENT_ID: &str = "praximous-e2e";
/// Its secret.
pub const CLIENT_SECRET: &str = "e2e-client-secret-5d1e";
/// Where the test "browser" reaches `prax`, as `[sso] public_url` says (it maps this to the
/// server's real address, as a reverse proxy would).
pub const PUBLIC_URL: &str = "http://prax.test";

/// How the next ID token is spoiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spoil {
    /// Not at all.
    #[default]
    Nothing,
    /// Issued to another client.
    WrongAudience,
    /// Expired an hour ago.
    Expired,
    /// Signed with a key the provider does not publish, under a published `kid`.
    ForgedSignature,
}

/// Who signs in next.
#[derive(Debug, Clone)]
pub struct Person {
    /// `sub`.
    pub subject: String,
    /// `email`.
    pub email: String,
    /// Their groups; `None`: no groups claim at all.
    pub groups: Option<Vec<String>>,
    /// Put the groups in the userinfo answer only, not in the ID token.
    pub groups_in_userinfo_only: bool,
    /// Claims added to the ID token as they are (`_claim_names`, ...).
    pub extra: Value,
}

impl Person {
    /// `subject` in `groups`, its e-mail `subject@acme.example`.
    pub fn new(subject: &str, groups: &[&str]) -> Self {
        Self {
            subject: subject.into(),
            email: format!("{subject}@acme.example"),
            groups: Some(groups.iter().map(|g| (*g).to_owned()).collect()),
            groups_in_userinfo_only: false,
            extra: json!({}),
        }
    }
}

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    jwk: Value,
}

fn new_key(kid: &str) -> anyhow::Result<SigningKey> {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| anyhow::anyhow!("cannot make a key"))?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| anyhow::anyhow!("cannot read the key"))?;
    let point = pair.public_key().as_ref();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(SigningKey {
        kid: kid.into(),
        encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
        jwk: json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
                    "x": b64(&point[1..33]), "y": b64(&point[33..65])}),
    })
}

struct Grant {
    person: Person,
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct IdpState {
    issuer: String,
    key: SigningKey,
    rotations: u32,
    next: Person,
    spoil: Spoil,
    codes: HashMap<String, Grant>,
    access: HashMap<String, Person>,
    jwks_fetches: u32,
    logouts: Vec<HashMap<String, String>>,
}

/// A running stand-in provider.
pub struct Idp {
    /// Its issuer URL.
    pub issuer: String,
    state: Arc<Mutex<IdpState>>,
    _server: tokio::task::JoinHandle<()>,
}

type Shared = Arc<Mutex<IdpState>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, IdpState> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Idp {
    /// Start one on 127.0.0.1; `alice` (group `prax-admins`) signs in until told otherwise.
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let issuer = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(IdpState {
            issuer: issuer.clone(),
            key: new_key("key-1")?,
            rotations: 1,
            next: Person::new("alice", &["prax-admins"]),
            spoil: Spoil::Nothing,
            codes: HashMap::new(),
            access: HashMap::new(),
            jwks_fetches: 0,
            logouts: Vec::new(),
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/logout", get(logout))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            issuer,
            state,
            _server: server,
        })
    }

    /// Who signs in next.
    pub fn sign_in_as(&self, person: Person) {
        lock(&self.state).next = person;
    }

    /// Spoil the next ID token as `spoil` says (and every one after, until told otherwise).
    pub fn spoil(&self, spoil: Spoil) {
        lock(&self.state).spoil = spoil;
    }

    /// Replace the signing key with a new one under a new `kid`; only it is published.
    pub fn rotate_key(&self) -> anyhow::Result<()> {
        let mut state = lock(&self.state);
        state.rotations += 1;
        state.key = new_key(&format!("key-{}", state.rotations))?;
        Ok(())
    }

    /// How often the JWKS was fetched.
    pub fn jwks_fetches(&self) -> u32 {
        lock(&self.state).jwks_fetches
    }

    /// The query of each visit to the end-session endpoint.
    pub fn logouts(&self) -> Vec<HashMap<String, String>> {
        lock(&self.state).logouts.clone()
    }

    /// An `[sso]` table for this provider, with `extra` lines.
    pub fn config(&self, extra: &str) -> String {
        format!(
            "[sso]\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\npublic_url = \"{PUBLIC_URL}\"\ndisplay_name = \"Acme SSO\"\nscopes = [\"profile\", \"email\", \"groups\"]\njwks_refetch_ms = 100\n{extra}\n",
            self.issuer
        )
    }
}

async fn discovery(State(state): State<Shared>) -> Json<Value> {
    let issuer = lock(&state).issuer.clone();
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks(State(state): State<Shared>) -> Json<Value> {
    let mut state = lock(&state);
    state.jwks_fetches += 1;
    Json(json!({"keys": [state.key.jwk.clone()]}))
}

/// The provider's sign-in: the person chosen by the test is signed in at once.
async fn authorize(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    if field("client_id") != CLIENT_ID
        || field("response_type") != "code"
        || field("code_challenge_method") != "S256"
        || field("code_challenge").is_empty()
        || !field("scope").split(' ').any(|s| s == "openid")
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let code = format!("code-{}", uuid_like());
    let redirect_uri = field("redirect_uri");
    let mut state = lock(&state);
    let person = state.next.clone();
    state.codes.insert(
        code.clone(),
        Grant {
            person,
            nonce: field("nonce"),
            challenge: field("code_challenge"),
            redirect_uri: redirect_uri.clone(),
        },
    );
    let mut target = match reqwest::Url::parse(&redirect_uri) {
        Ok(url) => url,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    };
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &field("state"));
    Redirect::to(target.as_str()).into_response()
}

fn uuid_like() -> String {
    let mut bytes = [0u8; 16];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    hex::encode(bytes)
}

fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let refuse =
        |error: &str| (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response();
    if basic_client(&headers) != Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned())) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut state = lock(&state);
    let Some(grant) = state.codes.remove(&field("code")) else {
        return refuse("invalid_grant");
    };
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(field("code_verifier").as_bytes()));
    if challenge != grant.challenge || field("redirect_uri") != grant.redirect_uri {
        return refuse("invalid_grant");
    }
    let now = jsonwebtoken::get_current_timestamp();
    let mut claims = json!({
        "iss": state.issuer, "sub": grant.person.subject, "aud": CLIENT_ID,
        "exp": now + 300, "iat": now, "nonce": grant.nonce,
        "email": grant.person.email, "name": grant.person.subject,
    });
    if let (Some(groups), false) = (&grant.person.groups, grant.person.groups_in_userinfo_only) {
        claims["groups"] = json!(groups);
    }
    if let (Some(extra), Some(all)) = (grant.person.extra.as_object(), claims.as_object_mut()) {
        all.extend(extra.clone());
    }
    let mut signing = &state.key.encoding;
    let forged;
    match state.spoil {
        Spoil::Nothing => {}
        Spoil::WrongAudience => claims["aud"] = json!("another-client"),
        Spoil::Expired => {
            claims["exp"] = json!(now - 3600);
            claims["iat"] = json!(now - 7200);
        }
        Spoil::ForgedSignature => match new_key(&state.key.kid) {
            Ok(key) => {
                forged = key;
                signing = &forged.encoding;
            }
            Err(_) => return refuse("server_error"),
        },
    }
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(state.key.kid.clone());
    let Ok(id_token) = jsonwebtoken::encode(&header, &claims, signing) else {
        return refuse("server_error");
    };
    let access = format!("at-{}", uuid_like());
    let person = grant.person.clone();
    state.access.insert(access.clone(), person);
    Json(
        json!({"access_token": access, "token_type": "Bearer", "expires_in": 300,
                "id_token": id_token}),
    )
    .into_response()
}

async fn userinfo(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let state = lock(&state);
    let Some(person) = state.access.get(&token) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let mut claims = json!({"sub": person.subject, "email": person.email});
    if let Some(groups) = &person.groups {
        claims["groups"] = json!(groups);
    }
    Json(claims).into_response()
}

async fn logout(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> &'static str {
    lock(&state).logouts.push(query);
    "signed out"
}

/// A browser: follows redirects one at a time (mapping [`PUBLIC_URL`] to the server's real
/// address) and keeps cookies by name, as the real one would for one site.
pub struct Browser {
    http: reqwest::Client,
    server: String,
    /// Cookies for `prax`, by name.
    pub cookies: HashMap<String, String>,
}

/// Where a walk through redirects ended.
#[derive(Debug)]
pub struct Landing {
    /// The last `Location` (a path of `prax`'s UI, with its query).
    pub location: String,
}

impl Landing {
    /// The `sso_error` of a landing on the sign-in page, if it is one.
    pub fn sso_error(&self) -> Option<String> {
        let url = reqwest::Url::parse(&format!("http://x{}", self.location)).ok()?;
        if url.path() != "/signin" {
            return None;
        }
        url.query_pairs()
            .find(|(name, _)| name == "sso_error")
            .map(|(_, value)| value.into_owned())
    }
}

impl Browser {
    /// A browser with no cookies, for the `prax` at `server` (its base URL).
    pub fn new(server: &str) -> anyhow::Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            server: server.to_owned(),
            cookies: HashMap::new(),
        })
    }

    fn real(&self, url: &str) -> String {
        if let Some(path) = url.strip_prefix(PUBLIC_URL) {
            format!("{}{path}", self.server)
        } else if url.starts_with('/') {
            format!("{}{url}", self.server)
        } else {
            url.to_owned()
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GET `url` (no redirect followed); the answer's status and `Location`.
    pub async fn visit(&mut self, url: &str) -> anyhow::Result<(u16, Option<String>)> {
        let target = self.real(url);
        let to_prax = target.starts_with(&self.server);
        let mut request = self.http.get(&target);
        if to_prax && !self.cookies.is_empty() {
            request = request.header("cookie", self.cookie_header());
        }
        let answer = request
            .send()
            .await
            .with_context(|| format!("GET {target}"))?;
        if to_prax {
            for value in answer.headers().get_all("set-cookie") {
                let text = value.to_str().unwrap_or_default();
                let pair = text.split(';').next().unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    let removed = text.contains("Max-Age=0");
                    if removed || value.is_empty() {
                        self.cookies.remove(name);
                    } else {
                        self.cookies.insert(name.to_owned(), value.to_owned());
                    }
                }
            }
        }
        let location = answer
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok((answer.status().as_u16(), location))
    }

    /// Start at `url` and follow redirects until one lands on a page of `prax`'s UI; every
    /// `Location` seen, in order.
    pub async fn follow(&mut self, url: &str) -> anyhow::Result<Vec<String>> {
        let mut seen = Vec::new();
        let mut next = url.to_owned();
        for _ in 0..10 {
            let (status, location) = self.visit(&next).await?;
            match location {
                Some(location) if (300..400).contains(&status) => {
                    seen.push(location.clone());
                    if location.starts_with('/') && !location.starts_with("/api/") {
                        return Ok(seen);
                    }
                    next = location;
                }
                _ => anyhow::bail!("{next} answered {status} without a redirect"),
            }
        }
        anyhow::bail!("too many redirects from {url}: {seen:?}")
    }

    /// Begin a sign-in and let the provider answer it: the callback URL it sends the browser
    /// to (not visited yet).
    pub async fn callback(&mut self) -> anyhow::Result<String> {
        let (_, to_provider) = self.visit("/api/v1/auth/sso/login").await?;
        let (_, back) = self.visit(&to_provider.unwrap_or_default()).await?;
        back.context("the provider sent the browser nowhere")
    }

    /// Sign in through the provider; where it landed.
    pub async fn sign_in(&mut self) -> anyhow::Result<Landing> {
        let seen = self
            .follow("/api/v1/auth/sso/login?return_to=/analytics")
            .await?;
        Ok(Landing {
            location: seen.last().cloned().unwrap_or_default(),
        })
    }

    /// A request to `prax` with this browser's cookies (and, when `csrf` is given, the
    /// header pages send it in).
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        csrf: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.server))
            .header("cookie", self.cookie_header());
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        request
    }

    /// GET `path` with this browser's cookies: status and JSON body.
    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, Value)> {
        let answer = self
            .request(reqwest::Method::GET, path, None)
            .send()
            .await?;
        let status = answer.status().as_u16();
        Ok((status, answer.json().await.unwrap_or(Value::Null)))
    }
}
