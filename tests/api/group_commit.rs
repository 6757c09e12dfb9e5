//! Group commit (`sigil::store::batch`): storage steps of concurrent requests share one
//! transaction, each in its own savepoint, and answer only once it has committed.

use std::sync::Arc;

use diesel::RunQueryDsl;
use sigil::store::Store;
use sigil::store::batch::Batcher;

use crate::helpers::TestApp;

async fn create(store: &Store) {
    store
        .run(|c| {
            diesel::sql_query("CREATE TABLE batch_t (v BIGINT NOT NULL UNIQUE)").execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn count(store: &Store) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    store
        .run(|c| {
            let n: N = diesel::sql_query("SELECT COUNT(*) AS n FROM batch_t").get_result(c)?;
            Ok(n.n)
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_steps_all_commit_and_each_gets_its_own_answer() {
    let app = TestApp::spawn().await;
    let store = app.state.store.clone();
    create(&store).await;
    let batcher = Arc::new(Batcher::spawn(store.clone()));
    let mut waiting = Vec::new();
    for i in 0..200i64 {
        let batcher = batcher.clone();
        waiting.push(tokio::spawn(async move {
            batcher
                .run(move |c| {
                    diesel::sql_query(format!("INSERT INTO batch_t (v) VALUES ({i})"))
                        .execute(c)?;
                    Ok(i * 2)
                })
                .await
        }));
    }
    for (i, w) in waiting.into_iter().enumerate() {
        assert_eq!(w.await.unwrap().unwrap(), i64::try_from(i).unwrap() * 2);
    }
    assert_eq!(count(&store).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_step_rolls_back_alone() {
    let app = TestApp::spawn().await;
    let store = app.state.store.clone();
    create(&store).await;
    let batcher = Arc::new(Batcher::spawn(store.clone()));
    let insert = |v: i64| {
        let batcher = batcher.clone();
        tokio::spawn(async move {
            batcher
                .run(move |c| {
                    diesel::sql_query(format!("INSERT INTO batch_t (v) VALUES ({v})"))
                        .execute(c)?;
                    // A second write in the same step: rolled back with it when it fails.
                    diesel::sql_query(format!("INSERT INTO batch_t (v) VALUES ({})", v + 1000))
                        .execute(c)?;
                    Ok(())
                })
                .await
        })
    };
    let (a, dup, b) = (insert(1), insert(1), insert(2));
    let results = [a.await.unwrap(), dup.await.unwrap(), b.await.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_err()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        count(&store).await,
        4,
        "the two good steps wrote two rows each"
    );
}
