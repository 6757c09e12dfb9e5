use super::*;

use ApplicationType::{Native, Web};

fn ok(s: &str, app: ApplicationType) {
    match RedirectUri::parse(s, app) {
        Ok(uri) => assert_eq!(uri.as_str(), s, "must be kept verbatim"),
        Err(e) => panic!("{s:?} ({app:?}) should be accepted: {e}"),
    }
}

/// Asserts rejection with `invalid_redirect_uri` and returns the description.
fn rejected(s: &str, app: ApplicationType) -> String {
    match RedirectUri::parse(s, app) {
        Ok(uri) => panic!("{s:?} ({app:?}) should be rejected, got {uri:?}"),
        Err(e) => {
            assert_eq!(e.code, MetadataErrorCode::InvalidRedirectUri, "{e}");
            e.description
        }
    }
}

#[test]
fn https_is_accepted_for_both_application_types() {
    for app in [Web, Native] {
        ok("https://app.example.com/callback", app);
        ok("https://app.example.com:8443/cb?tenant=a&x=%20y", app);
        ok("https://[2001:db8::1]/cb", app);
    }
}

#[test]
fn original_string_is_kept_without_normalisation() {
    for s in [
        "HTTPS://App.Example.COM/cb",
        "https://app.example.com",
        "https://app.example.com:443/a/../b",
        "https://app.example.com/cb?",
        "http://127.1:8080/cb",
    ] {
        ok(s, Web);
    }
    let uri = RedirectUri::parse("https://App.example.com", Web).unwrap();
    assert_eq!(uri.to_string(), "https://App.example.com");
    assert_eq!(uri.as_ref(), "https://App.example.com");
}

#[test]
fn serializes_as_the_plain_string() {
    let uri = RedirectUri::parse("https://a.example/cb", Web).unwrap();
    assert_eq!(
        serde_json::to_value(&uri).unwrap(),
        serde_json::json!("https://a.example/cb")
    );
}

#[test]
fn loopback_http_is_accepted_for_both_application_types() {
    for app in [Web, Native] {
        ok("http://localhost/cb", app);
        ok("http://LOCALHOST:3000/cb", app);
        ok("http://127.0.0.1:8080/cb", app);
        ok("http://127.255.0.9/cb", app);
        ok("http://[::1]:1234/cb", app);
    }
}

#[test]
fn http_on_other_hosts_is_rejected() {
    for app in [Web, Native] {
        for s in [
            "http://app.example.com/cb",
            "http://128.0.0.1/cb",
            "http://10.0.0.1/cb",
            "http://[::2]/cb",
            "http://localhost.example.com/cb",
            "http://sub.localhost/cb",
            "http://0.0.0.0/cb",
        ] {
            let d = rejected(s, app);
            assert!(d.contains("loopback"), "{d}");
        }
    }
    let d = rejected("http://app.example.com/cb", Web);
    assert!(d.contains("must use https"), "{d}");
    assert!(
        d.starts_with("redirect URI \"http://app.example.com/cb\" "),
        "{d}"
    );
}

#[test]
fn private_use_schemes_are_for_native_clients_only() {
    ok("com.example.app:/oauth2redirect", Native);
    ok("com.example.app:/cb?x=1", Native);
    ok("com.example.app://callback", Native);
    let d = rejected("com.example.app:/oauth2redirect", Web);
    assert!(d.contains("must use https"), "{d}");
    assert!(d.contains("native"), "{d}");
}

#[test]
fn private_use_scheme_must_contain_a_dot() {
    let d = rejected("myapp:/callback", Native);
    assert!(d.contains("must contain a '.'"), "{d}");
    assert!(d.contains("RFC 8252"), "{d}");
    rejected("myapp://callback", Native);
    rejected("ftp://example.com/cb", Native);
    rejected("wss://example.com/cb", Native);
}

#[test]
fn dangerous_schemes_are_rejected_everywhere() {
    for app in [Web, Native] {
        for s in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "blob:https://example.com/uuid",
            "about:blank",
        ] {
            let d = rejected(s, app);
            assert!(d.contains("never allowed"), "{s}: {d}");
        }
    }
}

#[test]
fn fragments_are_rejected() {
    for app in [Web, Native] {
        let d = rejected("https://app.example.com/cb#frag", app);
        assert!(d.contains("fragment"), "{d}");
        rejected("https://app.example.com/cb#", app);
    }
    rejected("com.example.app:/cb#x", Native);
}

#[test]
fn userinfo_is_rejected() {
    for s in [
        "https://user@app.example.com/cb",
        "https://user:pass@app.example.com/cb",
        "https://@app.example.com/cb",
        "https://:@app.example.com/cb",
        "http://user@localhost/cb",
    ] {
        let d = rejected(s, Web);
        assert!(d.contains("user name or password"), "{s}: {d}");
    }
    rejected("com.example.app://user@host/cb", Native);
}

#[test]
fn relative_and_malformed_uris_are_rejected() {
    for s in [
        "",
        "/callback",
        "callback",
        "//app.example.com/cb",
        "https:app.example.com/cb",
        "https:/app.example.com/cb",
        "https:///app.example.com/cb",
        "https://",
        "https://exa mple.com/cb",
        " https://app.example.com/cb",
        "https://app.example.com/cb ",
        "https://app.example.com/c\tb",
        "https://app.example.com/cb\n",
        "https://app.example.com/caf\u{e9}",
        "https://app.example.com\\cb",
        "https://app.example.com/<cb>",
        "https://app.example.com/%zz",
        "https://app.example.com/%4",
        "https://app.example.com:99999/cb",
        "https://[::1/cb",
    ] {
        for app in [Web, Native] {
            rejected(s, app);
        }
    }
}

#[test]
fn error_descriptions_are_readable() {
    assert_eq!(rejected("", Web), "redirect URI \"\" is empty");
    let d = rejected("/cb", Web);
    assert!(d.contains("is not an absolute URI"), "{d}");
    let d = rejected("https://a.example/ x", Web);
    assert!(d.contains("' '") && d.contains("percent-encode"), "{d}");
    let d = rejected("https:/a.example/cb", Web);
    assert!(d.contains("https://host/path"), "{d}");
}

#[test]
fn long_uris_are_shortened_in_errors() {
    let s = format!("http://example.com/{}", "a".repeat(5000));
    let d = rejected(&s, Web);
    assert!(d.len() < 400, "{d}");
}

#[test]
fn parse_as_uses_the_given_label_and_code() {
    let e = RedirectUri::parse_as(
        "http://example.com/",
        Web,
        "post-logout redirect URI",
        MetadataErrorCode::InvalidClientMetadata,
    )
    .unwrap_err();
    assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
    assert!(
        e.description
            .starts_with("post-logout redirect URI \"http://example.com/\" must use https"),
        "{}",
        e.description
    );
}

#[test]
fn loopback_detection() {
    let yes = [
        "http://localhost/",
        "http://127.0.0.1/",
        "http://127.9.9.9/",
        "http://[::1]/",
    ];
    let no = [
        "http://example.com/",
        "http://[::]/",
        "http://192.168.0.1/",
        "com.example.app:/x",
    ];
    for s in yes {
        assert!(is_loopback(&Url::parse(s).unwrap()), "{s}");
    }
    for s in no {
        assert!(!is_loopback(&Url::parse(s).unwrap()), "{s}");
    }
}
