//! Hostile and malformed token-exchange requests: each is refused with the RFC 6749 §5.2 /
//! RFC 8693 §2.2.2 code it calls for, a JSON body and a description — never a 500.

use serde_json::json;

use crate::helpers::exchange::{ACCESS, GRANT, ID, JWT, refusal, setup};

const REFRESH: &str = "urn:ietf:params:oauth:token-type:refresh_token";
const SAML2: &str = "urn:ietf:params:oauth:token-type:saml2";

#[tokio::test]
async fn malformed_requests_are_invalid_request() {
    let ex = setup(json!({})).await;
    let t = ex.user_token.as_str();
    let cases: [(&str, &[(&str, &str)]); 16] = [
        ("nothing", &[]),
        ("no subject_token", &[("subject_token_type", ACCESS)]),
        ("empty requested_subject", &[("requested_subject", "")]),
        ("no subject_token_type", &[("subject_token", t)]),
        (
            "empty subject_token",
            &[("subject_token", ""), ("subject_token_type", ACCESS)],
        ),
        (
            "empty subject_token_type",
            &[("subject_token", t), ("subject_token_type", "")],
        ),
        (
            "unknown subject_token_type",
            &[("subject_token", t), ("subject_token_type", SAML2)],
        ),
        (
            "subject_token_type not a URI",
            &[("subject_token", t), ("subject_token_type", "access_token")],
        ),
        (
            "a refresh token as subject",
            &[("subject_token", t), ("subject_token_type", REFRESH)],
        ),
        (
            "duplicated subject_token",
            &[
                ("subject_token", t),
                ("subject_token", t),
                ("subject_token_type", ACCESS),
            ],
        ),
        (
            "duplicated subject_token_type",
            &[
                ("subject_token", t),
                ("subject_token_type", ACCESS),
                ("subject_token_type", ID),
            ],
        ),
        (
            "an ID token asked for",
            &[
                ("subject_token", t),
                ("subject_token_type", ACCESS),
                ("requested_token_type", ID),
            ],
        ),
        (
            "a refresh token asked for",
            &[
                ("subject_token", t),
                ("subject_token_type", ACCESS),
                ("requested_token_type", REFRESH),
            ],
        ),
        (
            "an unknown type asked for",
            &[
                ("subject_token", t),
                ("subject_token_type", ACCESS),
                ("requested_token_type", SAML2),
            ],
        ),
        (
            "a refresh token as actor",
            &[
                ("subject_token", t),
                ("subject_token_type", ACCESS),
                ("actor_token", t),
                ("actor_token_type", REFRESH),
            ],
        ),
        (
            "duplicated requested_token_type",
            &[
                ("subject_token", t),
                ("subject_token_type", ACCESS),
                ("requested_token_type", ACCESS),
                ("requested_token_type", JWT),
            ],
        ),
    ];
    for (case, form) in cases {
        let res = ex.app.exchange_as(&ex.gateway, form).await;
        assert_eq!(res.status(), 400, "{case}");
        refusal(res, 400, "invalid_request").await;
    }
    // The same request with its parameters right is good: the refusals were for their flaws.
    ex.app.exchanged(&ex.gateway, t, &[]).await;
}

#[tokio::test]
async fn a_malformed_scope_is_invalid_scope() {
    let ex = setup(json!({})).await;
    for scope in [
        "orders:read  orders:write",
        " orders:read",
        "orders:read ",
        "orders\"read",
        "orders\\read",
        "orders:read\torders:write",
    ] {
        let res = ex
            .app
            .exchange_as(
                &ex.gateway,
                &[
                    ("subject_token", &ex.user_token),
                    ("subject_token_type", ACCESS),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(res.status(), 400, "{scope:?}");
        refusal(res, 400, "invalid_scope").await;
    }
}

#[tokio::test]
async fn huge_and_shapeless_subject_tokens_are_refused_without_a_server_error() {
    let ex = setup(json!({})).await;
    let huge = "a".repeat(100 * 1024);
    let res = ex
        .app
        .exchange_as(
            &ex.gateway,
            &[("subject_token", &huge), ("subject_token_type", ACCESS)],
        )
        .await;
    assert_eq!(res.status(), 413);
    refusal(res, 413, "invalid_request").await;
    // Within the body limit, anything token-shaped that is not a token is invalid_grant.
    let big = format!("{0}.{0}.{0}", "b".repeat(5000));
    let header = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9";
    let half = format!("{header}.bm90IGpzb24.c2ln");
    for subject in [
        big.as_str(),
        half.as_str(),
        "a.b.c.d.e",
        "....",
        "ñ.ñ.ñ",
        "eyJ9.eyJ9.eyJ9",
    ] {
        for kind in [ACCESS, ID] {
            let res = ex
                .app
                .exchange_as(
                    &ex.gateway,
                    &[("subject_token", subject), ("subject_token_type", kind)],
                )
                .await;
            assert_eq!(res.status(), 400, "{subject:.40} as {kind}");
            refusal(res, 400, "invalid_grant").await;
        }
    }
}

#[tokio::test]
async fn a_public_client_is_unauthorized_client() {
    let ex = setup(json!({})).await;
    let public = ex
        .app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "token_endpoint_auth_method": "none",
            "scope": "openid orders:read",
        }))
        .await;
    let res = ex
        .app
        .token_request()
        .form(&[
            ("grant_type", GRANT),
            ("client_id", public.id.as_str()),
            ("subject_token", ex.user_token.as_str()),
            ("subject_token_type", ACCESS),
        ])
        .send()
        .await
        .unwrap();
    refusal(res, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn an_unauthenticated_exchange_is_invalid_client() {
    let ex = setup(json!({})).await;
    let form = [
        ("grant_type", GRANT),
        ("subject_token", ex.user_token.as_str()),
        ("subject_token_type", ACCESS),
    ];
    let anonymous = ex.app.token_request().form(&form).send().await.unwrap();
    refusal(anonymous, 401, "invalid_client").await;
    let wrong = ex
        .app
        .token_request()
        .basic_auth(&ex.gateway.id, Some("not the secret"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(wrong.headers().contains_key("www-authenticate"));
    refusal(wrong, 401, "invalid_client").await;
}

#[tokio::test]
async fn a_nul_in_the_subject_token_is_a_malformed_request() {
    let ex = setup(json!({})).await;
    let with_nul = format!("{}\u{0}", ex.user_token);
    ex.app
        .refused(&ex.gateway, &with_nul, &[], (400, "invalid_request"))
        .await;
}

#[tokio::test]
async fn a_nul_in_the_client_id_is_invalid_client_not_a_server_error() {
    let ex = setup(json!({})).await;
    let res = ex
        .app
        .token_request()
        .basic_auth(
            format!("{}\u{0}", ex.gateway.id),
            ex.gateway.secret.as_deref(),
        )
        .form(&[
            ("grant_type", GRANT),
            ("subject_token", ex.user_token.as_str()),
            ("subject_token_type", ACCESS),
        ])
        .send()
        .await
        .unwrap();
    refusal(res, 401, "invalid_client").await;
}

#[tokio::test]
async fn a_nul_in_the_target_is_a_malformed_request_not_a_server_error() {
    let ex = setup(json!({})).await;
    for name in ["resource", "audience"] {
        ex.app
            .refused(
                &ex.gateway,
                &ex.user_token,
                &[(name, "https://orders.example/\u{0}")],
                (400, "invalid_request"),
            )
            .await;
    }
}
