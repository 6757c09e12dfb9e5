//! The management core through the running app's state, on either database: pages that list
//! every item once, one audit row per change naming its actor, and the NotFound and Conflict
//! answers.

use std::collections::BTreeSet;

use serde_json::json;
use sigil::manage::users::NewUser;
use sigil::manage::{Actor, INVALID_USER, ManageError, Manager, Page, PageRequest};
use sigil::store::audit::{AuditFilter, list as audit_rows};
use sigil::store::sessions::{self, SessionRow};

use crate::helpers::TestApp;

/// Every id of a list read `limit` at a time, asserting no page is larger than `limit`.
async fn every_id<T: serde::Serialize>(
    limit: u32,
    id: &str,
    mut page: impl AsyncFnMut(PageRequest) -> Result<Page<T>, ManageError>,
) -> Vec<String> {
    let mut request = PageRequest::first(limit);
    let mut ids = Vec::new();
    loop {
        let got = page(request.clone()).await.unwrap();
        assert!(got.items.len() <= limit as usize);
        for item in &got.items {
            let value = serde_json::to_value(item).unwrap();
            ids.push(value[id].as_str().unwrap().to_owned());
        }
        match request.next_after(&got) {
            Some(next) => request = next,
            None => return ids,
        }
    }
}

fn user(name: &str) -> NewUser {
    NewUser {
        username: name.to_owned(),
        password: "a long enough password".to_owned(),
        email: None,
        name: None,
        roles: vec!["dev".to_owned()],
    }
}

fn resource(n: usize) -> String {
    json!({"identifier": format!("https://api{n}.example/"), "scope": "read"}).to_string()
}

fn trusted_issuer(n: usize) -> String {
    let key = json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    json!({"issuer": format!("https://idp{n}.example"), "audience": "https://sigil.example/",
        "user_claim": "email", "jwks": {"keys": [key]}})
    .to_string()
}

fn assert_once(listed: Vec<String>, made: &BTreeSet<String>) {
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(unique.len(), listed.len(), "an item came twice: {listed:?}");
    assert_eq!(&unique, made);
}

#[tokio::test]
async fn manage_pages_list_every_item_exactly_once() {
    let app = TestApp::spawn().await;
    let m = Manager::from_state(&app.state);
    let actor = Actor::new("admin-sub");
    let mut clients = BTreeSet::new();
    for _ in 0..7 {
        let meta = json!({"redirect_uris": ["https://app.example/cb"]}).to_string();
        let made = m.create_client(&actor, meta).await.unwrap();
        clients.insert(made.client.client_id().to_owned());
    }
    for limit in [1, 2, 3, 7, 200] {
        let listed = every_id(limit, "client_id", async |p| m.list_clients(p).await).await;
        assert_once(listed, &clients);
    }

    let mut users = BTreeSet::new();
    for n in 0..5 {
        users.insert(
            m.create_user(&actor, user(&format!("u{n}")))
                .await
                .unwrap()
                .id,
        );
    }
    let listed = every_id(2, "id", async |p| m.list_users(p).await).await;
    assert_once(listed, &users);
    let page = m.list_users(PageRequest::first(200)).await.unwrap();
    assert!(page.items.iter().all(|u| u.roles == ["dev"]), "{page:?}");
    assert_eq!(page.next, None);

    let mut resources = BTreeSet::new();
    let mut issuers = BTreeSet::new();
    for n in 0..5 {
        let made = m.create_resource(&actor, resource(n)).await.unwrap();
        resources.insert(made.resource.id().to_owned());
        let made = m
            .create_trusted_issuer(&actor, trusted_issuer(n))
            .await
            .unwrap();
        issuers.insert(made.id().to_owned());
    }
    let listed = every_id(2, "id", async |p| m.list_resources(p).await).await;
    assert_once(listed, &resources);
    let listed = every_id(3, "id", async |p| m.list_trusted_issuers(p).await).await;
    assert_once(listed, &issuers);

    // A deletion between pages neither repeats nor skips the items that remain.
    let first = m.list_clients(PageRequest::first(3)).await.unwrap();
    let gone = first.items[0].client_id().to_owned();
    m.delete_client(&actor, &gone).await.unwrap();
    clients.remove(&gone);
    let mut listed: Vec<String> = first.items[1..]
        .iter()
        .map(|c| c.client_id().to_owned())
        .collect();
    let rest = PageRequest::first(3).next_after(&first).unwrap();
    let mut request = Some(rest);
    while let Some(r) = request {
        let got = m.list_clients(r.clone()).await.unwrap();
        listed.extend(got.items.iter().map(|c| c.client_id().to_owned()));
        request = r.next_after(&got);
    }
    assert_once(listed, &clients);
}

/// The audit rows by `actor`, as (action, subject).
async fn audited_by(app: &TestApp, actor: &str) -> Vec<(String, String)> {
    let filter = AuditFilter {
        actor: Some(actor.to_owned()),
        ..AuditFilter::default()
    };
    let rows = app
        .state
        .store
        .run(move |c| audit_rows(c, &filter))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| (r.action, r.subject.unwrap_or_default()))
        .collect()
}

async fn add_session(app: &TestApp, user_id: &str, sid: &str) {
    let now = sigil::clock::Clock::now(app.state.clock.as_ref());
    let row = SessionRow {
        id_hash: format!("hash-{sid}"),
        sid: sid.to_owned(),
        user_id: user_id.to_owned(),
        auth_time: now,
        amr: "pwd".to_owned(),
        created_at: now,
        last_seen: now,
        expires_at: now + 3600,
        actor_id: None,
        user_agent: None,
    };
    app.state
        .store
        .run(move |c| sessions::create(c, &row))
        .await
        .unwrap();
}

#[tokio::test]
async fn manage_each_change_writes_one_audit_row_naming_its_actor() {
    let app = TestApp::spawn().await;
    let m = Manager::from_state(&app.state);
    let actor = Actor::new("admin-7f3a");
    let secret_json = json!({"redirect_uris": ["https://app.example/cb"]}).to_string();
    let client = m.create_client(&actor, secret_json).await.unwrap();
    let client_id = client.client.client_id().to_owned();
    m.rotate_client_secret(&actor, &client_id).await.unwrap();
    m.delete_client(&actor, &client_id).await.unwrap();
    let ada = m.create_user(&actor, user("ada")).await.unwrap();
    let roles = vec!["admin".to_owned(), "dev".to_owned(), "admin".to_owned()];
    let updated = m.set_user_roles(&actor, &ada.id, roles).await.unwrap();
    assert_eq!(updated.roles, ["admin", "dev"]);
    m.set_user_password(&actor, &ada.id, "another long password".to_owned())
        .await
        .unwrap();
    add_session(&app, &ada.id, "sid-1").await;
    add_session(&app, &ada.id, "sid-2").await;
    let listed = m.list_sessions(&ada.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    let shown = serde_json::to_string(&listed).unwrap();
    assert!(
        !shown.contains("hash-sid"),
        "a session's hash is shown: {shown}"
    );
    let ended = m.end_session(&actor, "sid-1").await.unwrap();
    assert_eq!(ended.sid, "sid-1");
    let signout = m.sign_out_user(&actor, &ada.id).await.unwrap();
    assert_eq!(signout.sessions_ended, 1);
    assert!(m.list_sessions(&ada.id).await.unwrap().is_empty());
    let res = m.create_resource(&actor, resource(1)).await.unwrap();
    m.delete_resource(&actor, res.resource.id()).await.unwrap();
    let ti = m
        .create_trusted_issuer(&actor, trusted_issuer(1))
        .await
        .unwrap();
    m.delete_trusted_issuer(&actor, ti.id()).await.unwrap();
    let es256 = sigil::manage::keys::purposes(Some("ES256")).unwrap();
    let rotated = m.rotate_keys(&actor, es256).await.unwrap();

    let expected = [
        ("client.create", client_id.as_str()),
        ("client.rotate_secret", &client_id),
        ("client.delete", &client_id),
        ("user.create", &ada.id),
        ("user.roles", &ada.id),
        ("user.password", &ada.id),
        ("session.end", &ada.id),
        ("user.signout", &ada.id),
        ("resource.create", res.resource.id()),
        ("resource.delete", res.resource.id()),
        ("trusted_issuer.create", ti.id()),
        ("trusted_issuer.delete", ti.id()),
        ("keys.rotate", &rotated[0].kid),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, s)| (a.to_string(), s.to_string()))
        .collect();
    assert_eq!(audited_by(&app, "admin-7f3a").await, expected);

    let user_row = {
        let id = ada.id.clone();
        app.state
            .store
            .run(move |c| sigil::store::users::by_id(c, &id))
            .await
            .unwrap()
            .unwrap()
    };
    assert!(sigil::password::verify(
        "another long password",
        &user_row.password_hash
    ));
    let all = serde_json::to_string(&audited_by(&app, "admin-7f3a").await).unwrap();
    assert!(!all.contains("argon2"), "a hash in the audit log");
}

fn assert_not_found(result: Result<impl std::fmt::Debug, ManageError>, what: &str, line: &str) {
    match result {
        Err(ManageError::NotFound { what: w, message }) => {
            assert_eq!((w, message.as_str()), (what, line));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

fn assert_conflict(result: Result<impl std::fmt::Debug, ManageError>, field: &str, needle: &str) {
    match result {
        Err(e @ ManageError::Conflict { .. }) => {
            let ManageError::Conflict { field: f, .. } = &e else {
                unreachable!()
            };
            assert_eq!(f.as_deref(), Some(field));
            assert!(e.to_string().contains(needle), "{e}");
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn manage_answers_not_found_and_conflict() {
    let app = TestApp::spawn().await;
    let m = Manager::from_state(&app.state);
    let actor = Actor::cli();
    let nope = "-nope";
    assert_not_found(
        m.get_client(nope).await,
        "client",
        "no client with id '-nope'",
    );
    assert_not_found(
        m.delete_client(&actor, nope).await,
        "client",
        "no client with id '-nope'",
    );
    assert_not_found(
        m.rotate_client_secret(&actor, nope).await,
        "client",
        "no client with id '-nope'",
    );
    assert_not_found(m.get_user(nope).await, "user", "no user with id '-nope'");
    assert_not_found(
        m.find_user("Nobody").await,
        "user",
        "no user named 'nobody'",
    );
    assert_not_found(
        m.set_user_roles(&actor, nope, vec![]).await,
        "user",
        "no user with id '-nope'",
    );
    let password = "long enough password".to_owned();
    assert_not_found(
        m.set_user_password(&actor, nope, password).await,
        "user",
        "no user with id '-nope'",
    );
    assert_not_found(
        m.sign_out_user(&actor, nope).await,
        "user",
        "no user with id '-nope'",
    );
    assert_not_found(
        m.list_sessions(nope).await,
        "user",
        "no user with id '-nope'",
    );
    assert_not_found(
        m.end_session(&actor, nope).await,
        "session",
        "no session with id '-nope'",
    );
    assert_not_found(
        m.get_resource(nope).await,
        "resource",
        "no resource with id '-nope'",
    );
    assert_not_found(
        m.delete_resource(&actor, nope).await,
        "resource",
        "no resource with id '-nope'",
    );
    assert_not_found(
        m.get_trusted_issuer(nope).await,
        "trusted issuer",
        "no trusted issuer with id '-nope'",
    );
    assert_not_found(
        m.delete_trusted_issuer(&actor, nope).await,
        "trusted issuer",
        "no trusted issuer with id '-nope'",
    );

    m.create_user(&actor, user("ada")).await.unwrap();
    assert_conflict(
        m.create_user(&actor, user("ADA")).await,
        "username",
        "username 'ada' is already taken",
    );
    m.create_resource(&actor, resource(1)).await.unwrap();
    assert_conflict(
        m.create_resource(&actor, resource(1)).await,
        "identifier",
        "invalid_resource_metadata: a resource with identifier",
    );
    m.create_trusted_issuer(&actor, trusted_issuer(1))
        .await
        .unwrap();
    assert_conflict(
        m.create_trusted_issuer(&actor, trusted_issuer(1)).await,
        "issuer",
        "already registered",
    );
    let public = json!({"redirect_uris": ["http://127.0.0.1:7000/cb"], "token_endpoint_auth_method": "none"});
    let public = m.create_client(&actor, public.to_string()).await.unwrap();
    assert!(public.secret.is_none());
    let id = public.client.client_id().to_owned();
    assert_conflict(
        m.rotate_client_secret(&actor, &id).await,
        "token_endpoint_auth_method",
        "has no secret to rotate",
    );

    let mut bad = user("bob");
    bad.roles = vec!["Admin".to_owned()];
    match m.create_user(&actor, bad).await {
        Err(ManageError::Invalid { error, field, .. }) => {
            assert_eq!((error, field.as_deref()), (INVALID_USER, Some("role")));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let refused = audited_by(&app, "cli").await;
    let actions: Vec<&str> = refused.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "resource.create",
            "trusted_issuer.create",
            "client.create"
        ],
        "refused changes leave no row"
    );
}
