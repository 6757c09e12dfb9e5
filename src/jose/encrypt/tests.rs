//! Every alg/enc pair sigil encrypts with opens with josekit's own decryption context (not
//! sigil's decryption path), and carries a nested JWT uncompressed.

use josekit::jwe::{self, ECDH_ES, ECDH_ES_A128KW, ECDH_ES_A256KW, JweContext, JweDecrypter};
use josekit::jwk::alg::ec::EcCurve;
use josekit::jwk::alg::ecx::EcxCurve;
use sha2::{Digest, Sha256, Sha512};

use super::*;

fn independent_open(token: &str, decrypter: &dyn JweDecrypter) -> (Vec<u8>, JweHeader) {
    JweContext::new()
        .deserialize_compact(token, decrypter)
        .unwrap()
}

fn asymmetric() -> Vec<(KeyAlg, Jwk, Box<dyn JweDecrypter>)> {
    let mut out: Vec<(KeyAlg, Jwk, Box<dyn JweDecrypter>)> = Vec::new();
    for alg in [KeyAlg::RsaOaep, KeyAlg::RsaOaep256] {
        let kp = RSA_OAEP.generate_key_pair(2048).unwrap();
        let (mut public, mut private) = (kp.to_jwk_public_key(), kp.to_jwk_private_key());
        public.set_algorithm(alg.as_str());
        private.set_algorithm(alg.as_str());
        let decrypter: Box<dyn JweDecrypter> = match alg {
            KeyAlg::RsaOaep => Box::new(jwe::RSA_OAEP.decrypter_from_jwk(&private).unwrap()),
            _ => Box::new(jwe::RSA_OAEP_256.decrypter_from_jwk(&private).unwrap()),
        };
        out.push((alg, public, decrypter));
    }
    for (alg, algorithm) in [
        (KeyAlg::EcdhEs, ECDH_ES),
        (KeyAlg::EcdhEsA128kw, ECDH_ES_A128KW),
        (KeyAlg::EcdhEsA256kw, ECDH_ES_A256KW),
    ] {
        for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
            let kp = algorithm.generate_ec_key_pair(curve).unwrap();
            let decrypter = algorithm
                .decrypter_from_jwk(&kp.to_jwk_private_key())
                .unwrap();
            out.push((alg, kp.to_jwk_public_key(), Box::new(decrypter)));
        }
        let kp = algorithm.generate_ecx_key_pair(EcxCurve::X25519).unwrap();
        let decrypter = algorithm
            .decrypter_from_jwk(&kp.to_jwk_private_key())
            .unwrap();
        out.push((alg, kp.to_jwk_public_key(), Box::new(decrypter)));
    }
    out
}

#[test]
fn every_public_key_pair_opens_independently_as_a_nested_jwt() {
    for (alg, public, decrypter) in asymmetric() {
        let to = Recipient::from_jwk(alg, &public).unwrap();
        for enc in ContentAlg::ALL {
            let token = encrypt_nested("h.p.s", enc, &to, None).unwrap();
            let (plain, header) = independent_open(&token, decrypter.as_ref());
            assert_eq!(plain, b"h.p.s", "{alg} {enc}");
            assert_eq!(header.content_type(), Some("JWT"));
            assert_eq!(header.algorithm(), Some(alg.as_str()));
            assert_eq!(header.content_encryption(), Some(enc.as_str()));
            assert_eq!(header.compression(), None);
        }
    }
}

#[test]
fn every_secret_pair_opens_with_the_key_oidc_core_derives() {
    let secret = b"a client secret of some length";
    for alg in [KeyAlg::A128kw, KeyAlg::A256kw, KeyAlg::Dir] {
        for enc in ContentAlg::ALL {
            let to = Recipient::from_secret(alg, enc, secret).unwrap();
            let token = encrypt_nested("h.p.s", enc, &to, None).unwrap();
            // The key an RP derives by hand: SHA-256 (or SHA-512 past 256 bits), truncated.
            let len = match alg {
                KeyAlg::A128kw => 16,
                KeyAlg::A256kw => 32,
                _ => enc.key_len(),
            };
            let hash = if len <= 32 {
                Sha256::digest(secret).to_vec()
            } else {
                Sha512::digest(secret).to_vec()
            };
            let key = &hash[..len];
            let decrypter: Box<dyn JweDecrypter> = match alg {
                KeyAlg::A128kw => Box::new(jwe::A128KW.decrypter_from_bytes(key).unwrap()),
                KeyAlg::A256kw => Box::new(jwe::A256KW.decrypter_from_bytes(key).unwrap()),
                _ => Box::new(jwe::Dir.decrypter_from_bytes(key).unwrap()),
            };
            let (plain, _) = independent_open(&token, decrypter.as_ref());
            assert_eq!(plain, b"h.p.s", "{alg} {enc}");
            let other = Recipient::from_secret(alg, enc, b"a rotated secret").unwrap();
            let rotated = encrypt_nested("h.p.s", enc, &other, None).unwrap();
            assert!(
                JweContext::new()
                    .deserialize_compact(&rotated, decrypter.as_ref())
                    .is_err(),
                "a new secret must give a new key ({alg} {enc})"
            );
        }
    }
}

#[test]
fn a_key_registered_for_one_algorithm_serves_no_other() {
    let kp = ECDH_ES_A256KW.generate_ec_key_pair(EcCurve::P256).unwrap();
    let public = kp.to_jwk_public_key();
    assert!(Recipient::from_jwk(KeyAlg::EcdhEsA256kw, &public).is_ok());
    assert!(Recipient::from_jwk(KeyAlg::EcdhEs, &public).is_err());
    assert!(Recipient::from_jwk(KeyAlg::RsaOaep, &public).is_err());
    assert!(Recipient::from_jwk(KeyAlg::Dir, &public).is_err());
    assert!(Recipient::from_secret(KeyAlg::RsaOaep, ContentAlg::A128Gcm, b"s").is_err());
}
