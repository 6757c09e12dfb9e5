//! Hostile inbound JWEs: each is refused before key work, or by the one uniform failure.
//! The attacker's tokens are made with josekit directly, not with sigil's encryption code.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwe::{self, JweContext, JweHeader};
use josekit::jwk::Jwk;
use serde_json::{Value, json};

use super::*;
use crate::jose::content::OwnCopy;
use crate::jose::encrypt::{Recipient, encrypt_nested};
use crate::jose::keys::generate_for;
use crate::jose::{Kek, KeyPurpose, KeySet};

fn keyset() -> (KeySet, Vec<Jwk>) {
    let kek = Kek::new([7u8; 32]);
    let rows: Vec<_> = KeyAlg::OWN
        .into_iter()
        .map(|alg| generate_for(KeyPurpose::Encrypt(alg), &kek, 0).unwrap())
        .collect();
    let publics = rows
        .iter()
        .map(|r| Jwk::from_bytes(r.public_jwk.as_bytes()).unwrap())
        .collect();
    (KeySet::load(&rows, &kek).unwrap(), publics)
}

fn rsa(publics: &[Jwk]) -> &Jwk {
    publics.iter().find(|k| k.key_type() == "RSA").unwrap()
}

fn ec(publics: &[Jwk]) -> &Jwk {
    publics.iter().find(|k| k.key_type() == "EC").unwrap()
}

/// A JWE made the way a client would, with josekit's own context.
fn client_jwe(enc: &str, encrypter: &dyn jwe::JweEncrypter, kid: &str) -> String {
    let mut header = JweHeader::new();
    header.set_content_encryption(enc);
    header.set_key_id(kid);
    JweContext::new()
        .serialize_compact(b"{\"hello\":\"sigil\"}", &header, encrypter)
        .unwrap()
}

fn with_header(token: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut header: serde_json::Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[0]).unwrap()).unwrap();
    edit(&mut header);
    parts[0] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap());
    parts.join(".")
}

/// Decrypts under the default acceptance, asserting it is refused quickly; returns the reason.
fn refused(keys: &KeySet, token: &str) -> &'static str {
    let start = Instant::now();
    let err = decrypt(token, keys, &Accept::OWN_KEYS).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(50),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(
        err.to_string(),
        "the encrypted token could not be decrypted"
    );
    err.reason()
}

#[test]
fn what_a_client_encrypts_to_either_key_decrypts() {
    let (keys, publics) = keyset();
    for enc in ContentAlg::NAMES {
        let rsa_key = rsa(&publics);
        let to_rsa = jwe::RSA_OAEP_256.encrypter_from_jwk(rsa_key).unwrap();
        let token = client_jwe(enc, &to_rsa, rsa_key.key_id().unwrap());
        let opened = decrypt(&token, &keys, &Accept::OWN_KEYS).unwrap();
        assert_eq!(opened.plaintext, b"{\"hello\":\"sigil\"}");
        let ec_key = ec(&publics);
        let to_ec = jwe::ECDH_ES_A256KW.encrypter_from_jwk(ec_key).unwrap();
        let token = client_jwe(enc, &to_ec, ec_key.key_id().unwrap());
        assert!(decrypt(&token, &keys, &Accept::OWN_KEYS).is_ok(), "{enc}");
    }
}

#[test]
#[allow(deprecated)] // RSA1_5 is what an attacker would use; sigil must refuse it.
fn rsa1_5_is_refused_before_key_work() {
    let (keys, publics) = keyset();
    let key = rsa(&publics);
    let mut legacy = key.clone();
    legacy.set_algorithm("RSA1_5");
    let encrypter = jwe::RSA1_5.encrypter_from_jwk(&legacy).unwrap();
    let token = client_jwe("A128GCM", &encrypter, key.key_id().unwrap());
    assert_eq!(refused(&keys, &token), "alg not accepted");
}

#[test]
fn pbes2_with_ten_million_iterations_is_refused_at_once() {
    let (keys, _) = keyset();
    let header = json!({"alg": "PBES2-HS256+A128KW", "enc": "A128GCM",
        "p2s": "c2lnaWxzYWx0c2FsdA", "p2c": 10_000_000});
    let token = format!(
        "{}.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        URL_SAFE_NO_PAD.encode(header.to_string())
    );
    assert_eq!(refused(&keys, &token), "alg not accepted");
}

#[test]
fn compressed_content_is_refused_never_inflated() {
    let (keys, publics) = keyset();
    let key = rsa(&publics);
    let encrypter = jwe::RSA_OAEP_256.encrypter_from_jwk(key).unwrap();
    let mut header = JweHeader::new();
    header.set_content_encryption("A128GCM");
    header.set_compression("DEF");
    let bomb = vec![b'a'; 1 << 20];
    let token = JweContext::new()
        .serialize_compact(&bomb, &header, &encrypter)
        .unwrap();
    assert_eq!(
        refused(&keys, &token),
        "compressed (zip) content is refused"
    );
}

#[test]
fn an_ephemeral_key_off_the_curve_is_refused() {
    let (keys, publics) = keyset();
    let key = ec(&publics);
    let encrypter = jwe::ECDH_ES_A256KW.encrypter_from_jwk(key).unwrap();
    let token = client_jwe("A128GCM", &encrypter, key.key_id().unwrap());
    let off_curve = with_header(&token, |h| {
        let y = h["epk"]["y"].as_str().unwrap().to_owned();
        let mut bytes = URL_SAFE_NO_PAD.decode(y).unwrap();
        bytes[31] ^= 1;
        h["epk"]["y"] = json!(URL_SAFE_NO_PAD.encode(bytes));
    });
    assert_eq!(
        refused(&keys, &off_curve),
        "epk is not a point on the key's curve"
    );
    let other_curve = with_header(&token, |h| h["epk"]["crv"] = json!("P-384"));
    assert_eq!(
        refused(&keys, &other_curve),
        "epk is not a point on the key's curve"
    );
    let missing = with_header(&token, |h| {
        h.remove("epk");
    });
    assert_eq!(
        refused(&keys, &missing),
        "epk is not a point on the key's curve"
    );
}

#[test]
fn an_unknown_crit_is_refused() {
    let (keys, publics) = keyset();
    let key = rsa(&publics);
    let encrypter = jwe::RSA_OAEP_256.encrypter_from_jwk(key).unwrap();
    let token = client_jwe("A128GCM", &encrypter, key.key_id().unwrap());
    let token = with_header(&token, |h| {
        h.insert("crit".into(), json!(["sigil-unknown"]));
        h.insert("sigil-unknown".into(), json!(true));
    });
    assert_eq!(
        refused(&keys, &token),
        "crit names an extension sigil does not understand"
    );
}

#[test]
fn a_wrong_tag_a_wrong_key_and_a_tampered_ciphertext_fail_alike() {
    let (keys, publics) = keyset();
    let key = rsa(&publics);
    for enc in ContentAlg::NAMES {
        let encrypter = jwe::RSA_OAEP_256.encrypter_from_jwk(key).unwrap();
        let token = client_jwe(enc, &encrypter, key.key_id().unwrap());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let flip = |part: &str| {
            let mut bytes = URL_SAFE_NO_PAD.decode(part).unwrap();
            bytes[0] ^= 1;
            URL_SAFE_NO_PAD.encode(bytes)
        };
        let mut reasons = Vec::new();
        for i in [1, 3, 4] {
            let saved = parts[i].clone();
            parts[i] = flip(&saved);
            reasons.push(refused(&keys, &parts.join(".")));
            parts[i] = saved;
        }
        assert_eq!(reasons, ["decryption failed"; 3], "{enc}");
    }
}

#[test]
fn oversized_unlisted_and_unknown_key_inputs_are_refused() {
    let (keys, publics) = keyset();
    let huge = format!("{}....", "a".repeat(MAX_INBOUND_JWE));
    assert_eq!(refused(&keys, &huge), "too large");
    let key = rsa(&publics);
    let encrypter = jwe::RSA_OAEP_256.encrypter_from_jwk(key).unwrap();
    let token = client_jwe("A192GCM", &encrypter, key.key_id().unwrap());
    assert_eq!(refused(&keys, &token), "enc not accepted");
    let token = client_jwe("A128GCM", &encrypter, "not-a-kid");
    assert_eq!(refused(&keys, &token), "no such encryption key");
    assert_eq!(refused(&keys, "a.b.c"), "not five parts");
    assert_eq!(refused(&keys, "e30.*.AA.AA.AA"), "not base64url");
    let only_rsa = Accept {
        algs: &[KeyAlg::RsaOaep256],
        encs: &ContentAlg::ALL,
    };
    let key = ec(&publics);
    let encrypter = jwe::ECDH_ES_A256KW.encrypter_from_jwk(key).unwrap();
    let token = client_jwe("A128GCM", &encrypter, key.key_id().unwrap());
    assert_eq!(
        decrypt(&token, &keys, &only_rsa).unwrap_err().reason(),
        "alg not accepted"
    );
}

#[test]
fn bad_padding_under_a_valid_tag_fails_like_a_bad_tag() {
    // The key holder alone can make a valid tag; the check still comes first, so an
    // attacker without the key only ever sees the tag fail.
    let cek = [5u8; 32];
    let (iv, ciphertext, tag) =
        content::seal(ContentAlg::A128CbcHs256, &cek, b"x", b"aad").unwrap();
    let mut bad_tag = tag.clone();
    bad_tag[0] ^= 1;
    assert!(
        content::open(
            ContentAlg::A128CbcHs256,
            &cek,
            &iv,
            &ciphertext,
            b"aad",
            &bad_tag
        )
        .is_none()
    );
    let mut bad_block = ciphertext.clone();
    bad_block[15] ^= 1;
    assert!(
        content::open(
            ContentAlg::A128CbcHs256,
            &cek,
            &iv,
            &bad_block,
            b"aad",
            &tag
        )
        .is_none()
    );
    assert!(
        content::open(
            ContentAlg::A128CbcHs256,
            &cek,
            &iv,
            &ciphertext,
            b"aad",
            &tag[..8]
        )
        .is_none()
    );
    assert_eq!(
        content::open(
            ContentAlg::A128CbcHs256,
            &cek,
            &iv,
            &ciphertext,
            b"aad",
            &tag
        )
        .unwrap(),
        b"x"
    );
}

#[test]
fn sigil_opens_its_own_resource_tokens_and_nothing_else() {
    let resource = josekit::jwe::ECDH_ES_A256KW
        .generate_ec_key_pair(josekit::jwk::alg::ec::EcCurve::P256)
        .unwrap();
    let to = Recipient::from_jwk(KeyAlg::EcdhEsA256kw, &resource.to_jwk_public_key()).unwrap();
    let own = OwnCopy::from_kek(&Kek::new([1u8; 32])).unwrap();
    let token = encrypt_nested("a.b.c", ContentAlg::A128Gcm, &to, Some(&own)).unwrap();
    assert_eq!(open_own(&token, &own).unwrap().plaintext, b"a.b.c");
    let other = OwnCopy::from_kek(&Kek::new([2u8; 32])).unwrap();
    assert!(open_own(&token, &other).is_none());
    let plain = encrypt_nested("a.b.c", ContentAlg::A128Gcm, &to, None).unwrap();
    assert!(open_own(&plain, &own).is_none());
}
