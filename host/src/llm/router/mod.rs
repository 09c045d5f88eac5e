//! The model router: a route (task type) names providers in order; each is tried in turn,
//! with one retry for a transient failure, `Retry-After` honoured up to a cap, and a circuit
//! breaker that skips a provider that keeps failing. Every attempt is recorded.

mod embedding;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::circuit::{Admission, Health, HealthSnapshot};
use super::client::{Embeddings, Endpoint, LlmProvider, StreamEvent};
use super::provider::{Ask, Completion, CompletionRequest, ProviderError};
use super::provider_config::{ProviderConfig, ProviderKind};
use super::provider_gate::ProviderGate;
use super::route_outcome::describe;
pub use super::route_outcome::{Attempt, RouteError, Routed};
use super::routed_stream::{self, Guard, RoutedStream, Started};
use super::routing_config::{DEFAULT_ROUTE, RouteEntry, RoutingConfig, SUMMARY_ROUTE};
use super::{native, persona};
use crate::egress::{AddressPolicy, CheckedResolve, Resolver};
use crate::environment::Environment;
use crate::identity::Identity;
use crate::metrics::{AttemptLabels, Metrics, ProviderLabels};

/// What counts as a provider's answer: a whole completion, or a stream's first token.
#[derive(Debug, Clone, Copy)]
enum Mode<'a> {
    Whole,
    Stream,
    /// Embed these inputs, with each provider's `embedding_model`, or with the model named
    /// (one a collection was built with, which the providers may still serve after the
    /// configuration moved on).
    Embed(&'a [String], Option<&'a str>),
}

/// A provider's answer, as [`Mode`] asked for it.
enum Answer {
    Whole(Completion),
    Started(Started),
    Embedded(Embeddings),
}

/// A configured provider, its resolved endpoint and secret, its client, and its health.
struct Provider {
    config: ProviderConfig,
    /// The base URL, or why there is none.
    base_url: Result<String, String>,
    /// The API key (`None` when the provider needs none), or why it is missing.
    api_key: Result<Option<String>, String>,
    /// The native client, when base URL and key are both there.
    client: Option<Arc<dyn LlmProvider>>,
    health: Arc<Mutex<Health>>,
}

/// A provider as `/api/v1/providers` shows it: configuration without secrets, and health.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderStatus {
    /// Unique name.
    pub name: String,
    /// API spoken.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: ProviderKind,
    /// Default model.
    pub model: String,
    /// Base URL in use (credentials in it are masked), if resolved.
    #[schema(required = true)]
    pub base_url: Option<String>,
    /// Variable holding the base URL, if any.
    #[schema(required = true)]
    pub base_url_env: Option<String>,
    /// Variable holding the key, if any (never the key).
    #[schema(required = true)]
    pub api_key_env: Option<String>,
    /// Per-attempt timeout, ms.
    pub timeout_ms: u64,
    /// Enabled in the configuration.
    pub enabled: bool,
    /// Order among providers.
    pub priority: i32,
    /// Usable now: enabled and its variables set.
    pub available: bool,
    /// Why it is not usable, if it is not.
    #[schema(required = true)]
    pub unavailable_reason: Option<String>,
    /// Breaker and recent outcomes.
    pub health: HealthSnapshot,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("routes", &self.routes())
            .finish_non_exhaustive()
    }
}

/// The router.
pub struct Router {
    providers: Vec<Provider>,
    routes: BTreeMap<String, Vec<(usize, Option<String>)>>,
    settings: RoutingConfig,
    identity: Arc<Identity>,
    metrics: Arc<Metrics>,
    gate: ProviderGate,
}

/// An attempt's outcome when the licence does not allow its provider.
const NOT_LICENSED: &str = "not_licensed";

impl Router {
    /// Build the router from the configuration, reading provider variables from the
    /// environment now. A provider whose variable is unset stays listed and is skipped.
    pub fn new(
        providers: &[ProviderConfig],
        routing: &RoutingConfig,
        identity: Arc<Identity>,
        metrics: Arc<Metrics>,
        env: &Environment,
        resolver: &Resolver,
    ) -> Result<Self, reqwest::Error> {
        // One crypto library for TLS, ring, the one wasmtime's stack already uses. Installing
        // fails only if a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cooldown = Duration::from_millis(routing.circuit_cooldown_ms);
        let providers: Vec<Provider> = providers
            .iter()
            .map(|config| -> Result<Provider, reqwest::Error> {
                let base_url = resolve_base_url(config, env);
                let api_key = resolve_api_key(config, env);
                let client = match (&base_url, &api_key) {
                    (Ok(base_url), Ok(api_key)) => Some(native::for_config(
                        config,
                        Endpoint {
                            http: http_client(config, base_url, resolver)?,
                            base_url: base_url.clone(),
                            api_key: api_key.clone(),
                            timeout: Duration::from_millis(config.timeout_ms),
                        },
                    )),
                    _ => None,
                };
                Ok(Provider {
                    base_url,
                    api_key,
                    client,
                    health: Arc::new(Mutex::new(Health::new(routing.circuit_failures, cooldown))),
                    config: config.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        let index = |name: &str| providers.iter().position(|p| p.config.name == name);
        let mut routes: BTreeMap<String, Vec<(usize, Option<String>)>> = routing
            .rules
            .iter()
            .map(|(route, entries)| {
                let steps = entries
                    .iter()
                    .filter_map(|e: &RouteEntry| {
                        index(e.provider()).map(|i| (i, e.model().map(str::to_owned)))
                    })
                    .collect();
                (route.clone(), steps)
            })
            .collect();
        let mut by_priority: Vec<usize> = (0..providers.len())
            .filter(|&i| providers[i].config.enabled)
            .collect();
        by_priority.sort_by_key(|&i| providers[i].config.priority);
        for route in [DEFAULT_ROUTE, SUMMARY_ROUTE] {
            routes
                .entry(route.to_owned())
                .or_insert_with(|| by_priority.iter().map(|&i| (i, None)).collect());
        }
        for p in &providers {
            if let Some(reason) = unavailable_reason(p) {
                tracing::warn!(provider = %p.config.name, "provider unavailable: {reason}");
            }
        }
        Ok(Self {
            providers,
            routes,
            settings: routing.clone(),
            identity,
            metrics,
            gate: ProviderGate::default(),
        })
    }

    /// Let the licence in `licensing` decide which external providers may be used.
    pub fn with_licensing(mut self, licensing: Arc<crate::license::Licensing>) -> Self {
        let providers: Vec<_> = self
            .providers
            .iter()
            .map(|p| (&p.config, p.base_url.as_deref().ok()))
            .collect();
        self.gate = ProviderGate::new(licensing, &providers);
        for (index, provider) in self.providers.iter().enumerate() {
            if let Some(locked) = self.gate.locked(index) {
                tracing::warn!(provider = %provider.config.name, "this external provider is skipped while the licence does not allow it: {locked}");
            }
        }
        self
    }

    /// Whether `task_type` is a route.
    pub fn has_route(&self, task_type: &str) -> bool {
        self.routes.contains_key(task_type)
    }

    /// `provider/model` pins one provider (and asks it for that model), bypassing the routing
    /// rules: the provider's index and the model, if `name` has that form and the provider
    /// exists.
    pub fn pinned(&self, name: &str) -> Option<(usize, String)> {
        let (provider, model) = name.split_once('/')?;
        if model.is_empty() {
            return None;
        }
        let index = self
            .providers
            .iter()
            .position(|p| p.config.name == provider)?;
        Some((index, model.to_owned()))
    }

    /// Every `provider/model` that [`Router::pinned`] accepts with each provider's own model.
    pub fn pinnable(&self) -> Vec<String> {
        self.providers
            .iter()
            .filter(|p| p.config.enabled)
            .map(|p| format!("{}/{}", p.config.name, p.config.model))
            .collect()
    }

    /// Complete through `route`, or the default route if it has no rule.
    pub async fn complete(&self, route: &str, ask: Ask) -> Result<Routed, RouteError> {
        let request = self.request(ask);
        let (answer, provider, attempts) = self.run(route, &request, Mode::Whole).await?;
        match answer {
            Answer::Whole(completion) => Ok(Routed {
                completion,
                provider: provider.config.name.clone(),
                attempts,
            }),
            Answer::Started(_) | Answer::Embedded(_) => Err(RouteError::Unavailable {
                route: route.to_owned(),
                attempts,
            }),
        }
    }

    /// Stream through `route`, or the default route if it has no rule. Providers are tried in
    /// order until one produces its first token; from then on the stream is that provider's,
    /// and it ends with `Done` or an error (see `routed_stream`).
    pub async fn stream(&self, route: &str, ask: Ask) -> Result<RoutedStream, RouteError> {
        let request = self.request(ask);
        let (answer, provider, attempts) = self.run(route, &request, Mode::Stream).await?;
        let model = attempts
            .last()
            .map(|a| a.model.clone())
            .unwrap_or_else(|| provider.config.model.clone());
        let events = match answer {
            Answer::Started(started) => routed_stream::guard(
                started,
                Guard {
                    stall: Duration::from_millis(provider.config.stall_timeout_ms),
                    health: provider.health.clone(),
                    secret: provider.api_key.clone().ok().flatten(),
                },
            ),
            Answer::Embedded(_) => Box::pin(futures_util::stream::iter([Err(
                ProviderError::Unsupported("a stream of embeddings".into()),
            )])),
            Answer::Whole(completion) => Box::pin(futures_util::stream::iter([
                Ok(StreamEvent::Delta(completion.text.clone())),
                Ok(StreamEvent::Done(completion)),
            ])),
        };
        Ok(RoutedStream {
            provider: provider.config.name.clone(),
            model,
            attempts,
            events,
        })
    }

    /// The request every provider of a route is sent: the persona's system prompt first.
    fn request(&self, ask: Ask) -> CompletionRequest {
        CompletionRequest {
            system: persona::system_prompt(&self.identity, ask.system.as_deref()),
            history: ask.history,
            prompt: ask.prompt,
            max_tokens: ask.max_tokens,
            temperature: ask.temperature,
            stop: ask.stop,
        }
    }

    /// Try `route`'s providers in order until one answers (`mode` says what answering is).
    async fn run(
        &self,
        route: &str,
        request: &CompletionRequest,
        mode: Mode<'_>,
    ) -> Result<(Answer, &Provider, Vec<Attempt>), RouteError> {
        let pinned;
        let (route, steps) = match (self.routes.get_key_value(route), self.pinned(route)) {
            (Some((name, steps)), _) => (name.as_str(), steps.as_slice()),
            (None, Some((index, model))) => {
                pinned = [(index, Some(model))];
                (route, &pinned[..])
            }
            (None, None) => (
                DEFAULT_ROUTE,
                self.routes
                    .get(DEFAULT_ROUTE)
                    .map_or(&[][..], Vec::as_slice),
            ),
        };
        if steps.is_empty() {
            return Err(RouteError::NoProviders(route.to_owned()));
        }
        let mut attempts = Vec::new();
        // Vectors of different models do not compare: embeddings fail over only among the
        // route's providers with the first one's embedding model.
        let configured = |model: &str| {
            steps
                .iter()
                .any(|(i, _)| self.providers[*i].config.embedding_model.as_deref() == Some(model))
        };
        let (family, by_name) = match mode {
            Mode::Embed(_, Some(model)) => (Some(model), !configured(model)),
            Mode::Embed(_, None) => (
                steps
                    .iter()
                    .find_map(|(i, _)| self.providers[*i].config.embedding_model.as_deref()),
                false,
            ),
            _ => (None, false),
        };
        let mut locked = None;
        for (index, model) in steps {
            let provider = &self.providers[*index];
            let model = match mode {
                Mode::Embed(..) => match (provider.config.embedding_model.as_deref(), family) {
                    (Some(embedding), Some(family)) if embedding == family => embedding,
                    (Some(_), Some(family)) if by_name => family,
                    _ => continue,
                },
                _ => model.as_deref().unwrap_or(&provider.config.model),
            };
            if let Some(refusal) = self.gate.locked(*index) {
                attempts.push(Attempt {
                    provider: provider.config.name.clone(),
                    model: model.to_owned(),
                    outcome: NOT_LICENSED.into(),
                    error: Some(refusal.to_string()),
                    duration_ms: 0,
                });
                locked = Some(refusal);
                continue;
            }
            let before = attempts.len();
            let outcome = self
                .try_provider(provider, model, request, mode, &mut attempts)
                .await;
            for attempt in &attempts[before..] {
                self.metrics
                    .attempts
                    .get_or_create(&AttemptLabels {
                        provider: attempt.provider.clone(),
                        outcome: attempt.outcome.clone(),
                    })
                    .inc();
            }
            if outcome.is_none() {
                self.metrics
                    .failovers
                    .get_or_create(&ProviderLabels {
                        provider: provider.config.name.clone(),
                    })
                    .inc();
            }
            match outcome {
                Some(Ok(answer)) => return Ok((answer, provider, attempts)),
                Some(Err(message)) => {
                    return Err(RouteError::Refused {
                        provider: provider.config.name.clone(),
                        message,
                        attempts,
                    });
                }
                None => {}
            }
        }
        if let Some(locked) = locked
            && attempts.iter().all(|a| a.outcome == NOT_LICENSED)
        {
            return Err(RouteError::NotLicensed {
                route: route.to_owned(),
                locked,
                attempts,
            });
        }
        tracing::warn!(route, attempts = %describe(&attempts), "every provider failed");
        Err(RouteError::Unavailable {
            route: route.to_owned(),
            attempts,
        })
    }

    /// Try one provider, retrying once where that can help. `None` means "fail over";
    /// `Some(Err)` means the content was refused and the route stops.
    async fn try_provider(
        &self,
        provider: &Provider,
        model: &str,
        request: &CompletionRequest,
        mode: Mode<'_>,
        attempts: &mut Vec<Attempt>,
    ) -> Option<Result<Answer, String>> {
        let name = &provider.config.name;
        let skipped = |why: String| Attempt {
            provider: name.clone(),
            model: model.to_owned(),
            outcome: "skipped".into(),
            error: Some(why),
            duration_ms: 0,
        };
        if let Some(reason) = unavailable_reason(provider) {
            attempts.push(skipped(reason));
            return None;
        }
        let admission = { lock(&provider.health).admit(Instant::now()) };
        if let Admission::Skip(remaining) = admission {
            attempts.push(skipped(format!(
                "circuit open after repeated failures; next probe in {} ms",
                remaining.as_millis()
            )));
            return None;
        }
        for try_number in 1..=2 {
            let started = Instant::now();
            let result = self.call(provider, model, request, mode).await;
            let elapsed = started.elapsed();
            let mut attempt = Attempt {
                provider: name.clone(),
                model: model.to_owned(),
                outcome: "ok".into(),
                error: None,
                duration_ms: elapsed.as_millis() as u64,
            };
            let error = match result {
                Ok(answer) => {
                    {
                        lock(&provider.health).success(elapsed);
                    }
                    attempts.push(attempt);
                    return Some(Ok(answer));
                }
                Err(error) => error,
            };
            attempt.outcome = error.kind().into();
            attempt.error = Some(error.to_string());
            attempts.push(attempt);
            tracing::info!(provider = %name, model, try_number, error = %error, "provider attempt failed");
            {
                let mut health = lock(&provider.health);
                if error.counts_against_provider() {
                    health.failure(elapsed, error.to_string(), Instant::now());
                } else {
                    health.neutral(elapsed);
                }
            }
            let pause = match &error {
                ProviderError::ContentFiltered(message) => return Some(Err(message.clone())),
                ProviderError::Server { .. } if try_number == 1 => {
                    Duration::from_millis(self.settings.retry_backoff_ms)
                }
                ProviderError::RateLimited {
                    retry_after: Some(wait),
                } if try_number == 1
                    && *wait <= Duration::from_millis(self.settings.retry_after_cap_ms) =>
                {
                    *wait
                }
                _ => return None,
            };
            // A retry is pointless once the circuit has opened on this very failure.
            let admission = { lock(&provider.health).admit(Instant::now()) };
            if matches!(admission, Admission::Skip(_)) {
                return None;
            }
            tokio::time::sleep(pause).await;
        }
        None
    }

    async fn call(
        &self,
        provider: &Provider,
        model: &str,
        request: &CompletionRequest,
        mode: Mode<'_>,
    ) -> Result<Answer, ProviderError> {
        let Some(client) = &provider.client else {
            let reason = unavailable_reason(provider).unwrap_or_default();
            return Err(ProviderError::Unconfigured(reason));
        };
        let result = match mode {
            Mode::Whole => client.complete(model, request).await.map(Answer::Whole),
            Mode::Stream => {
                let deadline = Duration::from_millis(provider.config.first_token_timeout_ms);
                routed_stream::start(client.as_ref(), model, request, deadline)
                    .await
                    .map(Answer::Started)
            }
            Mode::Embed(inputs, _) => client.embed(model, inputs).await.map(Answer::Embedded),
        };
        match &provider.api_key {
            Ok(Some(key)) => result.map_err(|e| e.redact(key)),
            _ => result,
        }
    }

    /// Every provider's configuration (no secrets) and health.
    pub fn statuses(&self) -> Vec<ProviderStatus> {
        let now = Instant::now();
        self.providers
            .iter()
            .enumerate()
            .map(|(index, p)| {
                let reason = unavailable_reason(p)
                    .or_else(|| self.gate.locked(index).map(|locked| locked.to_string()));
                ProviderStatus {
                    name: p.config.name.clone(),
                    kind: p.config.kind,
                    model: p.config.model.clone(),
                    base_url: p.base_url.as_deref().ok().map(mask_userinfo),
                    base_url_env: p.config.base_url_env.clone(),
                    api_key_env: p.config.api_key_env.clone(),
                    timeout_ms: p.config.timeout_ms,
                    enabled: p.config.enabled,
                    priority: p.config.priority,
                    available: reason.is_none(),
                    unavailable_reason: reason,
                    health: lock(&p.health).snapshot(now),
                }
            })
            .collect()
    }

    /// The routes and their providers, in order.
    pub fn routes(&self) -> BTreeMap<String, Vec<String>> {
        self.routes
            .iter()
            .map(|(route, steps)| {
                let names = steps
                    .iter()
                    .map(|(i, _)| self.providers[*i].config.name.clone())
                    .collect();
                (route.clone(), names)
            })
            .collect()
    }
}

/// Poisoning only follows a panic while holding the lock; the health data stays usable.
fn lock(health: &Mutex<Health>) -> std::sync::MutexGuard<'_, Health> {
    health
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn unavailable_reason(provider: &Provider) -> Option<String> {
    if !provider.config.enabled {
        return Some("disabled in the configuration".into());
    }
    if let Err(reason) = &provider.base_url {
        return Some(reason.clone());
    }
    provider.api_key.as_ref().err().cloned()
}

/// The HTTP client for one provider: its own pool, reaching the base URL's host only at an
/// address its policy allows, and following no redirect (an API answers where it was asked;
/// a redirect could lead to an address no check has seen).
fn http_client(
    config: &ProviderConfig,
    base_url: &str,
    resolver: &Resolver,
) -> Result<reqwest::Client, reqwest::Error> {
    let host = reqwest::Url::parse(base_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let policy = AddressPolicy::for_configured_host(&host, &config.allow_cidrs);
    let setting = format!("the [[providers]] entry `{}`", config.name);
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(CheckedResolve::new(
            resolver.clone(),
            policy,
            &setting,
            Duration::from_millis(config.timeout_ms),
        )))
        .build()
}

fn resolve_base_url(config: &ProviderConfig, env: &Environment) -> Result<String, String> {
    if let Some(variable) = &config.base_url_env {
        return env
            .non_blank(variable)
            .ok_or_else(|| format!("environment variable {variable} (its base URL) is not set"));
    }
    Ok(config
        .base_url
        .clone()
        .unwrap_or_else(|| native::default_base_url(config.kind).to_owned()))
}

fn resolve_api_key(config: &ProviderConfig, env: &Environment) -> Result<Option<String>, String> {
    match &config.api_key_env {
        None => Ok(None),
        Some(variable) => env
            .non_blank(variable)
            .map(Some)
            .ok_or_else(|| format!("environment variable {variable} (its API key) is not set")),
    }
}

/// `http://user:pass@host/` → `http://***@host/`.
fn mask_userinfo(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at))
            if at > scheme_end && !url[scheme_end + 3..at].contains('/') =>
        {
            format!("{}***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_in_urls_are_masked() {
        assert_eq!(
            super::mask_userinfo("http://u:p@host:1/v1"),
            "http://***@host:1/v1"
        );
        assert_eq!(super::mask_userinfo("http://host/a@b"), "http://host/a@b");
    }
}
