//! Back-channel logout (OIDC Back-Channel Logout 1.0 §2.5): one signed logout token per client
//! of an ended session, delivered by [`crate::outbound::Notifier`].

use crate::issue::logout_token::{self, LogoutTokenInput};
use crate::jose::{KeySet, SigningAlg};
use crate::outbound::Notice;
use crate::registry::Client;
use crate::signout::EndedSession;

/// The notices for every client of the ended sessions that registered a back-channel URI.
pub fn notices(keys: &KeySet, issuer: &str, ended: &[EndedSession], now: i64) -> Vec<Notice> {
    ended
        .iter()
        .flat_map(|session| {
            session
                .clients
                .iter()
                .filter_map(move |client| notice(keys, issuer, client, session, now))
        })
        .collect()
}

fn notice(
    keys: &KeySet,
    issuer: &str,
    client: &Client,
    session: &EndedSession,
    now: i64,
) -> Option<Notice> {
    let uri = client.metadata.backchannel_logout_uri.clone()?;
    // Registration admits only algorithms sigil signs with; anything else fails closed.
    let alg = match client.metadata.id_token_signed_response_alg.as_deref() {
        None => SigningAlg::RS256,
        Some(name) => match SigningAlg::parse(name) {
            Some(alg) => alg,
            None => {
                tracing::error!(client_id = %client.client_id, "the client's id_token_signed_response_alg is not supported; no logout token");
                return None;
            }
        },
    };
    let minted = logout_token::mint(
        keys,
        LogoutTokenInput {
            issuer,
            client_id: &client.client_id,
            sub: &session.user_id,
            sid: &session.sid,
            alg,
            now,
        },
    );
    match minted {
        Ok(logout_token) => Some(Notice {
            client_id: client.client_id.clone(),
            uri,
            logout_token,
        }),
        Err(error) => {
            tracing::error!(client_id = %client.client_id, %error, "logout token could not be signed");
            None
        }
    }
}
