//! Helpers for the encryption tests: clients' key pairs, decryption with josekit's own
//! context (not sigil's decryption path), the key a client derives from its secret by hand,
//! and a `jwks_uri` server that counts its requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use josekit::jwe::{self, JweContext, JweDecrypter, JweHeader};
use josekit::jwk::Jwk;
use josekit::jwk::alg::ec::EcCurve;
use josekit::jwk::alg::ecx::EcxCurve;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Every key-management algorithm sigil offers clients.
pub const ALGS: [&str; 8] = [
    "RSA-OAEP",
    "RSA-OAEP-256",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A256KW",
    "A128KW",
    "A256KW",
    "dir",
];

/// Every content-encryption algorithm sigil offers clients.
pub const ENCS: [&str; 4] = ["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"];

/// Whether `alg` takes its key from the client secret.
pub fn symmetric(alg: &str) -> bool {
    matches!(alg, "A128KW" | "A256KW" | "dir")
}

/// A client's key pair for `alg`: the public JWK (with `kid`, `use: enc`) and the private one.
pub fn key_pair(alg: &str, kid: &str, curve: &str) -> (Value, Jwk) {
    let (mut public, mut private) = match alg {
        "RSA-OAEP" | "RSA-OAEP-256" => {
            let kp = jwe::RSA_OAEP.generate_key_pair(2048).unwrap();
            (kp.to_jwk_public_key(), kp.to_jwk_private_key())
        }
        _ if curve == "X25519" => {
            let kp = jwe::ECDH_ES
                .generate_ecx_key_pair(EcxCurve::X25519)
                .unwrap();
            (kp.to_jwk_public_key(), kp.to_jwk_private_key())
        }
        _ => {
            let curve = match curve {
                "P-384" => EcCurve::P384,
                "P-521" => EcCurve::P521,
                _ => EcCurve::P256,
            };
            let kp = jwe::ECDH_ES.generate_ec_key_pair(curve).unwrap();
            (kp.to_jwk_public_key(), kp.to_jwk_private_key())
        }
    };
    for jwk in [&mut public, &mut private] {
        jwk.set_key_id(kid);
        jwk.set_key_use("enc");
        jwk.set_algorithm(alg);
    }
    (Value::Object(public.as_ref().clone()), private)
}

/// The key OIDC Core §10.2 derives from `secret` for `alg` and `enc`, computed by hand.
pub fn secret_key(alg: &str, enc: &str, secret: &str) -> Vec<u8> {
    let len = match (alg, enc) {
        ("A128KW", _) => 16,
        ("A256KW", _) => 32,
        (_, "A128CBC-HS256") | (_, "A256GCM") => 32,
        (_, "A128GCM") => 16,
        _ => 64,
    };
    let hash = if len <= 32 {
        Sha256::digest(secret.as_bytes()).to_vec()
    } else {
        Sha512::digest(secret.as_bytes()).to_vec()
    };
    hash[..len].to_vec()
}

/// A decrypter for what sigil encrypted to a client with `alg`.
pub fn decrypter(alg: &str, private: Option<&Jwk>, key: Option<&[u8]>) -> Box<dyn JweDecrypter> {
    match (alg, private, key) {
        ("RSA-OAEP", Some(k), _) => Box::new(jwe::RSA_OAEP.decrypter_from_jwk(k).unwrap()),
        ("RSA-OAEP-256", Some(k), _) => Box::new(jwe::RSA_OAEP_256.decrypter_from_jwk(k).unwrap()),
        ("ECDH-ES", Some(k), _) => Box::new(jwe::ECDH_ES.decrypter_from_jwk(k).unwrap()),
        ("ECDH-ES+A128KW", Some(k), _) => {
            Box::new(jwe::ECDH_ES_A128KW.decrypter_from_jwk(k).unwrap())
        }
        ("ECDH-ES+A256KW", Some(k), _) => {
            Box::new(jwe::ECDH_ES_A256KW.decrypter_from_jwk(k).unwrap())
        }
        ("A128KW", _, Some(k)) => Box::new(jwe::A128KW.decrypter_from_bytes(k).unwrap()),
        ("A256KW", _, Some(k)) => Box::new(jwe::A256KW.decrypter_from_bytes(k).unwrap()),
        ("dir", _, Some(k)) => Box::new(jwe::Dir.decrypter_from_bytes(k).unwrap()),
        other => panic!("no decrypter for {other:?}"),
    }
}

/// Decrypts `token` with josekit's own context; returns the outer header and the inner JWT.
pub fn open(token: &str, decrypter: &dyn JweDecrypter) -> (JweHeader, String) {
    assert_eq!(token.split('.').count(), 5, "a compact JWE: {token}");
    let (plain, header) = JweContext::new()
        .deserialize_compact(token, decrypter)
        .unwrap_or_else(|e| panic!("does not decrypt: {e}"));
    (header, String::from_utf8(plain).unwrap())
}

/// Encrypts `jws` (A256GCM, `cty: JWT`) to the `use: enc` key for `alg` in the app's
/// published `jwks`, as a client would, with josekit's own context.
pub fn to_sigil(jwks: &Value, jws: &str, alg: &str) -> String {
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "enc" && k["alg"] == alg)
        .unwrap_or_else(|| panic!("no published {alg} key"));
    let jwk = Jwk::from_map(key.as_object().unwrap().clone()).unwrap();
    let mut header = JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_content_type("JWT");
    let encrypter: Box<dyn jwe::JweEncrypter> = match alg {
        "RSA-OAEP-256" => Box::new(jwe::RSA_OAEP_256.encrypter_from_jwk(&jwk).unwrap()),
        _ => Box::new(jwe::ECDH_ES_A256KW.encrypter_from_jwk(&jwk).unwrap()),
    };
    JweContext::new()
        .serialize_compact(jws.as_bytes(), &header, encrypter.as_ref())
        .unwrap()
}

/// `token` with one bit of its dot-separated part `index` flipped (its first byte), so the
/// part still decodes but no longer authenticates.
pub fn tamper(token: &str, index: usize) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = b64.decode(&parts[index]).unwrap();
    bytes[0] ^= 1;
    parts[index] = b64.encode(bytes);
    parts.join(".")
}

/// A `jwks_uri` on 127.0.0.1 whose answer can be changed and whose requests are counted.
#[derive(Clone)]
pub struct KeyServer {
    /// Its URL.
    pub url: String,
    hits: Arc<AtomicUsize>,
    answer: Arc<Mutex<Answer>>,
}

/// What a [`KeyServer`] answers.
#[derive(Clone)]
pub enum Answer {
    /// 200 with this JWK set and `Cache-Control`.
    Keys(Value, Option<String>),
    /// Never answers.
    Hang,
    /// 200 with this many bytes of a JSON string.
    Huge(usize),
    /// A redirect to this URL.
    Redirect(String),
}

impl KeyServer {
    /// Serves `answer`.
    pub async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let answer = Arc::new(Mutex::new(answer));
        let (counted, current) = (hits.clone(), answer.clone());
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                counted.fetch_add(1, Ordering::SeqCst);
                let answer = current.lock().unwrap().clone();
                let (head, body) = match answer {
                    Answer::Hang => {
                        held.push(stream);
                        continue;
                    }
                    Answer::Keys(jwks, cache) => {
                        let cache = cache
                            .map(|c| format!("cache-control: {c}\r\n"))
                            .unwrap_or_default();
                        (
                            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{cache}"),
                            jwks.to_string().into_bytes(),
                        )
                    }
                    Answer::Huge(n) => {
                        let mut body = vec![b'"'];
                        body.extend(std::iter::repeat_n(b'a', n));
                        body.push(b'"');
                        ("HTTP/1.1 200 OK\r\n".to_owned(), body)
                    }
                    Answer::Redirect(to) => (
                        format!("HTTP/1.1 302 Found\r\nlocation: {to}\r\n"),
                        Vec::new(),
                    ),
                };
                let head = format!(
                    "{head}content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
                let _ = stream.shutdown().await;
            }
        });
        Self { url, hits, answer }
    }

    /// Serves a JWK set of `keys`.
    pub async fn with_keys(keys: Vec<Value>) -> Self {
        Self::start(Answer::Keys(json!({ "keys": keys }), None)).await
    }

    /// Requests so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Changes what it answers.
    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }
}
