//! The first start: with no key anywhere, nobody could use the server, so it makes an admin
//! key and prints it once.

use super::Auth;
use super::manage::{self, IssuedKey, KeyError, NewKey};
use super::role::Role;

/// If no key exists at all (environment or store, revoked ones included), make an admin key
/// and return it; otherwise `None`.
pub fn first_admin_key(auth: &Auth) -> Result<Option<IssuedKey>, KeyError> {
    if !auth.keyring.is_empty() {
        return Ok(None);
    }
    let issued = manage::issue(
        auth.keyring.store().as_ref(),
        &NewKey {
            name: "initial admin".into(),
            role: Role::Admin,
            expires_in_days: None,
            rate_limit_per_minute: None,
            skills: None,
            routes: None,
        },
    )?;
    auth.keyring.reload()?;
    Ok(Some(issued))
}

/// The console message that shows the first key, once.
pub fn announcement(issued: &IssuedKey) -> String {
    format!(
        "\nNo API key existed, so an admin key was created. It is shown only this once; keep it safe:\n\n    {}\n\n\
         Send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`. Make more with\n\
         `prax keys create --name NAME --role admin|operator|user` (or POST /api/v1/keys),\n\
         and revoke this one with `prax keys revoke {}` once you have your own.\n",
        issued.key, issued.info.id
    )
}
