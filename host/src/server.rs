//! `prax serve`: start the runtime, load the skills, and serve HTTP until told to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::api::{self, AppState};
use crate::auth::manage::KeyError;
use crate::auth::{Auth, bootstrap, keys_from_env};
use crate::commerce::{Commerce, CommerceSetupError};
use crate::config::Config;
use crate::egress::Resolver;
use crate::environment::Environment;
use crate::http_server::{self, ConnectionLimits};
use crate::llm::Router as LlmRouter;
use crate::mail::{MailSetupError, Outbox};
use crate::metrics::Metrics;
use crate::runtime::{HostServices, Runtime, RuntimeError, RuntimeSettings};
use crate::skills::{BUILTIN_SKILLS, LiveCatalogue, Trust};
use crate::store::{AuditLog, Store, StoreError};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}; choose another with --data-dir")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The skill runtime could not start.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The audit database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The licence key is invalid, tampered or for another product: no start on it.
    #[error(
        "{0}. Remove it ([license] key_env, or the data directory's license.key) to run as the Standard tier"
    )]
    License(#[from] crate::license::LicenseError),
    /// The first admin key could not be made.
    #[error("cannot create the first admin key: {0}")]
    FirstKey(#[from] KeyError),
    /// The HTTP client for providers could not be built.
    #[error("cannot set up the LLM providers' HTTP client: {0}")]
    Llm(String),
    /// The resolver `[network]` configures could not be set up.
    #[error("cannot set up [network] nameservers: {0}")]
    Network(String),
    /// A per-installation secret could not be read or made.
    #[error(transparent)]
    Secret(#[from] crate::secret_file::SecretFileError),
    /// The trusted publishers could not be read.
    #[error("{0}")]
    Trust(String),
    /// Licence provisioning (`[commerce]`) could not be set up.
    #[error(transparent)]
    Commerce(#[from] CommerceSetupError),
    /// Single sign-on (`[sso]`) could not be set up.
    #[error("cannot set up [sso]: {0}")]
    Sso(String),
    /// The Chroma client (`[knowledge] store = "chroma"`) could not be set up.
    #[error("cannot set up [knowledge] chroma_url: {0}")]
    Chroma(crate::knowledge::vectors::VectorError),
    /// The SMTP server in `[mail]` could not be set up.
    #[error(transparent)]
    Mail(#[from] MailSetupError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}; choose another address with --bind")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The server failed while serving.
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// Build the application state: runtime and catalogue.
pub fn build_state(config: &Config) -> Result<AppState, ServeError> {
    let data_dir = &config.server.data_dir;
    std::fs::create_dir_all(data_dir).map_err(|source| ServeError::DataDir {
        path: data_dir.clone(),
        source,
    })?;
    let env = Environment::process();
    let resolver = Resolver::with_nameservers(&config.network.nameservers)
        .map_err(|e| ServeError::Network(e.to_string()))?;
    let identity = Arc::new(config.identity.clone());
    // The store and the licence first: the router asks the licence which providers it may use.
    let location = config
        .store_location(&env)
        .map_err(|e| StoreError::Database(format!("`{}` {}", e.key, e.problem)))?;
    let store = Store::open(
        &location,
        config.audit.durability,
        &tokio::runtime::Handle::current(),
    )?;
    tracing::info!(store = %location.describe(), "store opened");
    let licensing = Arc::new(crate::license::Licensing::load(
        &config.license,
        &config.server.data_dir,
        &env,
        store.license.clone(),
    )?);
    crate::license::live::log(&licensing.status());
    let metrics = Arc::new(Metrics::new());
    let llm = Arc::new(
        LlmRouter::new(
            &config.providers,
            &config.routing,
            identity.clone(),
            metrics.clone(),
            &env,
            &resolver,
        )
        .map_err(|e| ServeError::Llm(e.to_string()))?
        .with_licensing(licensing.clone()),
    );
    let mail = config
        .mail
        .as_ref()
        .map(|mail| Outbox::new(mail, &env, &resolver))
        .transpose()?
        .map(Arc::new);
    let outbox = mail.clone();
    if let Some(outbox) = &mail {
        tracing::info!(
            server = outbox.server(),
            "e-mail for skills goes through this SMTP server"
        );
        if let Some(variable) = outbox.missing_password() {
            tracing::warn!(
                variable,
                "[mail] password_env names an environment variable that is not set; skills cannot send e-mail until it is"
            );
        }
    }
    let skills = &config.skills;
    let knowledge = Arc::new(knowledge_base(
        crate::knowledge::Knowledge::new(
            store.knowledge.clone(),
            config.knowledge.clone(),
            data_dir,
            Some(llm.clone() as Arc<dyn crate::knowledge::embedder::Embedder>),
        ),
        &config.knowledge,
        &env,
    )?);
    knowledge.clone().spawn_sync();
    let services = HostServices {
        identity: identity.clone(),
        llm: Some(llm.clone()),
        mail,
        env: env.clone(),
        resolver,
        knowledge: Some(knowledge.clone()),
        licensing: Some(licensing.clone()),
        stand_in_hosts: None,
    };
    let runtime = Runtime::new(
        RuntimeSettings {
            max_concurrent: skills.max_concurrent,
            max_concurrent_per_key: skills.per_key(),
            max_concurrent_per_skill: skills.per_skill(),
            max_memory_mb: skills.max_memory_mb,
            max_timeout_ms: skills.max_timeout_ms,
            max_output_bytes: skills.max_output_bytes,
            max_emit_bytes: skills.max_emit_bytes,
            max_log_lines: skills.max_log_lines,
            cache_dir: config.cache_dir(),
            cache_key: crate::secret_file::load_or_create(&config.cache_key_path())?,
        },
        services,
    )?;
    let runtime = Arc::new(runtime);
    let catalogue = LiveCatalogue::load(
        runtime.clone(),
        BUILTIN_SKILLS,
        config.skills_dir(),
        Trust {
            keys: config
                .registry
                .trusted_keys(&env)
                .map_err(|e| ServeError::Trust(format!("`{}` {}", e.key, e.problem)))?,
            development_sources: config.registry.development_sources.clone(),
        },
        config.skills.operator_settings(),
    );
    for (name, settings) in config.skills.operator_settings() {
        for variable in settings.missing_variables(&env) {
            tracing::warn!(skill = %name, variable = %variable, "[skills.{name}] names an environment variable that is not set; the skill will see that setting as unset");
        }
        if catalogue.get(&name).is_none() {
            tracing::warn!(skill = %name, "[skills.{name}] configures a skill that is not loaded");
        }
    }
    if BUILTIN_SKILLS.is_empty() {
        tracing::warn!(
            "this binary was built without the built-in skills; build it with `make build`"
        );
    }
    let commerce = config
        .commerce
        .as_ref()
        .map(|commerce| Commerce::new(commerce, &env, store.commerce.clone(), outbox))
        .transpose()?
        .map(Arc::new);
    if commerce.is_some() {
        tracing::info!(
            "licence provisioning is on: Paddle notifications are taken at /api/v1/webhooks/paddle"
        );
    }
    let sso = config
        .sso
        .as_ref()
        .map(|sso| {
            crate::sso::Sso::new(
                sso,
                &env,
                crate::sso::SsoStores {
                    sso: store.sso.clone(),
                    keys: store.keys.clone(),
                    admin_audit: store.admin_audit.clone(),
                },
                licensing.clone(),
            )
        })
        .transpose()
        .map_err(|e| ServeError::Sso(e.to_string()))?
        .map(Arc::new);
    if let Some(sso) = &sso {
        tracing::info!(
            issuer = %sso.config().issuer,
            redirect_uri = %sso.config().redirect_uri(),
            "single sign-on is on: the web UI offers it beside API keys"
        );
    }
    let audit = store.audit;
    let auth = Auth::new(
        &config.auth,
        keys_from_env(&config.auth.api_keys_env, &env),
        store.keys,
        store.rate_limits,
        metrics.clone(),
    )?;
    Ok(AppState::from(crate::api::Services {
        runtime,
        catalogue: Arc::new(catalogue),
        identity,
        llm,
        audit,
        audit_config: Arc::new(config.audit.clone()),
        metrics,
        auth: Arc::new(auth),
        registry: Arc::new(config.registry.clone()),
        streams: crate::api::stream_limits::StreamLimits::new(config.server.max_streams_per_key),
        mcp: Arc::default(),
        licensing,
        admin_audit: store.admin_audit,
        commerce,
        sso,
        users: store.sso,
        knowledge,
        max_frame_bytes: config.server.max_body_bytes,
        started: Instant::now(),
    }))
}

/// Serve until SIGINT or SIGTERM. Prints `listening on http://ADDR` once it accepts requests.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let started = Instant::now();
    // Building the state blocks (skills compile; a PostgreSQL store is connected to and
    // migrated through calls that block on this runtime), so not on one of its workers.
    let state = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || build_state(&config))
            .await
            .map_err(|e| {
                ServeError::Store(StoreError::Database(format!("start-up task failed: {e}")))
            })??
    };
    let skills = state.catalogue.snapshot().len();
    let problems = state.catalogue.snapshot().problems().len();
    tokio::spawn(crate::skills::live::watch(
        state.catalogue.clone(),
        std::time::Duration::from_millis(config.skills.reload_interval_ms),
    ));
    let display_name = config.identity.display_name();
    tokio::spawn(purge_periodically(
        state.audit.clone(),
        config.audit.clone(),
    ));
    let auth = state.auth.clone();
    let first_key = tokio::task::spawn_blocking(move || bootstrap::first_admin_key(&auth))
        .await
        .map_err(|e| {
            ServeError::Store(StoreError::Database(format!("start-up task failed: {e}")))
        })??;
    if let Some(issued) = first_key {
        // On the console only, never in the log files: it is a secret.
        println!("{}", bootstrap::announcement(&issued));
    }
    tracing::info!(
        environment_keys = state.auth.keyring.env_count(),
        "API keys loaded; every endpoint but /healthz and the API docs needs one"
    );
    for (index, key) in state.auth.env_keys().iter().enumerate() {
        if key.chars().count() < crate::auth::secret::MIN_STRONG_KEY_CHARS {
            // The key's length only, never the key.
            tracing::warn!(
                variable = %config.auth.api_keys_env,
                "environment key #{} is only {} characters long: a short key can be guessed; replace it with one from `prax keys generate`",
                index + 1,
                key.chars().count()
            );
        }
    }
    tokio::spawn(crate::license::live::watch(
        state.licensing.clone(),
        std::time::Duration::from_millis(config.license.refresh_ms),
    ));
    tokio::spawn(crate::auth::refresh_periodically(
        state.auth.clone(),
        std::time::Duration::from_millis(config.auth.key_refresh_ms),
    ));
    if let Some(commerce) = &state.commerce {
        tokio::spawn(crate::commerce::delivery::run(commerce.clone()));
    }
    let mcp = state.mcp.clone();
    let audit = state.audit.clone();
    let app = api::router(state, &config.server);

    let addr = config.server.bind;
    let listener =
        crate::http_server::listen(addr).map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    tracing::info!(
        system = %display_name,
        %local,
        skills,
        skills_not_loaded = problems,
        startup_ms = started.elapsed().as_millis() as u64,
        "{display_name} serving"
    );
    // The one line scripts and tests wait for; stdout so it is never mixed with log noise.
    println!("listening on http://{local}");
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_millis(config.server.header_read_timeout_ms),
        max_connections: config.server.max_connections,
    };
    let shutdown = async move {
        shutdown_signal().await;
        // Notification streams never end by themselves; end them so that shutdown does not
        // wait for them.
        mcp.close();
    };
    http_server::serve(listener, app, limits, shutdown)
        .await
        .map_err(ServeError::Serve)?;
    // Stopped cleanly: leave every audit record in the database, none in the journal (what
    // a failure leaves there, the next start stores).
    audit.settle("stopping").await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Records purged per transaction, so a large purge never holds the writer for long.
const PURGE_BATCH: usize = 1_000;

/// Delete audit records past `retention_days` (and roll-ups past `rollup_retention_days`),
/// at start-up and then every `purge_interval_secs`, in small batches.
async fn purge_periodically(audit: AuditLog, config: crate::config::AuditConfig) {
    let mut interval =
        tokio::time::interval(std::time::Duration::from_secs(config.purge_interval_secs));
    loop {
        interval.tick().await;
        let cutoff = |days: u32| {
            let day =
                time::OffsetDateTime::now_utc().date() - time::Duration::days(i64::from(days));
            day.to_string()
        };
        let (records_before, rollups_before) = (
            cutoff(config.retention_days),
            cutoff(config.rollup_retention_days),
        );
        let mut purged = 0;
        loop {
            match audit
                .writer
                .purge(records_before.clone(), rollups_before.clone(), PURGE_BATCH)
                .await
            {
                Ok(0) => break,
                Ok(n) => purged += n,
                Err(error) => {
                    tracing::error!(%error, "audit purge failed");
                    break;
                }
            }
            tokio::task::yield_now().await;
        }
        if purged > 0 {
            tracing::info!(purged, before = %records_before, "old audit records purged");
        }
    }
}

/// The knowledge base with its vectors where `[knowledge] store` says.
fn knowledge_base(
    knowledge: crate::knowledge::Knowledge,
    config: &crate::config::KnowledgeConfig,
    env: &Environment,
) -> Result<crate::knowledge::Knowledge, ServeError> {
    let (crate::config::VectorStoreKind::Chroma, Some(url)) = (config.store, &config.chroma_url)
    else {
        return Ok(knowledge);
    };
    let token = env.get(CHROMA_TOKEN_VARIABLE);
    let client = crate::knowledge::chroma::ChromaClient::new(
        url,
        &config.chroma_tenant,
        &config.chroma_database,
        token,
    )
    .map_err(ServeError::Chroma)?;
    tracing::info!(chroma = %url, tenant = %config.chroma_tenant, database = %config.chroma_database,
        "passages' vectors are kept in Chroma");
    Ok(knowledge.with_chroma(client))
}

/// The environment variable that holds the Chroma server's token, if it wants one.
pub const CHROMA_TOKEN_VARIABLE: &str = "PRAX_CHROMA_TOKEN";
