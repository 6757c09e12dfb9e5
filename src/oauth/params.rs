//! Request parameters, read one way everywhere (`/authorize`, `/token` and the other OAuth
//! endpoints, the login, consent and logout pages): a query string or form body decoded
//! strictly — UTF-8 only, every percent escape well formed — empty values dropped (RFC 6749
//! §3.1), and a parameter given twice refused unless the endpoint lets it repeat.

use std::collections::HashMap;

use actix_web::HttpRequest;
use actix_web::http::header;

/// Why parameters could not be read; the text is safe to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// Not UTF-8, or a malformed percent escape.
    #[error("the parameters are not a valid form")]
    Malformed,
    /// A body of another media type.
    #[error("the body must be application/x-www-form-urlencoded")]
    NotAForm,
    /// A parameter that may not repeat, given more than once.
    #[error("parameter {0} is given more than once")]
    Duplicated(String),
}

/// Which parameters may be given more than once.
#[derive(Debug, Clone, Copy)]
pub enum Repeat<'a> {
    /// Those named; any other repeated parameter is refused.
    Only(&'a [&'a str]),
    /// Any: the caller judges duplicates itself (`/authorize`, which must know whether the
    /// client and redirect URI can be trusted before it answers).
    ByCaller,
}

impl Repeat<'_> {
    /// No parameter may repeat.
    pub const NEVER: Repeat<'static> = Repeat::Only(&[]);
}

/// The raw parameters with empty values dropped (RFC 6749 §3.1) and duplicates noted.
#[derive(Debug, Default)]
pub struct RawParams {
    values: HashMap<String, String>,
    duplicated: Vec<String>,
    earlier: Vec<(String, String)>,
}

impl RawParams {
    /// Collects `pairs` from a query string or form body.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut out = Self::default();
        for (key, value) in pairs {
            if value.is_empty() {
                continue;
            }
            if let Some(earlier) = out.values.insert(key.clone(), value) {
                out.earlier.push((key.clone(), earlier));
                out.duplicated.push(key);
            }
        }
        out
    }

    /// One parameter's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The first parameter given more than once, if any.
    pub fn first_duplicate(&self) -> Option<&str> {
        self.duplicated.first().map(String::as_str)
    }

    /// Every value given for `key` (for parameters that may repeat, like RFC 8707 `resource`).
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.earlier
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .chain(self.get(key))
            .collect()
    }

    /// The first parameter given more than once that is not in `repeatable`, if any.
    pub fn first_duplicate_except(&self, repeatable: &[&str]) -> Option<&str> {
        self.duplicated
            .iter()
            .map(String::as_str)
            .find(|k| !repeatable.contains(k))
    }

    /// Every pair, repeated ones included, in no particular order.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.earlier.into_iter().chain(self.values).collect()
    }

    /// Whether `key` was given more than once.
    pub fn is_duplicated(&self, key: &str) -> bool {
        self.duplicated.iter().any(|k| k == key)
    }
}

/// The parameters of the query string.
pub fn from_query(req: &HttpRequest, repeat: Repeat<'_>) -> Result<RawParams, ParamsError> {
    checked(req.query_string().as_bytes(), repeat)
}

/// The parameters of an `application/x-www-form-urlencoded` body.
pub fn from_form(
    req: &HttpRequest,
    body: &[u8],
    repeat: Repeat<'_>,
) -> Result<RawParams, ParamsError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(ParamsError::NotAForm);
    }
    checked(body, repeat)
}

fn checked(text: &[u8], repeat: Repeat<'_>) -> Result<RawParams, ParamsError> {
    let params = RawParams::new(decode(text).ok_or(ParamsError::Malformed)?);
    if let Repeat::Only(repeatable) = repeat
        && let Some(dup) = params.first_duplicate_except(repeatable)
    {
        return Err(ParamsError::Duplicated(dup.to_owned()));
    }
    Ok(params)
}

/// Decodes form pairs; `None` when the text or a decoded name or value is not UTF-8, or a
/// percent escape is malformed (no lossy replacement characters slip through).
pub fn decode(text: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(text).ok()?;
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((unescape(name)?, unescape(value)?))
        })
        .collect()
}

/// One form-encoded component (`+` is a space); `None` when malformed, not UTF-8, or holding
/// a NUL, which no parameter has a use for and PostgreSQL cannot store or compare.
pub fn unescape(s: &str) -> Option<String> {
    let well_formed = s
        .split('%')
        .skip(1)
        .all(|rest| rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    if !well_formed {
        return None;
    }
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .filter(|v| !v.contains('\0'))
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_strictly() {
        assert_eq!(
            decode(b"a=1+2&b=%C3%A9&&c&d="),
            Some(vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "é".into()),
                ("c".into(), String::new()),
                ("d".into(), String::new()),
            ])
        );
        assert_eq!(decode(b"a=\xff"), None, "raw bytes not UTF-8");
        assert_eq!(decode(b"a=%FF"), None, "escaped bytes not UTF-8");
        assert_eq!(decode(b"a=%G1"), None, "bad escape");
        assert_eq!(decode(b"a=%4"), None, "truncated escape");
        assert_eq!(decode(b"a=x%00"), None, "escaped NUL");
        assert_eq!(decode(b"a%00=x"), None, "NUL in a name");
        assert_eq!(unescape("id\0"), None, "raw NUL");
    }

    #[test]
    fn repeatable_parameters_keep_every_value() {
        let pairs = decode(b"resource=a&scope=x&resource=b&audience=c&resource=a").unwrap();
        let params = RawParams::new(pairs);
        assert_eq!(params.all("resource"), vec!["a", "b", "a"]);
        assert_eq!(params.all("audience"), vec!["c"]);
        assert!(params.all("missing").is_empty());
        assert_eq!(params.first_duplicate(), Some("resource"));
        assert_eq!(params.first_duplicate_except(&["resource"]), None);
        let dup = RawParams::new(decode(b"resource=a&resource=b&code=1&code=2").unwrap());
        assert_eq!(dup.first_duplicate_except(&["resource"]), Some("code"));
    }
}
