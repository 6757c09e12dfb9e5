//! The real `sigil serve` binary as a child process.

use std::process::{Child, Stdio};
use std::time::Duration;

use super::TestDatabase;

/// A `sigil serve` child process, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the real binary on `db` at `port` and waits for `/healthz`.
pub async fn start_binary(db: &TestDatabase, port: u16) -> Server {
    start_binary_logging_to(db, port, Stdio::null()).await
}

/// [`start_binary`], its log (standard error) going to `log`.
pub async fn start_binary_logging_to(db: &TestDatabase, port: u16, log: Stdio) -> Server {
    let server = Server(
        db.cli(&["serve"])
            .env("SIGIL_BIND", format!("127.0.0.1:{port}"))
            .env("SIGIL_ISSUER", format!("http://127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..300 {
        if reqwest::get(&url).await.is_ok_and(|r| r.status() == 200) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("sigil serve did not come up");
}
