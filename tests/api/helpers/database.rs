//! The database of one test: a temporary SQLite file, or a fresh schema in the PostgreSQL
//! database `SIGIL_TEST_DATABASE_URL` names; and the `sigil` binary run against it.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use diesel::{Connection, PgConnection, RunQueryDsl};
use sigil::config::RawSettings;
use tempfile::TempDir;

/// A database for one test: a temporary SQLite file, or a fresh PostgreSQL schema.
pub struct TestDatabase {
    /// `SIGIL_DATABASE_URL` for it.
    pub url: String,
    /// `SIGIL_KEK` for it (PostgreSQL needs one; SQLite generates its own file).
    pub kek: Option<String>,
    /// Working directory for files (SQLite database, KEK file, metadata).
    pub dir: TempDir,
}

/// True when the suite runs against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("SIGIL_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

impl TestDatabase {
    /// A fresh database of the backend this run tests.
    pub fn new() -> Self {
        sigil::secrets::init_openssl();
        let dir = tempfile::tempdir().expect("tempdir");
        match std::env::var("SIGIL_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&base).expect("connect to PostgreSQL");
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
                let kek = base64::engine::general_purpose::STANDARD.encode(rand_bytes());
                Self {
                    url,
                    kek: Some(kek),
                    dir,
                }
            }
            _ => {
                let url = format!("sqlite://{}", dir.path().join("sigil.db").display());
                Self {
                    url,
                    kek: None,
                    dir,
                }
            }
        }
    }

    /// Settings for this database, listening where `issuer` says.
    pub fn raw_settings(&self, issuer: &str, bind: &str) -> RawSettings {
        RawSettings {
            issuer: issuer.to_owned(),
            bind: bind.to_owned(),
            database_url: self.url.clone(),
            database_pool_size: 4,
            kek: self.kek.clone(),
            key_reload_interval: 3600,
            ..RawSettings::default()
        }
    }

    /// A `sigil` command against this database, with no inherited `SIGIL_*` variable.
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigil"));
        for (key, _) in std::env::vars() {
            if key.starts_with("SIGIL_") {
                cmd.env_remove(key);
            }
        }
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("SIGIL_DATABASE_URL", &self.url)
            .stdin(Stdio::null());
        if let Some(kek) = &self.kek {
            cmd.env("SIGIL_KEK", kek);
        }
        cmd
    }

    /// Runs `sigil args…` with `stdin` as standard input.
    pub fn run_cli(&self, args: &[&str], stdin: &str) -> Output {
        self.run_cli_env(args, stdin, &[])
    }

    /// Runs `sigil args…` with extra environment variables.
    pub fn run_cli_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        use std::io::Write;
        let mut cmd = self.cli(args);
        cmd.envs(env.iter().copied());
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sigil");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait for sigil")
    }

    /// Writes a file in the test directory and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }
}

fn rand_bytes() -> [u8; 32] {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}
