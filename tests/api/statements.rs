//! The statements sign-ins and refreshes run stay prepared on their connection.

use std::sync::{Arc, Mutex};

use diesel::Connection;
use diesel::connection::InstrumentationEvent;

use crate::helpers::TestApp;

/// How often a statement starting with `prefix` was run and how often it was put in the
/// connection's prepared-statement cache.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Seen {
    run: usize,
    cached: usize,
}

/// Runs `f` on one pooled connection, counting the statements that start with `prefix`.
async fn count_statements(
    app: &TestApp,
    prefix: &'static str,
    f: impl FnOnce(&mut sigil::store::DbConnection) -> Result<(), sigil::store::StoreError>
    + Send
    + 'static,
) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let counter = seen.clone();
    app.state
        .store
        .run(move |c| {
            c.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                let mut seen = counter.lock().expect("counter");
                match event {
                    InstrumentationEvent::StartQuery { query, .. }
                        if query.to_string().starts_with(prefix) =>
                    {
                        seen.run += 1;
                    }
                    InstrumentationEvent::CacheQuery { sql, .. } if sql.starts_with(prefix) => {
                        seen.cached += 1;
                    }
                    _ => {}
                }
            });
            let result = f(c);
            c.set_instrumentation(|_: InstrumentationEvent<'_>| {});
            result
        })
        .await
        .expect("statements run");
    seen.lock().map(|s| *s).expect("counter")
}

#[tokio::test]
async fn a_session_touch_is_prepared_once_and_reused() {
    let app = TestApp::spawn().await;
    let seen = count_statements(&app, "UPDATE", |c| {
        for i in 0..3 {
            sigil::store::sessions::touch(c, &format!("no-such-session-{i}"), i)?;
        }
        Ok(())
    })
    .await;
    assert_eq!(seen, Seen { run: 3, cached: 1 });
}

#[tokio::test]
async fn spending_a_code_is_prepared_once_and_reused() {
    let app = TestApp::spawn().await;
    let seen = count_statements(&app, "UPDATE", |c| {
        for i in 0..3 {
            let issued = sigil::store::codes::Issued {
                jti: format!("jti-{i}"),
                exp: 100,
                family: None,
            };
            let found =
                sigil::store::codes::redeem(c, &format!("no-such-code-{i}"), "c", 1, &issued)?;
            assert_eq!(found, sigil::store::codes::Redemption::Invalid);
        }
        Ok(())
    })
    .await;
    assert_eq!(seen, Seen { run: 3, cached: 1 });
}

#[tokio::test]
async fn spending_a_refresh_token_is_prepared_once_and_reused() {
    use sigil::store::refresh_tokens::{AccessRecord, Attempt, Rotation, rotate};
    let app = TestApp::spawn().await;
    let seen = count_statements(&app, "UPDATE", |c| {
        for i in 0..3 {
            let token = format!("no-such-token-{i}");
            let attempt = Attempt {
                token_hash: &token,
                successor_hash: "successor",
                client_id: "c",
                now: 1,
                sliding: 60,
                grace: 0,
                idle_after: 0,
                access: AccessRecord { jti: "j", exp: 2 },
            };
            assert_eq!(rotate(c, attempt)?, Rotation::Invalid);
        }
        Ok(())
    })
    .await;
    assert_eq!(seen, Seen { run: 3, cached: 1 });
}
