//! The whole browserless sign-in: authorize → login form → code → token, against a real server
//! on loopback, next to one argon2id verification (the floor every login pays).

use std::net::TcpListener;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use sha2::Digest;
use sigil::clock::{Clock, SystemClock};
use sigil::config::RawSettings;
use sigil::startup::Application;
use sigil::state::AppState;

const PASSWORD: &str = "correct horse battery staple";

struct Fixture {
    base: String,
    client_id: String,
    secret: String,
    redirect_uri: String,
    _dir: tempfile::TempDir,
}

async fn start(rt_state: &mut Option<actix_web::web::Data<AppState>>) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("http://127.0.0.1:{port}");
    let raw = RawSettings {
        issuer: base.clone(),
        bind: format!("127.0.0.1:{port}"),
        database_url: format!("sqlite://{}", dir.path().join("sigil.db").display()),
        ..RawSettings::default()
    };
    let app = Application::build_on(
        listener,
        raw.validate().expect("settings"),
        Arc::new(SystemClock),
    )
    .await
    .expect("app");
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let now = SystemClock.now();
    let user = sigil::store::users::UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: "bench".into(),
        email: Some("bench@example.com".into()),
        name: None,
        password_hash: sigil::password::hash(PASSWORD).expect("hash"),
        created_at: now,
        updated_at: now,
        email_verified: true,
        claims: "{}".into(),
        token_generation: 0,
        disabled: false,
    };
    let meta = r#"{"redirect_uris": ["http://127.0.0.1:9/cb"], "sigil_first_party": true, "scope": "openid email"}"#;
    let kek = state.keys.kek().clone();
    let issued = state
        .store
        .run(move |c| {
            sigil::store::users::create(c, &user, &[])?;
            let actor = sigil::manage::Actor::new("bench");
            sigil::manage::clients::register(c, &actor, now, meta, &kek)
                .map_err(|e| sigil::store::StoreError::Corrupt(e.to_string()))
        })
        .await
        .expect("fixtures");
    *rt_state = Some(state);
    Fixture {
        base,
        client_id: issued.client.client_id().to_owned(),
        secret: issued.secret.expect("secret"),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        _dir: dir,
    }
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .expect("hidden input")
        + name.len()
        + 15;
    html[at..at + html[at..].find('"').expect("end")].to_owned()
}

/// The `name=value` pairs a response sets, as one `Cookie` header value.
fn cookies(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// One sign-in by a new browser (no cookies), reusing the HTTP connection pool like a load
/// generator would, so the figure is the server's cost, not the client's set-up.
async fn sign_in(f: &Fixture, browser: &reqwest::Client) {
    let verifier = sigil::secrets::random_token(32);
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let res = browser
        .get(format!("{}/authorize", f.base))
        .query(&[
            ("client_id", f.client_id.as_str()),
            ("redirect_uri", f.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    let jar = cookies(&res);
    // A new request that needs the password shows the login form at once.
    let html = res.text().await.expect("login page");
    let res = browser
        .post(format!("{}/login", f.base))
        .header("cookie", &jar)
        .form(&[
            ("username", "bench"),
            ("password", PASSWORD),
            ("csrf_token", hidden(&html, "csrf_token").as_str()),
            ("request", hidden(&html, "request").as_str()),
        ])
        .send()
        .await
        .expect("login");
    let location =
        url::Url::parse(res.headers()["location"].to_str().expect("location")).expect("url");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("code")
        .1
        .into_owned();
    let tokens = browser
        .post(format!("{}/token", f.base))
        .basic_auth(&f.client_id, Some(&f.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", f.redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(tokens.status(), 200);
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut state = None;
    let fixture = rt.block_on(start(&mut state));
    let phc = sigil::password::hash(PASSWORD).expect("hash");
    let mut group = c.benchmark_group("login");
    group.sample_size(20);
    group.bench_function("argon2id_verify", |b| {
        b.iter(|| assert!(sigil::password::verify(PASSWORD, &phc)))
    });
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    group.bench_function("full_flow", |b| {
        b.iter(|| rt.block_on(sign_in(&fixture, &browser)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
