//! `sigil user signout USERNAME`: every session, refresh family and earlier access token ends.

use serde_json::Value;

use crate::helpers::TestApp;
use crate::helpers::logout::{Receiver, check_logout_token};
use crate::helpers::oauth::{assert_error, jwt_parts};

// Multi-threaded: the receiver must answer while this thread waits for the command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signout_ends_everything_and_new_logins_work() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let receiver = Receiver::start(Some(vec![200])).await;
    let client = app.logout_client(Some(&receiver.url)).await;
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let sid = jwt_parts(tokens["id_token"].as_str().unwrap()).1["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let bound = app.seed_refresh(&client.id, &user, Some(&sid)).await;
    let offline = app.seed_refresh(&client.id, &user, None).await;
    assert_eq!(app.userinfo(&access).await.status(), 200);

    let out = app.run_cli(&["user", "signout", "ada"], "");
    assert!(out.status.success(), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["user_id"], user.as_str());
    assert_eq!(report["sessions_ended"], 1);
    assert_eq!(report["refresh_families_revoked"], 2);
    assert_eq!(report["backchannel_logout"]["delivered"], 1);
    // The command waited for delivery: the token is already there.
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].content_type, "application/x-www-form-urlencoded");
    let claims = check_logout_token(&app, &got[0].logout_token(), &client.id).await;
    assert_eq!(
        (claims["sid"].as_str(), claims["sub"].as_str()),
        (Some(sid.as_str()), Some(user.as_str()))
    );

    assert_error(app.userinfo(&access).await, 401, "invalid_token").await;
    assert!(app.refresh_revoked(&bound).await && app.refresh_revoked(&offline).await);
    assert!(app.asks_for_password(&client).await, "the session is gone");
    let generation = {
        let id = user.clone();
        app.state
            .store
            .run(move |c| sigil::store::users::by_id(c, &id))
            .await
            .unwrap()
            .unwrap()
            .token_generation
    };
    assert_eq!(generation, 1);
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.signout".to_owned())
    );

    let fresh = app.tokens_for(&client, "openid", &[]).await;
    let fresh_access = fresh["access_token"].as_str().unwrap();
    assert_ne!(fresh_access, access);
    assert_eq!(jwt_parts(fresh_access).1["sigil_gen"], 1);
    assert_eq!(app.userinfo(fresh_access).await.status(), 200);
    assert_error(app.userinfo(&access).await, 401, "invalid_token").await;

    let again = app.run_cli(&["user", "signout", "ada"], "");
    let report: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["sessions_ended"], 1, "the new session");
    assert_eq!(report["refresh_families_revoked"], 0);
    assert_eq!(report["backchannel_logout"]["delivered"], 1);
    assert_eq!(receiver.wait_for(2).await.len(), 2);
}

#[tokio::test]
async fn signing_out_an_unknown_user_fails_in_one_line() {
    let app = TestApp::spawn().await;
    let out = app.run_cli(&["user", "signout", "nobody"], "");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nobody"), "{stderr}");
    let out = app.run_cli(&["user", "signout"], "");
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_code_dies_with_its_session() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;

    // Signed out everywhere between the code and its redemption.
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let out = app.run_cli(&["user", "signout", "ada"], "");
    assert!(out.status.success(), "{out:?}");
    assert_error(
        app.redeem(&client, &code, &verifier).await,
        400,
        "invalid_grant",
    )
    .await;

    // A code from the next sign-in, whose session lives, is good.
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    assert_eq!(app.redeem(&client, &code, &verifier).await.status(), 200);
}
