//! Signing and verifying a typical ID token with each algorithm: sigil's `jose` layer next to
//! bare josekit on the same bytes, so the overhead of sigil's own layer is visible.

use criterion::{Criterion, criterion_group, criterion_main};
use josekit::jws::{JwsHeader, JwsSigner, JwsVerifier};
use sigil::jose::keys::generate;
use sigil::jose::policy::Policy;
use sigil::jose::sign::sign;
use sigil::jose::verify::verify;
use sigil::jose::{Kek, KeySet, SigningAlg};

fn id_token_claims() -> serde_json::Value {
    serde_json::json!({
        "iss": "https://id.example.com",
        "sub": "4b0c7f5e-2f5a-4a43-9d0b-7a1c2f3e4d5c",
        "aud": "Xr8bXg2dQdC3bq2mT4nA5w",
        "exp": 1_800_000_600,
        "iat": 1_800_000_000,
        "auth_time": 1_799_999_990,
        "nonce": "n-0S6_WzA2Mj",
        "azp": "Xr8bXg2dQdC3bq2mT4nA5w",
        "sid": "c2lkLTEyMzQ1Njc4OTA",
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
        "acr": "1",
        "amr": ["pwd"],
        "email": "ada@example.com",
        "email_verified": true,
        "name": "Ada Lovelace"
    })
}

fn bare(
    alg: SigningAlg,
    private: &josekit::jwk::Jwk,
    public: josekit::jwk::Jwk,
) -> (Box<dyn JwsSigner>, Box<dyn JwsVerifier>) {
    use josekit::jws::{ES256, EdDSA, PS256, RS256};
    match alg {
        SigningAlg::RS256 => (
            Box::new(RS256.signer_from_jwk(private).unwrap()),
            Box::new(RS256.verifier_from_jwk(&public).unwrap()),
        ),
        SigningAlg::PS256 => (
            Box::new(PS256.signer_from_jwk(private).unwrap()),
            Box::new(PS256.verifier_from_jwk(&public).unwrap()),
        ),
        SigningAlg::ES256 => (
            Box::new(ES256.signer_from_jwk(private).unwrap()),
            Box::new(ES256.verifier_from_jwk(&public).unwrap()),
        ),
        SigningAlg::EdDSA => (
            Box::new(EdDSA.signer_from_jwk(private).unwrap()),
            Box::new(EdDSA.verifier_from_jwk(&public).unwrap()),
        ),
    }
}

fn bench(c: &mut Criterion) {
    let kek = Kek::new([7u8; 32]);
    let claims = id_token_claims();
    let payload = serde_json::to_vec(&claims).unwrap();
    let policy = Policy::default();
    for alg in SigningAlg::ALL {
        let row = generate(alg, &kek, 0).unwrap();
        let private = josekit::jwk::Jwk::from_bytes(kek.unwrap(&row.private_jwe).unwrap()).unwrap();
        let set = KeySet::load(std::slice::from_ref(&row), &kek).unwrap();
        let key = set.signing_key(alg).unwrap();
        let token = sign(&claims, "JWT", &key).unwrap();
        let public = josekit::jwk::Jwk::from_bytes(row.public_jwk.as_bytes()).unwrap();
        let (signer, verifier) = bare(alg, &private, public);

        let mut group = c.benchmark_group(format!("id_token/{alg}"));
        group.bench_function("sigil_sign", |b| {
            b.iter(|| sign(&claims, "JWT", &key).unwrap())
        });
        group.bench_function("josekit_sign", |b| {
            b.iter(|| {
                let mut header = JwsHeader::new();
                header.set_token_type("JWT");
                josekit::jws::serialize_compact(&payload, &header, signer.as_ref()).unwrap()
            })
        });
        group.bench_function("sigil_verify", |b| {
            b.iter(|| verify(&token, &set, &policy).unwrap())
        });
        group.bench_function("josekit_verify", |b| {
            b.iter(|| josekit::jws::deserialize_compact(&token, verifier.as_ref()).unwrap())
        });
        group.finish();
    }
}

/// Encrypting a signed access token (ES256 inside) to a resource key, per key-management
/// algorithm, next to josekit's own context on the same key; and the parts of ECDH-ES.
fn encryption(c: &mut Criterion) {
    use josekit::jwe::{ECDH_ES_A256KW, JweContext, JweHeader, RSA_OAEP_256};
    use josekit::jwk::alg::ec::EcCurve;
    use sigil::domain::enc_alg::{ContentAlg, KeyAlg};
    use sigil::jose::content::OwnCopy;
    use sigil::jose::encrypt::{Recipient, encrypt_nested};

    let kek = Kek::new([7u8; 32]);
    let row = generate(SigningAlg::ES256, &kek, 0).unwrap();
    let set = KeySet::load(std::slice::from_ref(&row), &kek).unwrap();
    let key = set.signing_key(SigningAlg::ES256).unwrap();
    let jws = sign(&id_token_claims(), "at+jwt", &key).unwrap();
    let own = OwnCopy::from_kek(&kek).unwrap();
    let ec = ECDH_ES_A256KW.generate_ec_key_pair(EcCurve::P256).unwrap();
    let rsa = RSA_OAEP_256.generate_key_pair(2048).unwrap();
    let mut group = c.benchmark_group("access_token_jwe");
    group.bench_function("es256_sign_only", |b| {
        b.iter(|| sign(&id_token_claims(), "at+jwt", &key).unwrap())
    });
    for (alg, public) in [
        (KeyAlg::EcdhEsA256kw, ec.to_jwk_public_key()),
        (KeyAlg::RsaOaep256, rsa.to_jwk_public_key()),
    ] {
        let to = Recipient::from_jwk(alg, &public).unwrap();
        group.bench_function(format!("sigil_encrypt/{alg}/A128GCM"), |b| {
            b.iter(|| encrypt_nested(&jws, ContentAlg::A128Gcm, &to, Some(&own)).unwrap())
        });
    }
    let encrypter = ECDH_ES_A256KW
        .encrypter_from_jwk(&ec.to_jwk_public_key())
        .unwrap();
    group.bench_function("josekit_encrypt/ECDH-ES+A256KW/A128GCM", |b| {
        b.iter(|| {
            let mut header = JweHeader::new();
            header.set_content_encryption("A128GCM");
            JweContext::new()
                .serialize_compact(jws.as_bytes(), &header, &encrypter)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench, encryption
}
criterion_main!(benches);
