//! OAuth scope values (RFC 6749 §3.3): an ordered set of scope tokens.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::metadata_error::quoted;

/// Why a scope string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// The string begins or ends with a space.
    #[error("scope must not begin or end with a space")]
    LeadingOrTrailingSpace,
    /// Two scope tokens are separated by more than one space.
    #[error("scope tokens must be separated by a single space")]
    EmptyToken,
    /// A scope token contains a character outside RFC 6749's `scope-token` grammar.
    #[error(
        "scope token {} contains the character {character:?}, which is not allowed \
         (allowed: printable ASCII except space, '\"' and '\\')",
        quoted(token)
    )]
    InvalidCharacter {
        /// The offending token.
        token: String,
        /// The first character of the token that is not allowed.
        character: char,
    },
}

/// An ordered set of scope tokens; order is first-seen order, equality ignores order.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    tokens: Vec<String>,
}

impl Scope {
    /// Parses a space-separated scope string; `""` is the empty scope and duplicates collapse.
    pub fn parse(s: &str) -> Result<Self, ScopeError> {
        if s.is_empty() {
            return Ok(Self::default());
        }
        if s.starts_with(' ') || s.ends_with(' ') {
            return Err(ScopeError::LeadingOrTrailingSpace);
        }
        let mut tokens: Vec<String> = Vec::new();
        for token in s.split(' ') {
            if token.is_empty() {
                return Err(ScopeError::EmptyToken);
            }
            if let Some(character) = token.chars().find(|&c| !is_scope_token_char(c)) {
                return Err(ScopeError::InvalidCharacter {
                    token: token.to_owned(),
                    character,
                });
            }
            if !tokens.iter().any(|t| t == token) {
                tokens.push(token.to_owned());
            }
        }
        Ok(Self { tokens })
    }

    /// Iterates over the tokens in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().map(String::as_str)
    }

    /// Whether `token` is one of the scope's tokens (exact, case-sensitive match).
    pub fn contains(&self, token: &str) -> bool {
        self.tokens.iter().any(|t| t == token)
    }

    /// Whether the scope has no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The number of distinct tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// The tokens present in both scopes, in `self`'s order.
    pub fn intersection(&self, other: &Scope) -> Scope {
        Scope {
            tokens: self
                .tokens
                .iter()
                .filter(|t| other.contains(t))
                .cloned()
                .collect(),
        }
    }

    /// Whether every token of `self` is also in `other`.
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.tokens.iter().all(|t| other.contains(t))
    }
}

/// `%x21 / %x23-5B / %x5D-7E`: printable ASCII except space, `"` and `\`.
fn is_scope_token_char(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.is_subset_of(other)
    }
}

impl Eq for Scope {}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, token) in self.tokens.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(token)?;
        }
        Ok(())
    }
}

impl FromStr for Scope {
    type Err = ScopeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
