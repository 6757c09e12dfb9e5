//! Redeeming an authorization code, in one transaction: spend the code, check it, read its
//! user, decide what the tokens are for, and record what is issued. A failed check still
//! spends the code, so a guessed verifier gets one try.

use crate::domain::grant::Grant;

use super::codes::{self, CodeRow, Issued, Redemption};
use super::refresh_tokens::{self, AccessRecord, FamilyRow, TokenRow};
use super::users::UserRow;
use super::{DbConnection, StoreError, session_clients, sessions, transaction, users};

/// What a redemption checks the code against, and what it records when the code is good.
#[derive(Debug, Clone)]
pub struct CodeCheck {
    /// SHA-256 of the presented code.
    pub code_hash: String,
    /// The authenticated client.
    pub client_id: String,
    /// The presented `redirect_uri`.
    pub redirect_uri: String,
    /// The presented PKCE verifier.
    pub code_verifier: String,
    /// The access token (and family) about to be issued, recorded on the code for reuse.
    pub issued: Issued,
    /// Now.
    pub now: i64,
    /// A session counts as idle when `last_seen` is at or before this.
    pub idle_after: i64,
}

/// What a redemption came to.
#[derive(Debug)]
pub enum Redeemed<T, E> {
    /// Spent now, checked, aimed, recorded.
    Done {
        /// The grant the code carried.
        grant: Box<Grant>,
        /// Its user.
        user: Box<UserRow>,
        /// The user's roles.
        roles: Vec<String>,
        /// What the aim decided.
        aimed: T,
    },
    /// Spent now and good, but the aim refused it: no family was started and the session
    /// records no client (the code keeps the ids it was spent for, so a reuse still revokes).
    Refused(E),
    /// Unknown, expired, another client's, or failing the redirect URI or PKCE check.
    Invalid,
    /// Spent before: the row says what its first use issued.
    Reused(Box<CodeRow>),
}

/// The rows of a refresh-token family to start, from the grant and the user's generation.
pub type FamilyRows<'a> = &'a dyn Fn(&Grant, i64) -> Result<(FamilyRow, TokenRow), StoreError>;

/// Redeems a code in one transaction. `aim` decides, from the grant, what the tokens are for
/// (it may read the database); `family` gives the rows of the refresh-token family to start,
/// from the grant and the user's token generation, when one is issued.
pub fn redeem<T, E>(
    conn: &mut DbConnection,
    check: &CodeCheck,
    aim: impl FnOnce(&mut DbConnection, &Grant) -> Result<Result<T, E>, StoreError>,
    family: Option<FamilyRows<'_>>,
) -> Result<Redeemed<T, E>, StoreError> {
    transaction(conn, |c| {
        let now = check.now;
        let row = match codes::redeem(c, &check.code_hash, &check.client_id, now, &check.issued)? {
            Redemption::Redeemed(row) => row,
            Redemption::Invalid => return Ok(Redeemed::Invalid),
            Redemption::Reused(row) => return Ok(Redeemed::Reused(Box::new(row))),
        };
        let grant: Grant = serde_json::from_str(&row.grant_data)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if grant.redirect_uri != check.redirect_uri
            || !grant.code_challenge.verify(&check.code_verifier)
        {
            return Ok(Redeemed::Invalid);
        }
        // A code dies with the session it was issued in (sign-out, sign-out everywhere, expiry).
        let Some(user) =
            sessions::user_while_live(c, &grant.user_id, &grant.sid, now, check.idle_after)?
        else {
            return Ok(Redeemed::Invalid);
        };
        let aimed = match aim(c, &grant)? {
            Ok(aimed) => aimed,
            Err(refusal) => return Ok(Redeemed::Refused(refusal)),
        };
        let roles = users::roles(c, &user.id)?;
        session_clients::record(c, &grant.sid, &check.client_id, now)?;
        if let Some(family) = family {
            let (family, token) = family(&grant, user.token_generation)?;
            let access = AccessRecord {
                jti: &check.issued.jti,
                exp: check.issued.exp,
            };
            refresh_tokens::create(c, &family, &token, access)?;
        }
        Ok(Redeemed::Done {
            grant: Box::new(grant),
            user: Box::new(user),
            roles,
            aimed,
        })
    })
}
