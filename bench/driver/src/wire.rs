//! A lean HTTP/1.1 client for the fixed-shape scenarios: one keep-alive connection per virtual
//! user, requests written as prepared bytes, responses parsed with `httparse`.
//!
//! The driver shares the machine with the servers. At 15 000 requests a second a general
//! client (pool, redirects, header maps) keeps the driver's core busy, and that core's load
//! slows the server's; this client does a fraction of that work per request, so the systems
//! are measured with less of the driver in the way.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use crate::flows::Failure;

/// Longest wait for one response.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response accepted (the JWKS and discovery documents are a few KiB).
const MAX_RESPONSE: usize = 1 << 20;

/// Where requests go: the address to connect to and the `Host` header.
#[derive(Debug, Clone)]
pub struct Target {
    addr: String,
    host: String,
}

impl Target {
    /// The origin of an `http://` URL, and the URL's path and query.
    pub fn of(url: &str) -> Result<(Self, String), Failure> {
        let url = Url::parse(url).map_err(|_| format!("bad URL {url}"))?;
        if url.scheme() != "http" {
            return Err(format!("only http:// is driven here, not {}", url.scheme()));
        }
        let host = url.host_str().ok_or("URL without host")?.to_owned();
        let port = url.port_or_known_default().unwrap_or(80);
        let mut path = url.path().to_owned();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        Ok((
            Self {
                addr: format!("{host}:{port}"),
                host: format!("{host}:{port}"),
            },
            path,
        ))
    }

    /// A GET request's bytes.
    pub fn get(&self, path: &str) -> Vec<u8> {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\r\n",
            self.host
        )
        .into_bytes()
    }

    /// A form POST's bytes, with an `Authorization` header value.
    pub fn post_form(&self, path: &str, authorization: &str, body: &str) -> Vec<u8> {
        format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {authorization}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        )
        .into_bytes()
    }
}

/// One virtual user's connection, opened on first use and again after the server closes it.
#[derive(Default)]
pub struct Conn {
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

/// A response: its status and body.
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl Conn {
    /// Sends `request` and reads the response. A kept-alive connection the server has closed
    /// meanwhile is opened again and the request sent once more.
    pub async fn send(&mut self, target: &Target, request: &[u8]) -> Result<Response, Failure> {
        let reused = self.stream.is_some();
        match tokio::time::timeout(TIMEOUT, self.exchange(target, request)).await {
            Ok(Ok(res)) => Ok(res),
            Ok(Err(Stale)) if reused => {
                self.stream = None;
                tokio::time::timeout(TIMEOUT, self.exchange(target, request))
                    .await
                    .map_err(|_| "timeout".to_owned())?
                    .map_err(|_| "connection closed".to_owned())
            }
            Ok(Err(Stale)) => Err("connection closed".into()),
            Err(_) => {
                self.stream = None;
                Err("timeout".into())
            }
        }
    }

    async fn exchange(&mut self, target: &Target, request: &[u8]) -> Result<Response, Stale> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&target.addr).await.map_err(|_| Stale)?;
            let _ = stream.set_nodelay(true);
            self.stream = Some(stream);
            self.buf.clear();
        }
        let result = self.round_trip(request).await;
        if !matches!(&result, Ok((_, true))) {
            self.stream = None;
        }
        result.map(|(res, _)| res)
    }

    /// Writes the request and reads one response; also says whether the connection stays open.
    async fn round_trip(&mut self, request: &[u8]) -> Result<(Response, bool), Stale> {
        let stream = self.stream.as_mut().ok_or(Stale)?;
        stream.write_all(request).await.map_err(|_| Stale)?;
        self.buf.clear();
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(&self.buf) {
                Ok(httparse::Status::Complete(head_len)) => {
                    let status = parsed.code.unwrap_or(0);
                    let mut length = None;
                    let mut chunked = false;
                    let mut keep_alive = parsed.version == Some(1);
                    for h in parsed.headers.iter() {
                        let value = std::str::from_utf8(h.value).unwrap_or("").trim();
                        if h.name.eq_ignore_ascii_case("content-length") {
                            length = value.parse::<usize>().ok();
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                            chunked = value.eq_ignore_ascii_case("chunked");
                        } else if h.name.eq_ignore_ascii_case("connection") {
                            keep_alive = !value.eq_ignore_ascii_case("close");
                        }
                    }
                    let body = if chunked {
                        self.read_chunked(head_len).await?
                    } else {
                        let length = length.ok_or(Stale)?;
                        self.fill_to(head_len + length).await?;
                        self.buf[head_len..head_len + length].to_vec()
                    };
                    return Ok((Response { status, body }, keep_alive));
                }
                Ok(httparse::Status::Partial) => self.read_more().await?,
                Err(_) => return Err(Stale),
            }
        }
    }

    async fn read_more(&mut self) -> Result<(), Stale> {
        if self.buf.len() > MAX_RESPONSE {
            return Err(Stale);
        }
        let stream = self.stream.as_mut().ok_or(Stale)?;
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await.map_err(|_| Stale)?;
        if n == 0 {
            return Err(Stale);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    async fn fill_to(&mut self, len: usize) -> Result<(), Stale> {
        while self.buf.len() < len {
            self.read_more().await?;
        }
        Ok(())
    }

    /// Reads a chunked body starting at `at` (RFC 9112 §7.1; extensions and trailers skipped).
    async fn read_chunked(&mut self, mut at: usize) -> Result<Vec<u8>, Stale> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = self.buf[at..].windows(2).position(|w| w == b"\r\n") {
                    break at + i;
                }
                self.read_more().await?;
            };
            let line = std::str::from_utf8(&self.buf[at..line_end]).map_err(|_| Stale)?;
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| Stale)?;
            at = line_end + 2;
            if size == 0 {
                // Trailers end with an empty line.
                loop {
                    if let Some(i) = self.buf[at..].windows(2).position(|w| w == b"\r\n") {
                        if i == 0 {
                            return Ok(body);
                        }
                        at += i + 2;
                    } else {
                        self.read_more().await?;
                    }
                }
            }
            self.fill_to(at + size + 2).await?;
            body.extend_from_slice(&self.buf[at..at + size]);
            at += size + 2;
        }
    }
}

/// The connection failed or closed before a whole response arrived.
struct Stale;

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn serve_once(answers: Vec<&'static [u8]>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            for answer in answers {
                let mut req = [0u8; 4096];
                let _ = s.read(&mut req).await.unwrap();
                s.write_all(answer).await.unwrap();
            }
        });
        format!("http://{addr}/x")
    }

    #[tokio::test]
    async fn reads_length_and_chunked_bodies_on_one_connection() {
        let url = serve_once(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
        ])
        .await;
        let (target, path) = Target::of(&url).unwrap();
        let mut conn = Conn::default();
        let first = conn.send(&target, &target.get(&path)).await.unwrap();
        assert_eq!((first.status, first.body.as_slice()), (200, &b"hello"[..]));
        let second = conn.send(&target, &target.get(&path)).await.unwrap();
        assert_eq!(
            (second.status, second.body.as_slice()),
            (201, &b"abcde"[..])
        );
    }

    #[tokio::test]
    async fn a_closed_connection_is_an_error_not_a_hang() {
        let url = serve_once(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]).await;
        let (target, path) = Target::of(&url).unwrap();
        let mut conn = Conn::default();
        assert!(conn.send(&target, &target.get(&path)).await.is_err());
    }
}
