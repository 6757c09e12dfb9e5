//! RFC 8693 token type identifiers (§3), as the token-exchange grant names them.

/// A token type URI (RFC 8693 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// `urn:ietf:params:oauth:token-type:access_token`.
    AccessToken,
    /// `urn:ietf:params:oauth:token-type:id_token`.
    IdToken,
    /// `urn:ietf:params:oauth:token-type:jwt`.
    Jwt,
    /// `urn:ietf:params:oauth:token-type:refresh_token`.
    RefreshToken,
}

impl TokenType {
    /// Every token type.
    pub const ALL: [TokenType; 4] = [
        Self::AccessToken,
        Self::IdToken,
        Self::Jwt,
        Self::RefreshToken,
    ];

    /// The URI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "urn:ietf:params:oauth:token-type:access_token",
            Self::IdToken => "urn:ietf:params:oauth:token-type:id_token",
            Self::Jwt => "urn:ietf:params:oauth:token-type:jwt",
            Self::RefreshToken => "urn:ietf:params:oauth:token-type:refresh_token",
        }
    }

    /// The type a URI names; `None` for any other string.
    pub fn parse(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == uri)
    }
}

display_as_str!(TokenType);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_parses_from_its_own_uri_only() {
        for t in TokenType::ALL {
            assert_eq!(TokenType::parse(t.as_str()), Some(t));
            assert_eq!(TokenType::parse(&t.as_str().to_uppercase()), None);
        }
        assert_eq!(TokenType::parse("access_token"), None);
        assert_eq!(
            TokenType::parse("urn:ietf:params:oauth:token-type:saml2"),
            None
        );
    }
}
