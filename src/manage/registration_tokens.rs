//! Initial access tokens for `SIGIL_REGISTRATION=token`, made by
//! `sigil registration-token create`: shown once, kept as a hash with uses left and expiry.

use serde_json::json;

use super::{Actor, Audit, ManageError, Manager, audited};
use crate::secrets;
use crate::store::DbConnection;
use crate::store::registrations::{self, InitialTokenRow};

/// An initial access token just made: its id and the token (shown once).
pub struct InitialToken {
    /// Its id, as audit rows name it.
    pub id: String,
    /// The token.
    pub token: String,
    /// Registrations it allows; `None` for no limit.
    pub uses: Option<i32>,
    /// When it expires, UTC Unix seconds; `None` for never.
    pub expires_at: Option<i64>,
}

/// Makes an initial access token allowing `uses` registrations (no limit when `None`) until
/// `expires_in` seconds from `now` (never when `None`), and records
/// `registration_token.create` — the token itself is kept only as a hash.
pub fn create_initial_token(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    uses: Option<u32>,
    expires_in: Option<u64>,
) -> Result<InitialToken, ManageError> {
    let uses = uses
        .map(|n| match i32::try_from(n) {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(ManageError::invalid_request(
                "uses",
                "--uses must be between 1 and 2147483647".to_owned(),
            )),
        })
        .transpose()?;
    let expires_at = expires_in
        .map(|s| match i64::try_from(s) {
            Ok(s) if (1..=315_360_000).contains(&s) => Ok(now + s),
            _ => Err(ManageError::invalid_request(
                "expires_in",
                "--expires-in must be between 1 and 315360000 seconds".to_owned(),
            )),
        })
        .transpose()?;
    let token = secrets::random_token(32);
    let row = InitialTokenRow {
        id: uuid::Uuid::new_v4().to_string(),
        token_hash: secrets::digest(&token),
        uses_left: uses,
        expires_at,
        created_at: now,
    };
    audited(conn, actor, now, |conn| {
        registrations::create_initial(conn, &row)?;
        let audit = Audit::new("registration_token.create", &row.id)
            .detail(json!({"uses": uses, "expires_at": expires_at}));
        Ok((
            InitialToken {
                id: row.id.clone(),
                token,
                uses,
                expires_at,
            },
            audit,
        ))
    })
}

impl Manager {
    /// Makes an initial access token (see [`create_initial_token`]).
    pub async fn create_registration_token(
        &self,
        actor: &Actor,
        uses: Option<u32>,
        expires_in: Option<u64>,
    ) -> Result<InitialToken, ManageError> {
        let (actor, now) = (actor.clone(), self.now());
        self.run(move |c| create_initial_token(c, &actor, now, uses, expires_in))
            .await
    }
}
