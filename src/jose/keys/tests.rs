use super::*;

#[test]
fn every_algorithm_generates_loads_and_publishes_no_private_member() {
    let kek = Kek::new([9u8; 32]);
    let rows: Vec<StoredKey> = SigningAlg::ALL
        .iter()
        .map(|&alg| generate(alg, &kek, 0).unwrap())
        .collect();
    let set = KeySet::load(&rows, &kek).unwrap();
    let jwks: Value = serde_json::from_slice(&set.jwks()).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4);
    for key in keys {
        for member in ["kid", "use", "alg"] {
            assert!(key.get(member).is_some(), "{member} missing in {key}");
        }
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(key.get(private).is_none(), "{private} published");
        }
    }
    for alg in SigningAlg::ALL {
        assert_eq!(set.signing_key(alg).unwrap().alg, alg);
    }
}

#[test]
fn stored_private_key_is_not_a_key_without_the_kek() {
    let kek = Kek::new([3u8; 32]);
    let row = generate(SigningAlg::ES256, &kek, 0).unwrap();
    assert!(Jwk::from_bytes(row.private_jwe.as_bytes()).is_err());
    assert!(!row.private_jwe.contains("\"d\""));
    let err = KeySet::load(&[row], &Kek::new([4u8; 32])).unwrap_err();
    assert!(matches!(err, KeyError::WrongKek));
}
