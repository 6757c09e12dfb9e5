//! The `sigil_token_exchange` policy (INTERFACE.md, "Token exchange"): which RFC 8693
//! exchanges a client may make. It is client metadata an administrator sets (CLI, admin API);
//! a client registering itself gets none.

use serde::Serialize;
use serde_json::Value;

use super::fields::{Fields, invalid, kind};
use super::types::GrantType;
use crate::domain::metadata_error::{MetadataError, quoted};

/// Longest lifetime an exchanged token may be given, in seconds.
pub const MAX_EXCHANGE_LIFETIME: u64 = 86_400;

/// Most subject audiences one policy may name.
const MAX_AUDIENCES: usize = 50;

/// Longest subject audience, in characters.
const MAX_AUDIENCE_CHARS: usize = 2000;

const MEMBERS: [&str; 4] = [
    "subject_audiences",
    "delegation",
    "impersonation",
    "max_lifetime",
];

/// What token exchanges a client may make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenExchangePolicy {
    /// Besides its own client_id, the `aud` values of subject tokens it may exchange.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subject_audiences: Vec<String>,
    /// Whether it may exchange with an `actor_token` (delegation, `act`).
    pub delegation: bool,
    /// Whether it may ask for a token for a user with `requested_subject`.
    pub impersonation: bool,
    /// The longest lifetime of a token it obtains by exchange, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_lifetime: Option<u64>,
}

/// Parses the `sigil_token_exchange` member; the client's `grant_types` must include the
/// token-exchange grant.
pub(super) fn parse(
    value: Value,
    grants: &[GrantType],
) -> Result<TokenExchangePolicy, MetadataError> {
    let Value::Object(members) = value else {
        return Err(invalid(format!(
            "sigil_token_exchange must be an object, not {}",
            kind(&value)
        )));
    };
    if !grants.contains(&GrantType::TokenExchange) {
        return Err(invalid(format!(
            "sigil_token_exchange requires grant_types to include {}",
            GrantType::TokenExchange.as_str()
        )));
    }
    if let Some(unknown) = members.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
        return Err(invalid(format!(
            "sigil_token_exchange has an unknown member {} (known: {})",
            quoted(unknown),
            MEMBERS.join(", ")
        )));
    }
    let mut f = Fields::new(members);
    // The members' own type errors name them inside the policy.
    let within = |mut e: MetadataError| {
        e.description = format!("sigil_token_exchange.{}", e.description);
        e
    };
    let mut subject_audiences = Vec::new();
    let audiences = f.strings("subject_audiences").map_err(within)?;
    for (i, aud) in audiences.unwrap_or_default().into_iter().enumerate() {
        if aud.is_empty()
            || aud.chars().count() > MAX_AUDIENCE_CHARS
            || aud.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid(format!(
                "sigil_token_exchange.subject_audiences[{i}] must be 1 to {MAX_AUDIENCE_CHARS} \
                 characters without spaces or control characters"
            )));
        }
        if !subject_audiences.contains(&aud) {
            subject_audiences.push(aud);
        }
    }
    if subject_audiences.len() > MAX_AUDIENCES {
        return Err(invalid(format!(
            "sigil_token_exchange.subject_audiences may name at most {MAX_AUDIENCES} audiences"
        )));
    }
    let delegation = f.bool("delegation").map_err(within)?;
    let impersonation = f.bool("impersonation").map_err(within)?;
    let max_lifetime = f.seconds("max_lifetime").map_err(within)?;
    if max_lifetime.is_some_and(|s| !(1..=MAX_EXCHANGE_LIFETIME).contains(&s)) {
        return Err(invalid(format!(
            "sigil_token_exchange.max_lifetime must be between 1 and {MAX_EXCHANGE_LIFETIME} seconds"
        )));
    }
    Ok(TokenExchangePolicy {
        subject_audiences,
        delegation,
        impersonation,
        max_lifetime,
    })
}
