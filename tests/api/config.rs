//! Bad configuration: one clear line naming the setting, non-zero exit.

use crate::helpers::TestDatabase;

fn refuses(env: &[(&str, &str)], setting: &str) {
    let db = TestDatabase::new();
    let out = db.run_cli_env(&["serve"], "", env);
    assert!(!out.status.success(), "{env:?} accepted");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(setting), "{setting} not named: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn issuer_must_be_an_absolute_https_or_loopback_url() {
    refuses(&[("SIGIL_ISSUER", "not a url")], "SIGIL_ISSUER");
    refuses(&[("SIGIL_ISSUER", "http://id.example.com")], "SIGIL_ISSUER");
    refuses(
        &[("SIGIL_ISSUER", "https://id.example.com/?q=1")],
        "SIGIL_ISSUER",
    );
}

#[test]
fn database_scheme_bind_and_kek_are_checked() {
    refuses(
        &[("SIGIL_DATABASE_URL", "mysql://db/sigil")],
        "SIGIL_DATABASE_URL",
    );
    refuses(&[("SIGIL_BIND", "everywhere")], "SIGIL_BIND");
    refuses(&[("SIGIL_KEK_FILE", "/nonexistent/kek")], "SIGIL_KEK_FILE");
    refuses(&[("SIGIL_KEK", "too-short")], "SIGIL_KEK");
    refuses(
        &[("SIGIL_DATABASE_POOL_SIZE", "many")],
        "SIGIL_DATABASE_POOL_SIZE",
    );
    refuses(&[("SIGIL_LOG_FORMAT", "xml")], "SIGIL_LOG_FORMAT");
}

#[test]
fn a_config_file_is_read_and_the_environment_wins() {
    let db = TestDatabase::new();
    let file = db.write("sigil.toml", "issuer = \"http://example.com\"\n");
    let file = file.to_str().unwrap();
    let out = db.run_cli_env(&["migrate"], "", &[("SIGIL_CONFIG", file)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SIGIL_ISSUER"));
    let out = db.run_cli_env(
        &["migrate"],
        "",
        &[
            ("SIGIL_CONFIG", file),
            ("SIGIL_ISSUER", "https://id.example"),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let bad = db.write("bad.toml", "nonsense = 1\n");
    refuses(&[("SIGIL_CONFIG", bad.to_str().unwrap())], "nonsense");
    refuses(
        &[("SIGIL_CONFIG", "/nonexistent/sigil.toml")],
        "SIGIL_CONFIG",
    );
}

#[test]
fn secrets_come_from_files() {
    let db = TestDatabase::new();
    let kek = db.write("kek", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    let kek = kek.to_str().unwrap();
    let out = db.run_cli_env(&["migrate"], "", &[("SIGIL_KEK_FILE", kek)]);
    assert!(out.status.success(), "{out:?}");
}
