//! Secrets and keys through the management core: a rotated client secret replaces the old
//! one at `/token` and shows only in the rotation's answer; keys list only public halves.

use serde_json::{Value, json};
use sigil::manage::{Actor, Manager, PageRequest};
use sigil::store::audit::{AuditFilter, list as audit_rows};

use crate::helpers::oauth::assert_error;
use crate::helpers::{TestApp, TestClient};

const API: &str = "https://api.example/";

#[tokio::test]
async fn manage_secret_rotation_replaces_the_secret_at_the_token_endpoint() {
    let app = TestApp::spawn().await;
    let m = Manager::from_state(&app.state);
    let actor = Actor::new("admin-sub");
    app.create_resource(json!({"identifier": API, "scope": "api:read"}))
        .await;
    let meta = json!({"grant_types": ["client_credentials"], "redirect_uris": [],
        "response_types": [], "scope": "api:read"});
    let created = m.create_client(&actor, meta.to_string()).await.unwrap();
    let id = created.client.client_id().to_owned();
    let old = created.secret.clone().unwrap();

    // No token is asked before the rotation, so no cached copy of the client holds the old hash.
    let rotated = m.rotate_client_secret(&actor, &id).await.unwrap();
    let new = rotated.secret.clone().unwrap();
    assert_ne!(new, old);
    assert!(new.len() >= 43, "the new secret has 256 bits");
    let answer = serde_json::to_value(&rotated).unwrap();
    assert_eq!(answer["client_id"], id.as_str());
    assert_eq!(answer["client_secret"], new.as_str());
    assert_eq!(answer["client_secret_expires_at"], 0);
    assert_eq!(answer["grant_types"], json!(["client_credentials"]));
    assert!(
        !format!("{rotated:?}").contains(&new),
        "Debug shows the secret"
    );

    let client = |secret: &str| TestClient {
        id: id.clone(),
        secret: Some(secret.to_owned()),
        redirect_uri: String::new(),
    };
    let form = [("grant_type", "client_credentials"), ("resource", API)];
    assert_error(
        app.token_as(&client(&old), &form).await,
        401,
        "invalid_client",
    )
    .await;
    let res = app.token_as(&client(&new), &form).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["access_token"].is_string());

    // Nowhere else: not in a read, a list, the audit log, or the stored row.
    let shown = [
        serde_json::to_string(&m.get_client(&id).await.unwrap()).unwrap(),
        serde_json::to_string(&m.list_clients(PageRequest::default()).await.unwrap()).unwrap(),
        String::from_utf8(app.run_cli(&["client", "list"], "").stdout).unwrap(),
        String::from_utf8(app.run_cli(&["audit"], "").stdout).unwrap(),
    ];
    for text in &shown {
        assert!(text.contains(&id), "{text}");
        assert!(
            !text.contains(&new) && !text.contains(&old),
            "a secret in {text}"
        );
        assert!(!text.contains("secret_hash"), "{text}");
    }
    let lookup = id.clone();
    let stored = app
        .state
        .store
        .run(move |c| sigil::registry::get(c, &lookup))
        .await
        .unwrap()
        .unwrap();
    let hash = stored.secret_hash.unwrap();
    assert!(sigil::secrets::matches(&new, &hash));
    assert!(!sigil::secrets::matches(&old, &hash));
    assert!(!hash.contains(&new));
}

#[tokio::test]
async fn manage_rotation_keeps_a_secret_derived_encryption_key_in_step() {
    let app = TestApp::spawn().await;
    let m = Manager::from_state(&app.state);
    let meta = json!({"redirect_uris": ["https://app.example/cb"],
        "id_token_encrypted_response_alg": "A256KW"});
    let created = m
        .create_client(&Actor::cli(), meta.to_string())
        .await
        .unwrap();
    let id = created.client.client_id().to_owned();
    let sealed = |app: &TestApp, id: String| {
        let store = app.state.store.clone();
        async move {
            store
                .run(move |c| sigil::registry::get(c, &id))
                .await
                .unwrap()
                .unwrap()
                .secret_sealed
                .unwrap()
        }
    };
    let before = sealed(&app, id.clone()).await;
    let rotated = m.rotate_client_secret(&Actor::cli(), &id).await.unwrap();
    let after = sealed(&app, id.clone()).await;
    assert_ne!(before, after);
    let opened = app.state.keys.kek().unwrap(&after).unwrap();
    assert_eq!(opened, rotated.secret.unwrap().into_bytes());
}

#[tokio::test]
async fn manage_keys_list_the_published_keys_public_halves_and_rotate_with_one_row_each() {
    let app = TestApp::spawn().await;
    let m = Manager::from_state(&app.state);
    let listed = m.list_keys().await.unwrap();
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    let mut published: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    let mut kids: Vec<&str> = listed.iter().map(|k| k.kid.as_str()).collect();
    published.sort_unstable();
    kids.sort_unstable();
    assert_eq!(kids, published);
    for key in &listed {
        let shown = serde_json::to_value(key).unwrap();
        assert_eq!(shown["status"], "active");
        assert!(
            ["sig", "enc"].contains(&shown["use"].as_str().unwrap()),
            "{shown}"
        );
        assert_eq!(shown["public_jwk"]["kid"], shown["kid"]);
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(
                shown["public_jwk"].get(private).is_none(),
                "{private} in {shown}"
            );
        }
    }

    let actor = Actor::new("admin-sub");
    let rotated = m
        .rotate_keys(&actor, sigil::manage::keys::purposes(None).unwrap())
        .await
        .unwrap();
    assert_eq!(rotated.len(), listed.len());
    let after = m.list_keys().await.unwrap();
    assert_eq!(after.len(), 2 * listed.len(), "the old keys stay published");
    for r in &rotated {
        let old = after
            .iter()
            .find(|k| Some(&k.kid) == r.retired_kid.as_ref())
            .unwrap();
        assert_eq!(old.status, "retired");
        assert_eq!(old.expires_at, Some(r.retired_published_until));
    }
    let filter = AuditFilter {
        actor: Some("admin-sub".into()),
        ..AuditFilter::default()
    };
    let rows = app
        .state
        .store
        .run(move |c| audit_rows(c, &filter))
        .await
        .unwrap();
    assert_eq!(rows.len(), rotated.len());
    assert!(rows.iter().all(|r| r.action == "keys.rotate"));
}
