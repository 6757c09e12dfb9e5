use super::raw::validate_issuer;
use super::*;

fn raw() -> RawSettings {
    RawSettings::default()
}

#[test]
fn defaults_validate() {
    let s = raw().validate().unwrap();
    assert_eq!(s.issuer, "http://127.0.0.1:8080");
    assert_eq!(s.database, DatabaseUrl::Sqlite("sigil.db".into()));
    assert_eq!(s.kek, KekSource::Generated("sigil.kek".into()));
}

#[test]
fn issuer_rules() {
    for bad in [
        "not a url",
        "http://example.com",
        "ftp://127.0.0.1",
        "https://a.example/?x=1",
        "https://a.example/#f",
    ] {
        let err = validate_issuer(bad).unwrap_err();
        assert_eq!(err.setting, "SIGIL_ISSUER", "{bad}");
    }
    for good in [
        "https://id.example",
        "https://id.example/tenant",
        "http://localhost:8080",
        "http://127.0.0.2",
        "http://[::1]:9000",
    ] {
        assert_eq!(validate_issuer(good).unwrap(), good);
    }
}

#[test]
fn database_schemes() {
    assert!(matches!(
        DatabaseUrl::parse("postgres://u:p@h/db"),
        Ok(DatabaseUrl::Postgres(_))
    ));
    let err = DatabaseUrl::parse("mysql://h/db").unwrap_err();
    assert!(err.to_string().contains("unknown database scheme 'mysql'"));
    assert!(DatabaseUrl::parse("sqlite://").is_err());
}

#[test]
fn postgres_needs_a_kek() {
    let mut r = raw();
    r.database_url = "postgres://u@h/db".into();
    assert_eq!(r.clone().validate().unwrap_err().setting, "SIGIL_KEK");
    r.kek = Some("short".into());
    assert!(r.clone().validate().is_err());
    r.kek = Some(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        [7u8; 32],
    ));
    assert_eq!(r.validate().unwrap().kek, KekSource::Value([7u8; 32]));
}

#[test]
fn password_is_inserted_into_postgres_url() {
    let mut r = raw();
    r.database_url = "postgres://sigil@db.example/sigil".into();
    r.database_password = Some("s3cret".into());
    r.kek = Some(URL_SAFE.to_owned());
    let s = r.validate().unwrap();
    assert_eq!(
        s.database,
        DatabaseUrl::Postgres("postgres://sigil:s3cret@db.example/sigil".into())
    );
}

const URL_SAFE: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[test]
fn unreadable_kek_file_names_the_setting() {
    let mut r = raw();
    r.kek_file = Some("/nonexistent/kek".into());
    let err = r.validate().unwrap_err();
    assert_eq!(err.setting, "SIGIL_KEK_FILE");
    assert!(err.problem.contains("cannot read"));
}

#[test]
fn impersonation_lifetime_defaults_to_half_an_hour_and_needs_a_second() {
    assert_eq!(raw().validate().unwrap().lifetimes.impersonation, 1800);
    let mut r = raw();
    r.impersonation_max_lifetime = 1;
    assert_eq!(r.validate().unwrap().lifetimes.impersonation, 1);
    let mut r = raw();
    r.impersonation_max_lifetime = 0;
    let err = r.validate().unwrap_err();
    assert_eq!(err.setting, "SIGIL_IMPERSONATION_MAX_LIFETIME");
}

#[test]
fn self_service_settings_default_off_and_refuse_unknown_values() {
    let s = raw().validate().unwrap().self_service;
    assert_eq!(s.registration, RegistrationMode::Off);
    assert!(!s.client_credentials && !s.client_id_metadata_documents);
    assert_eq!(s.rate_limit.get(), 10);
    let mut r = raw();
    r.registration = "token".into();
    r.registration_client_credentials = "on".into();
    r.client_id_metadata_documents = "on".into();
    let s = r.validate().unwrap().self_service;
    assert_eq!(s.registration, RegistrationMode::Token);
    assert!(s.client_credentials && s.client_id_metadata_documents);
    let refused = |f: fn(&mut RawSettings)| {
        let mut r = raw();
        f(&mut r);
        r.validate().unwrap_err().setting
    };
    assert_eq!(
        refused(|r| r.registration = "yes".into()),
        "SIGIL_REGISTRATION"
    );
    assert_eq!(
        refused(|r| r.registration_client_credentials = "true".into()),
        "SIGIL_REGISTRATION_CLIENT_CREDENTIALS"
    );
    assert_eq!(
        refused(|r| r.registration_rate_limit = 0),
        "SIGIL_REGISTRATION_RATE_LIMIT"
    );
    assert_eq!(
        refused(|r| r.client_id_metadata_documents = "1".into()),
        "SIGIL_CLIENT_ID_METADATA_DOCUMENTS"
    );
}
