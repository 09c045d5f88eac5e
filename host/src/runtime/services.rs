//! The host's services that capabilities hand out, given to the runtime once at start-up.

use std::sync::Arc;

use crate::egress::Resolver;
use crate::environment::Environment;
use crate::identity::Identity;
use crate::llm::Router;
use crate::mail::Outbox;

/// The host's services that capabilities hand out: given to the runtime once, at start-up.
#[derive(Clone, Debug)]
pub struct HostServices {
    /// The system identity (the `context` import).
    pub identity: Arc<Identity>,
    /// The LLM router (the `llm` import), if the host has one.
    pub llm: Option<Arc<Router>>,
    /// The operator's SMTP server (the `mail` import), if `[mail]` configures one.
    pub mail: Option<Arc<Outbox>>,
    /// Where `{ env = "VAR" }` settings are read.
    pub env: Environment,
    /// Resolves the names skills connect to.
    pub resolver: Resolver,
    /// The knowledge base (the `knowledge` import), if the host has one.
    pub knowledge: Option<Arc<crate::knowledge::Knowledge>>,
    /// The licence in force, which gates the `knowledge` import; none: not gated (checking
    /// skills offline).
    pub licensing: Option<Arc<crate::license::Licensing>>,
    /// `prax skill test`: every request a skill is allowed to make goes to this local server
    /// instead, over plain HTTP (the request's `Host` says which host it was for). Never set
    /// by the server.
    pub stand_in_hosts: Option<std::net::SocketAddr>,
}

impl HostServices {
    /// No router and no mail server, the default identity: for checking skills offline.
    pub fn offline() -> Self {
        Self {
            identity: Arc::new(Identity::default()),
            llm: None,
            mail: None,
            env: Environment::process(),
            resolver: Resolver::system(),
            knowledge: None,
            licensing: None,
            stand_in_hosts: None,
        }
    }
}
