//! The `act` claim (RFC 8693 §4.1) of delegated and impersonation tokens, and `may_act`
//! (§4.4): who acts, nesting those who acted before, and who may act at all.

use serde_json::{Map, Value};

use crate::error::{ErrorCode, OAuthError};

/// The most actors one token may name, the current one and those nested in it.
pub const MAX_ACTORS: usize = 5;

/// The members an `act` object keeps: who the actor is and who acted before.
const MEMBERS: [&str; 4] = ["sub", "client_id", "iss", "act"];

/// A party acting for a token's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Its subject identifier.
    pub sub: String,
    /// Its `client_id`, when the actor is a client.
    pub client_id: Option<String>,
    /// The issuer of `sub`, when it is not sigil.
    pub iss: Option<String>,
}

impl Actor {
    /// A client acting for itself: `sub` is its `client_id`.
    pub fn client(client_id: &str) -> Self {
        Self {
            sub: client_id.to_owned(),
            client_id: Some(client_id.to_owned()),
            iss: None,
        }
    }

    /// The `act` object naming this actor over `prior`, the `act` of the token it acts on.
    pub fn over(&self, prior: Option<&Value>) -> Result<Value, OAuthError> {
        let prior = prior.map(sanitized).transpose()?;
        let mut act = Map::new();
        act.insert("sub".into(), Value::String(self.sub.clone()));
        if let Some(client_id) = &self.client_id {
            act.insert("client_id".into(), Value::String(client_id.clone()));
        }
        if let Some(iss) = &self.iss {
            act.insert("iss".into(), Value::String(iss.clone()));
        }
        if let Some(prior) = prior {
            act.insert("act".into(), prior);
        }
        let act = Value::Object(act);
        if depth(&act) > MAX_ACTORS {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                format!("the delegation chain would name more than {MAX_ACTORS} actors"),
            ));
        }
        Ok(act)
    }

    /// Whether `may_act` admits this actor: each of its members names this actor, and it
    /// names nothing else (`iss` defaults to `own_issuer`).
    pub fn admitted_by(&self, may_act: &Map<String, Value>, own_issuer: &str) -> bool {
        !may_act.is_empty()
            && may_act.iter().all(|(name, value)| {
                let Some(value) = value.as_str() else {
                    return false;
                };
                match name.as_str() {
                    "sub" => value == self.sub,
                    "client_id" => self.client_id.as_deref() == Some(value),
                    "iss" => self.iss.as_deref().unwrap_or(own_issuer) == value,
                    _ => false,
                }
            })
    }
}

/// How many actors an `act` claim names.
pub fn depth(act: &Value) -> usize {
    let mut n = 0;
    let mut at = Some(act);
    while let Some(Value::Object(obj)) = at {
        n += 1;
        at = obj.get("act");
    }
    n
}

fn malformed() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        "the subject token's act claim is malformed",
    )
}

/// An `act` claim as it is carried on: objects with a string `sub`, only the members that
/// name actors, no deeper than [`MAX_ACTORS`]; anything else is refused.
pub fn sanitized(act: &Value) -> Result<Value, OAuthError> {
    if depth(act) > MAX_ACTORS {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            format!("the subject token's delegation chain names more than {MAX_ACTORS} actors"),
        ));
    }
    let Value::Object(obj) = act else {
        return Err(malformed());
    };
    let mut out = Map::new();
    for name in MEMBERS {
        match (name, obj.get(name)) {
            (_, None) if name != "sub" => {}
            ("act", Some(inner)) => {
                out.insert(name.into(), sanitized(inner)?);
            }
            (_, Some(Value::String(s))) if !s.is_empty() => {
                out.insert(name.into(), Value::String(s.clone()));
            }
            _ => return Err(malformed()),
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests;
