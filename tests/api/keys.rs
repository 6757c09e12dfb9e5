//! Signing and encryption keys: published without private parts, encrypted at rest, rotated
//! without a restart.

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sigil::clock::{Clock, SystemClock};
use sigil::domain::enc_alg::KeyAlg;
use sigil::jose::SigningAlg;
use sigil::jose::sign::sign;
use sigil::store::keys;

use crate::helpers::oauth::verifies_against;
use crate::helpers::{TestApp, TestDatabase, manual_clock};

async fn jwks(app: &TestApp) -> Value {
    let res = app.get("/jwks").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn kids(jwks: &Value) -> BTreeSet<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn sign_with(app: &TestApp, alg: SigningAlg) -> (String, String) {
    let key = app.state.keys.current().signing_key(alg).unwrap();
    let now = SystemClock.now();
    let claims = json!({"iss": app.issuer, "sub": "s", "aud": "a", "iat": now, "exp": now + 300});
    (sign(&claims, "JWT", &key).unwrap(), key.kid.clone())
}

#[tokio::test]
async fn jwks_has_one_key_per_algorithm_with_kid_use_alg_and_no_private_member() {
    let app = TestApp::spawn().await;
    let doc = jwks(&app).await;
    let keys = doc["keys"].as_array().unwrap();
    let algs = |usage: &str| -> BTreeSet<&str> {
        keys.iter()
            .filter(|k| k["use"] == usage)
            .map(|k| k["alg"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        algs("sig"),
        BTreeSet::from(["RS256", "PS256", "ES256", "EdDSA"])
    );
    assert_eq!(
        algs("enc"),
        BTreeSet::from(["RSA-OAEP-256", "ECDH-ES+A256KW"])
    );
    assert_eq!(keys.len(), 6);
    for key in keys {
        assert!(key["kid"].is_string());
        for private in ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] {
            assert!(key.get(private).is_none(), "{private} published in {key}");
        }
    }
    for alg in SigningAlg::ALL {
        let (token, _) = sign_with(&app, alg);
        assert!(
            verifies_against(&doc, &token),
            "{alg} token does not verify"
        );
    }
}

#[tokio::test]
async fn private_keys_at_rest_are_unusable_without_the_kek() {
    let app = TestApp::spawn().await;
    let rows = app.state.store.run(keys::all).await.unwrap();
    assert_eq!(rows.len(), 6);
    for row in rows {
        assert!(josekit::jwk::Jwk::from_bytes(row.private_jwe.as_bytes()).is_err());
        assert!(serde_json::from_str::<Value>(&row.private_jwe).is_err());
        assert!(!row.private_jwe.contains("PRIVATE KEY"));
        assert_eq!(row.private_jwe.split('.').count(), 5, "a compact JWE");
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(row.private_jwe.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "A256GCMKW");
        assert_eq!(header["enc"], "A256GCM");
    }
}

#[tokio::test]
async fn a_wrong_kek_stops_start_up_with_a_clear_error() {
    let db = TestDatabase::new();
    let first = db.run_cli(&["migrate"], "");
    assert!(first.status.success(), "{first:?}");
    let rotate = db.run_cli(&["keys", "rotate", "--alg", "ES256"], "");
    assert!(rotate.status.success(), "{rotate:?}");
    let wrong = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
    let out = db
        .cli(&["serve"])
        .env("SIGIL_KEK", wrong)
        .env("SIGIL_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("key-encryption key does not decrypt"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn rotation_signs_with_the_new_key_and_keeps_the_old_one_published() {
    let app = TestApp::spawn().await;
    let before = kids(&jwks(&app).await);
    let (old_token, old_kid) = sign_with(&app, SigningAlg::RS256);
    let old_enc = app
        .state
        .keys
        .current()
        .active_decryption_key(KeyAlg::RsaOaep256)
        .unwrap()
        .kid
        .clone();

    let out = app.run_cli(&["keys", "rotate"], "");
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(app.state.keys.reload_if_changed().await.unwrap());

    let doc = jwks(&app).await;
    let after = kids(&doc);
    assert_eq!(after.len(), 12);
    let keys = app.state.keys.current();
    let new_enc = keys.active_decryption_key(KeyAlg::RsaOaep256).unwrap();
    assert_ne!(new_enc.kid, old_enc, "the encryption key rotates too");
    assert!(
        keys.decryption_key(&old_enc).is_some(),
        "a retired encryption key still decrypts while published"
    );
    assert!(before.is_subset(&after));
    let (new_token, new_kid) = sign_with(&app, SigningAlg::RS256);
    assert_ne!(new_kid, old_kid);
    assert!(!before.contains(&new_kid));
    assert!(verifies_against(&doc, &old_token));
    assert!(verifies_against(&doc, &new_token));

    let decoded = app.run_cli(&["token", "decode", "--verify", &old_token], "");
    assert!(decoded.status.success(), "{decoded:?}");
}

#[tokio::test]
async fn a_running_server_picks_up_rotation_by_another_process() {
    let db = TestDatabase::new();
    let app =
        TestApp::spawn_with(db, |raw| raw.key_reload_interval = 1, Arc::new(SystemClock)).await;
    let before = kids(&jwks(&app).await);
    let out = app.run_cli(&["keys", "rotate", "--alg", "EdDSA"], "");
    assert!(out.status.success(), "{out:?}");
    let mut after = before.clone();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        after = kids(&jwks(&app).await);
        if after.len() == 7 {
            break;
        }
    }
    assert_eq!(after.len(), 7, "the new EdDSA key is published");
}

#[tokio::test]
async fn retired_keys_leave_the_jwks_once_their_tokens_have_expired() {
    let db = TestDatabase::new();
    let clock = manual_clock();
    clock.advance(SystemClock.now() - clock.now());
    let app = TestApp::spawn_with(db, |_| {}, clock.clone()).await;
    let out = app
        .db
        .cli(&["keys", "rotate", "--alg", "ES256"])
        .env("SIGIL_KEY_RETENTION", "3600")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    app.state.keys.reload_if_changed().await.unwrap();
    assert_eq!(kids(&jwks(&app).await).len(), 7);
    clock.advance(3599);
    app.state.keys.reload_if_changed().await.unwrap();
    assert_eq!(kids(&jwks(&app).await).len(), 7, "still inside retention");
    clock.advance(120);
    assert!(app.state.keys.reload_if_changed().await.unwrap());
    assert_eq!(kids(&jwks(&app).await).len(), 6, "retired key gone");
}

#[tokio::test]
async fn token_decode_refuses_tampered_foreign_and_malformed_tokens() {
    let app = TestApp::spawn().await;
    let (token, _) = sign_with(&app, SigningAlg::ES256);
    let parts: Vec<&str> = token.split('.').collect();
    let forged_claims = URL_SAFE_NO_PAD.encode(br#"{"iss":"x","exp":1}"#);
    let tampered = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
    let none_alg = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        parts[1]
    );
    for bad in [tampered.as_str(), none_alg.as_str(), "not-a-token"] {
        let out = app.run_cli(&["token", "decode", "--verify", bad], "");
        assert!(!out.status.success(), "{bad} accepted");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    let plain = app.run_cli(&["token", "decode", &token], "");
    assert!(plain.status.success());
    let shown: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(shown["header"]["alg"], "ES256");
    assert_eq!(shown["claims"]["sub"], "s");
    assert_eq!(shown["verified"], false);
}

#[tokio::test]
async fn token_decode_decrypts_a_token_encrypted_to_either_published_encryption_key() {
    let app = TestApp::spawn().await;
    let (signed, _) = sign_with(&app, SigningAlg::ES256);
    let doc = jwks(&app).await;
    for alg in ["RSA-OAEP-256", "ECDH-ES+A256KW"] {
        let key = doc["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == alg && k["use"] == "enc")
            .unwrap();
        let encrypted = crate::helpers::jwe::to_sigil(&doc, &signed, alg);
        let out = app.run_cli(&["token", "decode", "--verify", &encrypted], "");
        assert!(out.status.success(), "{alg}: {out:?}");
        let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(shown["encryption_header"]["alg"], alg);
        assert_eq!(shown["encryption_header"]["kid"], key["kid"]);
        assert_eq!(shown["header"]["alg"], "ES256");
        assert_eq!(shown["claims"]["sub"], "s");
        assert_eq!(shown["verified"], true);
        let tampered = crate::helpers::jwe::tamper(&encrypted, 3);
        let out = app.run_cli(&["token", "decode", &tampered], "");
        assert!(!out.status.success(), "a tampered JWE decrypted");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("cannot decrypt"), "{stderr}");
    }
}
