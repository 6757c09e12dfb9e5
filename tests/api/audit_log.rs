//! The audit log is append-only in the database itself: no statement changes or removes a row.

use crate::helpers::TestApp;

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_rows() {
    let app = TestApp::spawn().await;
    app.create_client(serde_json::json!({"redirect_uris": ["https://app.example/cb"]}))
        .await;
    let count = || app.state.store.run(sigil::store::audit::count);
    let before = count().await.unwrap();
    assert!(before >= 1, "the client's creation is audited");
    for sql in [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ] {
        let refused = app
            .state
            .store
            .run(move |c| {
                use diesel::RunQueryDsl;
                diesel::sql_query(sql).execute(c)?;
                Ok(())
            })
            .await;
        let err = refused.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(count().await.unwrap(), before);
    let rows = app
        .state
        .store
        .run(|c| sigil::store::audit::list(c, &Default::default()))
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.actor != "someone else"));
    let appended =
        app.create_client(serde_json::json!({"redirect_uris": ["https://b.example/cb"]}));
    appended.await;
    assert_eq!(count().await.unwrap(), before + 1, "appending still works");
}
