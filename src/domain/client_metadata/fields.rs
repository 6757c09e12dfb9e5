//! Typed extraction of JSON members, with errors that name the member.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess};
use serde_json::{Map, Value};

use super::checks::text;
use crate::domain::metadata_error::{MetadataError, quoted};

/// An `invalid_client_metadata` error.
pub(super) fn invalid(description: impl Into<String>) -> MetadataError {
    MetadataError::invalid_client_metadata(description)
}

/// Parses an optional wire value, or gives the type's default when absent.
pub(super) fn parse_opt<T>(value: Option<String>) -> Result<T, MetadataError>
where
    T: Default + std::str::FromStr<Err = MetadataError>,
{
    value.map_or_else(|| Ok(T::default()), |s| s.parse())
}

/// Parses every wire value, dropping repeats.
pub(super) fn parse_all<T>(values: &[String]) -> Result<Vec<T>, MetadataError>
where
    T: PartialEq + std::str::FromStr<Err = MetadataError>,
{
    Ok(dedup(
        values.iter().map(|s| s.parse()).collect::<Result<_, _>>()?,
    ))
}

/// Removes repeated items, keeping the first occurrence of each in order.
pub(super) fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut unique: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    unique
}

/// The JSON type of `value`, for error descriptions ("a string", "an array", …).
pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The members of the metadata object, taken out one by one; `null` counts as absent.
pub(super) struct Fields(Map<String, Value>);

impl Fields {
    pub(super) fn new(members: Map<String, Value>) -> Self {
        Self(members)
    }

    /// Removes the member; `null` is treated as absent.
    pub(super) fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    fn type_error(name: &str, expected: &str, got: &Value) -> MetadataError {
        invalid(format!("{name} must be {expected}, not {}", kind(got)))
    }

    pub(super) fn string(&mut self, name: &str) -> Result<Option<String>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Self::type_error(name, "a string", &other)),
        }
    }

    pub(super) fn strings(&mut self, name: &str) -> Result<Option<Vec<String>>, MetadataError> {
        let items = match self.take(name) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(Self::type_error(name, "an array of strings", &other)),
        };
        let mut strings = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::String(s) => strings.push(s),
                other => {
                    return Err(Self::type_error(
                        &format!("{name}[{i}]"),
                        "a string",
                        &other,
                    ));
                }
            }
        }
        Ok(Some(strings))
    }

    pub(super) fn bool(&mut self, name: &str) -> Result<bool, MetadataError> {
        match self.take(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(b),
            Some(other) => Err(Self::type_error(name, "true or false", &other)),
        }
    }

    pub(super) fn seconds(&mut self, name: &str) -> Result<Option<u64>, MetadataError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                invalid(format!(
                    "{name} must be a whole number of seconds, 0 or more (got {n})"
                ))
            }),
            Some(other) => Err(Self::type_error(name, "a number of seconds", &other)),
        }
    }

    pub(super) fn text(
        &mut self,
        name: &str,
        max_chars: usize,
    ) -> Result<Option<String>, MetadataError> {
        self.string(name)?
            .map(|s| text(name, s, max_chars))
            .transpose()
    }

    /// A string member that `check` accepts, kept exactly as given.
    pub(super) fn url(
        &mut self,
        name: &str,
        check: fn(&str) -> Result<(), String>,
    ) -> Result<Option<String>, MetadataError> {
        let Some(url) = self.string(name)? else {
            return Ok(None);
        };
        match check(&url) {
            Ok(()) => Ok(Some(url)),
            Err(reason) => Err(invalid(format!("{name} {} {reason}", quoted(&url)))),
        }
    }
}

/// A metadata document's JSON, when well-formed and (for an object) without a member twice;
/// else the description of what is wrong.
pub(crate) fn parse_document(json: &str) -> Result<Value, String> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| format!("metadata is not valid JSON: {e}"))?;
    if value.is_object() {
        serde_json::from_str::<NoDuplicateMembers>(json)
            .map_err(|e| format!("metadata is ambiguous: {e}"))?;
    }
    Ok(value)
}

/// The description of the first member of `map` outside `known`, if any.
pub(crate) fn unknown_member(map: &Map<String, Value>, known: &[&str]) -> Option<String> {
    map.keys()
        .find(|k| !known.contains(&k.as_str()))
        .map(|name| {
            format!(
                "unknown member {} (known: {})",
                quoted(name),
                known.join(", ")
            )
        })
}

/// Checks, without building anything, that a JSON object has no member twice.
struct NoDuplicateMembers;

impl<'de> Deserialize<'de> for NoDuplicateMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(NoDuplicateMembers)
    }
}

impl<'de> de::Visitor<'de> for NoDuplicateMembers {
    type Value = NoDuplicateMembers;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "the field {} appears more than once",
                    quoted(&key)
                )));
            }
        }
        Ok(NoDuplicateMembers)
    }
}
