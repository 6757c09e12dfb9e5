//! The pieces of the management core that need no running app: pages, error lines, the
//! algorithm parser, and the one audited transaction (on a SQLite file).

use super::*;
use crate::config::DatabaseUrl;
use crate::domain::metadata_error::MetadataError;
use crate::domain::user::Username;
use crate::jose::Kek;
use crate::store::audit::{AuditFilter, list as audit_rows};

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("id{i:02}")).collect()
}

#[test]
fn a_page_holds_its_limit_and_names_the_last_id_only_when_more_follow() {
    let request = PageRequest::first(2);
    let page: Page<String> =
        Page::from_rows(&request, ids(3), |s| s, Ok::<_, ManageError>).unwrap();
    assert_eq!(page.items, ["id00", "id01"]);
    assert_eq!(page.next.as_deref(), Some("id01"));
    let next = request.next_after(&page).unwrap();
    assert_eq!(next.after.as_deref(), Some("id01"));
    assert_eq!(next.limit, Some(2));

    let last: Page<String> =
        Page::from_rows(&request, ids(2), |s| s, Ok::<_, ManageError>).unwrap();
    assert_eq!(last.items.len(), 2);
    assert_eq!(last.next, None);
    assert!(request.next_after(&last).is_none());
}

#[test]
fn limits_default_to_50_and_stay_between_1_and_200() {
    assert_eq!(PageRequest::default().limit(), DEFAULT_LIMIT);
    assert_eq!(PageRequest::first(0).limit(), 1);
    assert_eq!(PageRequest::first(10_000).limit(), MAX_LIMIT);
    assert_eq!(PageRequest::first(7).rows(), 8);
}

#[test]
fn errors_read_as_the_cli_has_always_printed_them() {
    let e = ManageError::from(MetadataError::invalid_redirect_uri("must use https"));
    assert_eq!(e.to_string(), "invalid_redirect_uri: must use https");
    assert!(
        matches!(&e, ManageError::Invalid { error: "invalid_redirect_uri", field: Some(f), .. } if f == "redirect_uris")
    );

    let e = ManageError::from(Username::parse("a b").unwrap_err());
    assert_eq!(
        e.to_string(),
        "username: may contain only letters, digits, '.', '_', '-' and '@'"
    );
    assert!(
        matches!(&e, ManageError::Invalid { error: INVALID_USER, field: Some(f), .. } if f == "username")
    );

    let e = ManageError::from(crate::password::PasswordError::Length);
    assert_eq!(e.to_string(), "password must be 8 to 1024 characters");

    assert_eq!(
        ManageError::not_found("trusted issuer", "-x").to_string(),
        "no trusted issuer with id '-x'"
    );
    let conflict = ManageError::Conflict {
        error: INVALID_RESOURCE_METADATA,
        field: Some("identifier".into()),
        message: "a resource with identifier \"x\" is already registered".into(),
    };
    assert_eq!(
        conflict.to_string(),
        "invalid_resource_metadata: a resource with identifier \"x\" is already registered"
    );
}

#[test]
fn key_algorithms_are_every_kind_or_one_known_name() {
    assert_eq!(
        keys::purposes(None).unwrap(),
        crate::jose::KeyPurpose::all()
    );
    assert_eq!(keys::purposes(Some("ES256")).unwrap().len(), 1);
    let e = keys::purposes(Some("none")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("unknown algorithm 'none' (use one of RS256"),
        "{e}"
    );
    assert!(matches!(
        e,
        ManageError::Invalid {
            error: INVALID_REQUEST,
            ..
        }
    ));
}

/// A migrated store on a fresh SQLite file.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&DatabaseUrl::Sqlite(dir.path().join("m.db")), 1).unwrap();
    store.migrate().unwrap();
    (dir, store)
}

fn audit_count(conn: &mut DbConnection) -> usize {
    audit_rows(conn, &AuditFilter::default()).unwrap().len()
}

#[test]
fn a_change_and_its_audit_row_commit_together_or_not_at_all() {
    let (_dir, store) = store();
    let mut conn = store.conn().unwrap();
    let kek = Kek::new([7; 32]);
    let json = r#"{"redirect_uris": ["https://app.example/cb"]}"#;
    let actor = Actor::new("admin-sub");

    let issued = clients::register(&mut conn, &actor, 10, json, &kek).unwrap();
    let rows = audit_rows(&mut conn, &AuditFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].actor.as_str(), rows[0].action.as_str(), rows[0].at),
        ("admin-sub", "client.create", 10)
    );
    assert_eq!(rows[0].subject.as_deref(), Some(issued.client.client_id()));

    let failed: Result<(), _> = audited(&mut conn, &actor, 11, |c| {
        crate::store::clients::delete(c, issued.client.client_id())?;
        Err(ManageError::Internal("stop".into()))
    });
    assert!(failed.is_err());
    assert!(clients::get(&mut conn, issued.client.client_id()).is_ok());
    assert_eq!(
        audit_count(&mut conn),
        1,
        "no row for the rolled-back change"
    );

    let missing = clients::delete(&mut conn, &actor, 12, "nope").unwrap_err();
    assert_eq!(missing.to_string(), "no client with id 'nope'");
    assert_eq!(audit_count(&mut conn), 1, "no row for a refused change");
}

#[test]
fn a_password_change_is_refused_only_in_a_session_an_admin_acts_in() {
    let mut session = crate::store::sessions::SessionRow {
        id_hash: "h".into(),
        sid: "s".into(),
        user_id: "u".into(),
        auth_time: 0,
        amr: "pwd".into(),
        created_at: 0,
        last_seen: 0,
        expires_at: 10,
        actor_id: None,
        user_agent: None,
    };
    assert!(impersonations::refuse_while_acting(&session).is_ok());
    session.actor_id = Some("admin".into());
    let refused = impersonations::refuse_while_acting(&session).unwrap_err();
    assert!(
        refused.to_string().contains("cannot be changed"),
        "{refused}"
    );
}
