//! Conditional edits: an item's entity tag, and the precondition and change that a replace
//! (`PUT`) or a JSON merge patch (RFC 7386, `PATCH`) carries. The precondition is checked
//! inside the edit's transaction, against the item as stored then.

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::ManageError;

/// The entity tag of an item: a digest of its view as JSON, so any visible change changes it.
pub fn etag(view: &impl Serialize) -> String {
    let json = serde_json::to_vec(view).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// What the item must still be for the edit to apply (`If-Match`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Any current item (`If-Match: *`).
    Any,
    /// One whose tag is among these.
    Tags(Vec<String>),
}

/// The new item: a whole replacement, or a merge patch onto the current one.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The whole item (`PUT`).
    Replace(Value),
    /// A JSON merge patch (`PATCH`).
    Merge(Value),
}

/// A conditional change.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// What the item must still be.
    pub precondition: Precondition,
    /// What it becomes.
    pub change: Change,
}

impl Edit {
    /// The new item as a JSON object, after checking that `current` still meets the
    /// precondition; a stale tag is [`ManageError::PreconditionFailed`].
    pub(super) fn apply(
        &self,
        current: &impl Serialize,
    ) -> Result<Map<String, Value>, ManageError> {
        if let Precondition::Tags(tags) = &self.precondition {
            let now = etag(current);
            if !tags.contains(&now) {
                return Err(ManageError::PreconditionFailed);
            }
        }
        let doc = match &self.change {
            Change::Replace(doc) => doc.clone(),
            Change::Merge(patch) => {
                let mut doc = serde_json::to_value(current)
                    .map_err(|e| ManageError::Internal(e.to_string()))?;
                json_patch::merge(&mut doc, patch);
                doc
            }
        };
        match doc {
            Value::Object(map) => Ok(map),
            _ => Err(ManageError::Invalid {
                error: super::INVALID_REQUEST,
                field: None,
                message: "the item must be a JSON object".to_owned(),
            }),
        }
    }
}

/// Takes the read-only member `name` out of `doc`: absent, or equal to `value`, else refused.
pub(super) fn read_only(
    doc: &mut Map<String, Value>,
    name: &str,
    value: &Value,
    error: &'static str,
) -> Result<(), ManageError> {
    match doc.remove(name) {
        Some(v) if v != *value => Err(ManageError::Invalid {
            error,
            field: Some(name.to_owned()),
            message: format!("{name} cannot be changed"),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn edit(precondition: Precondition, change: Change) -> Edit {
        Edit {
            precondition,
            change,
        }
    }

    #[test]
    fn a_stale_tag_is_refused_and_the_current_one_or_any_accepted() {
        let item = json!({"a": 1});
        let patch = Change::Merge(json!({"b": 2}));
        let stale = edit(Precondition::Tags(vec!["old".into()]), patch.clone());
        assert!(matches!(
            stale.apply(&item),
            Err(ManageError::PreconditionFailed)
        ));
        let current = edit(Precondition::Tags(vec![etag(&item)]), patch.clone());
        assert_eq!(current.apply(&item).unwrap()["b"], 2);
        assert!(edit(Precondition::Any, patch).apply(&item).is_ok());
    }

    #[test]
    fn a_merge_patch_removes_with_null_and_a_replacement_must_be_an_object() {
        let item = json!({"a": 1, "b": {"c": 2, "d": 3}});
        let merged = edit(
            Precondition::Any,
            Change::Merge(json!({"a": null, "b": {"d": 4}})),
        )
        .apply(&item)
        .unwrap();
        assert_eq!(Value::Object(merged), json!({"b": {"c": 2, "d": 4}}));
        let refused = edit(Precondition::Any, Change::Replace(json!([1]))).apply(&item);
        assert!(matches!(refused, Err(ManageError::Invalid { .. })));
    }

    #[test]
    fn the_tag_changes_with_the_item_and_read_only_members_stay() {
        assert_ne!(etag(&json!({"a": 1})), etag(&json!({"a": 2})));
        let mut doc = serde_json::Map::new();
        doc.insert("id".into(), json!("x"));
        assert!(read_only(&mut doc, "id", &json!("x"), "e").is_ok());
        doc.insert("id".into(), json!("y"));
        assert!(read_only(&mut doc, "id", &json!("x"), "e").is_err());
    }
}
