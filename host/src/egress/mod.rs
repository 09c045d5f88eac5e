//! Outbound connections by resolved address, for every part of the host that connects out:
//! skills' `wasi:http`, the LLM providers and the SMTP server.
//!
//! A name can resolve to this machine, the private network or a cloud metadata service, and a
//! resolver can answer one address when a name is checked and another when it is used (DNS
//! rebinding). So names are resolved once, here, each address is classified
//! ([`address`]), and the connection goes to an address that passed. Which resolver answers is
//! the operator's choice ([`resolver`]): the system's, or the name servers `[network]` lists.

pub mod address;
pub mod checked_resolve;
pub mod resolver;

pub use address::{AddressPolicy, Refused, forbidden_class};
pub use checked_resolve::CheckedResolve;
pub use resolver::{LookupError, Resolver};
