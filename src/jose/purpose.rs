//! What each JWT sigil signs is for, and verification of sigil's own tokens by kind.
//!
//! Every acceptor of a sigil-signed JWT names the one kind it takes; a token of any other kind
//! is refused even though its signature verifies. Access, logout and introspection tokens say
//! what they are in `typ`. ID tokens and signed userinfo answers carry `typ: JWT`, as relying
//! parties' libraries expect for both, and are told apart by their claims: an ID token always
//! has `exp`, `iat` and `auth_time`; a userinfo answer never has `exp` or `auth_time`; neither
//! has a member that marks another kind.

use super::decrypt::{Accept, decrypt, is_jwe, open_own};
use serde_json::{Map, Value};

use super::KeySet;
use super::policy::Policy;
use super::verify::{Decoded, VerifyError, verify};

/// A kind of JWT that sigil signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An OIDC ID token.
    IdToken,
    /// An RFC 9068 access token.
    AccessToken,
    /// An OIDC Back-Channel Logout token.
    LogoutToken,
    /// A signed userinfo answer (OIDC Core §5.3.2).
    UserInfo,
    /// A signed introspection answer (RFC 9701).
    Introspection,
}

/// Members whose presence marks a token as something other than an ID token or userinfo.
const FOREIGN_MEMBERS: [&str; 5] = [
    "events",
    "scope",
    "client_id",
    "token_introspection",
    "active",
];

impl TokenKind {
    /// Every kind.
    pub const ALL: [TokenKind; 5] = [
        Self::IdToken,
        Self::AccessToken,
        Self::LogoutToken,
        Self::UserInfo,
        Self::Introspection,
    ];

    /// The `typ` header sigil signs this kind with.
    pub fn typ(self) -> &'static str {
        match self {
            Self::IdToken | Self::UserInfo => "JWT",
            Self::AccessToken => "at+jwt",
            Self::LogoutToken => "logout+jwt",
            Self::Introspection => "token-introspection+jwt",
        }
    }

    /// The kind a decoded token is, judged by its `typ` and claims; `None` when it is none.
    pub fn of(decoded: &Decoded) -> Option<Self> {
        let typ = match decoded.header.get("typ") {
            None => "jwt".to_owned(),
            Some(Value::String(t)) => {
                let t = t.to_ascii_lowercase();
                t.strip_prefix("application/")
                    .map(str::to_owned)
                    .unwrap_or(t)
            }
            Some(_) => return None,
        };
        let claims = &decoded.claims;
        let has = |name: &str| claims.contains_key(name);
        match typ.as_str() {
            "at+jwt" => Some(Self::AccessToken),
            "logout+jwt" => Some(Self::LogoutToken),
            "token-introspection+jwt" => Some(Self::Introspection),
            "jwt" if FOREIGN_MEMBERS.iter().any(|m| has(m)) => None,
            "jwt" if has("exp") && has("iat") && has("auth_time") => Some(Self::IdToken),
            "jwt" if !has("exp") && !has("auth_time") => Some(Self::UserInfo),
            _ => None,
        }
    }
}

/// How `exp` is judged for one of sigil's own tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Refused from `exp` on, with no leeway: sigil's clock is the one that set it.
    Enforced,
    /// Accepted after `exp` (an `id_token_hint` may be expired); `exp` must still be there.
    Ignored,
}

/// What one of sigil's own tokens must be.
#[derive(Debug, Clone, Copy)]
pub struct Own<'a> {
    /// The one kind accepted.
    pub kind: TokenKind,
    /// This provider's issuer (`iss`).
    pub issuer: &'a str,
    /// Now, UTC Unix seconds.
    pub now: i64,
    /// How `exp` is judged.
    pub expiry: Expiry,
}

/// Verifies a token sigil signed: signature under sigil's keys, the one kind asked for, `iss`,
/// and `exp`, `nbf`, `iat` against sigil's own clock without leeway. A nested JWT is opened
/// first: an access token sigil encrypted to its resource (through sigil's copy of its
/// content key), or an ID token a client encrypted to sigil's keys (OIDC Core §3.1.2.1).
pub fn verify_own(token: &str, keys: &KeySet, own: &Own<'_>) -> Result<Decoded, VerifyError> {
    if is_jwe(token) {
        let opened = match own.kind {
            TokenKind::AccessToken => keys.own_copy().and_then(|copy| open_own(token, copy)),
            TokenKind::IdToken => decrypt(token, keys, &Accept::OWN_KEYS).ok(),
            _ => None,
        }
        .filter(|o| o.header.get("cty").and_then(Value::as_str) == Some("JWT"))
        .ok_or_else(|| VerifyError::Malformed("not an encrypted token of this provider".into()))?;
        let inner = String::from_utf8(opened.plaintext)
            .map_err(|_| VerifyError::Malformed("the encrypted content is not a JWT".into()))?;
        // One layer only: the inner token must be a JWS.
        if is_jwe(&inner) {
            return Err(VerifyError::Malformed("nested encryption".into()));
        }
        return verify_own(&inner, keys, own);
    }
    let decoded = verify(token, keys, &Policy::default())?;
    if TokenKind::of(&decoded) != Some(own.kind) {
        return Err(VerifyError::Claim {
            claim: "typ",
            problem: "is not the kind of token accepted here".into(),
        });
    }
    check_own_claims(&decoded.claims, own)?;
    Ok(decoded)
}

fn check_own_claims(claims: &Map<String, Value>, own: &Own<'_>) -> Result<(), VerifyError> {
    let bad = |claim, problem: &str| VerifyError::Claim {
        claim,
        problem: problem.to_owned(),
    };
    if claims.get("iss").and_then(Value::as_str) != Some(own.issuer) {
        return Err(bad("iss", "is not this issuer"));
    }
    let time = |name: &'static str| match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| bad(name, "is not a number")),
    };
    match (time("exp")?, own.expiry) {
        (None, _) if own.kind != TokenKind::UserInfo => return Err(bad("exp", "missing")),
        (Some(exp), Expiry::Enforced) if exp <= own.now => return Err(bad("exp", "expired")),
        _ => {}
    }
    if time("nbf")?.is_some_and(|nbf| nbf > own.now) {
        return Err(bad("nbf", "not yet valid"));
    }
    if time("iat")?.is_some_and(|iat| iat > own.now) {
        return Err(bad("iat", "issued in the future"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decoded(typ: Option<&str>, claims: Value) -> Decoded {
        let mut header = Map::new();
        if let Some(t) = typ {
            header.insert("typ".into(), t.into());
        }
        Decoded {
            header,
            claims: claims.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn each_kind_is_recognised_by_its_type_and_claims() {
        let id = json!({"iss": "i", "sub": "s", "aud": "c", "exp": 9, "iat": 1, "auth_time": 1});
        assert_eq!(
            TokenKind::of(&decoded(Some("JWT"), id.clone())),
            Some(TokenKind::IdToken)
        );
        assert_eq!(
            TokenKind::of(&decoded(None, id.clone())),
            Some(TokenKind::IdToken)
        );
        let info = json!({"iss": "i", "sub": "s", "aud": "c", "iat": 1, "email": "a@b"});
        assert_eq!(
            TokenKind::of(&decoded(Some("JWT"), info)),
            Some(TokenKind::UserInfo)
        );
        assert_eq!(
            TokenKind::of(&decoded(Some("at+jwt"), id.clone())),
            Some(TokenKind::AccessToken)
        );
        assert_eq!(
            TokenKind::of(&decoded(Some("application/logout+jwt"), json!({}))),
            Some(TokenKind::LogoutToken)
        );
        assert_eq!(
            TokenKind::of(&decoded(Some("token-introspection+jwt"), json!({}))),
            Some(TokenKind::Introspection)
        );
    }

    #[test]
    fn a_plain_jwt_with_another_kinds_members_is_no_kind() {
        for member in FOREIGN_MEMBERS {
            let mut claims = json!({"iss": "i", "exp": 9, "iat": 1, "auth_time": 1});
            claims[member] = json!("x");
            assert_eq!(
                TokenKind::of(&decoded(Some("JWT"), claims)),
                None,
                "{member}"
            );
        }
        let half = json!({"iss": "i", "exp": 9, "iat": 1});
        assert_eq!(TokenKind::of(&decoded(Some("JWT"), half)), None);
        assert_eq!(TokenKind::of(&decoded(Some("dpop+jwt"), json!({}))), None);
    }

    #[test]
    fn own_tokens_get_no_leeway() {
        let own = Own {
            kind: TokenKind::AccessToken,
            issuer: "i",
            now: 100,
            expiry: Expiry::Enforced,
        };
        let at = |exp: i64, iat: i64| {
            json!({"iss": "i", "exp": exp, "iat": iat})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        assert!(check_own_claims(&at(101, 100), &own).is_ok());
        assert!(check_own_claims(&at(100, 50), &own).is_err(), "at exp");
        assert!(check_own_claims(&at(99, 50), &own).is_err());
        assert!(check_own_claims(&at(200, 101), &own).is_err(), "iat ahead");
        let hint = Own {
            expiry: Expiry::Ignored,
            ..own
        };
        assert!(check_own_claims(&at(5, 1), &hint).is_ok());
        let other = Own { issuer: "j", ..own };
        assert!(check_own_claims(&at(200, 1), &other).is_err());
    }
}
