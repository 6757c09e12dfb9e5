use actix_web::body::to_bytes;

use super::*;

const NASTY: &str = "<script>alert(1)</script>\"'&";

fn brand() -> Branding {
    Branding::default()
}

fn hidden() -> Vec<(String, String)> {
    vec![("request_id".into(), "r-123".into())]
}

fn login(brand: &Branding) -> LoginPage<'_> {
    LoginPage {
        brand,
        client_name: Some("Acme Notes".into()),
        csrf_token: "tok-1".into(),
        action: "/login".into(),
        hidden: hidden(),
        username: String::new(),
        error: None,
    }
}

fn consent(brand: &Branding) -> ConsentPage<'_> {
    ConsentPage {
        brand,
        client_name: "Acme Notes".into(),
        client_uri: Some("https://notes.example.com".into()),
        client_host: None,
        scopes: ["openid", "email", "offline_access", "custom:thing"]
            .into_iter()
            .map(ScopeLine::for_scope)
            .collect(),
        csrf_token: "tok-2".into(),
        action: "/consent".into(),
        hidden: hidden(),
        user_display: "alice@example.com".into(),
    }
}

fn logout(brand: &Branding) -> LogoutConfirmPage<'_> {
    LogoutConfirmPage {
        brand,
        csrf_token: "tok-3".into(),
        action: "/logout".into(),
        hidden: hidden(),
        client_name: Some("Acme Notes".into()),
    }
}

fn html<T: Template>(page: &T) -> String {
    let out = page.render().unwrap();
    assert_well_formed(&out);
    out
}

fn assert_well_formed(out: &str) {
    assert!(out.starts_with("<!doctype html>"));
    assert!(out.contains("<html lang=\"en\">"));
    assert!(out.contains("<main"));
    assert!(!out.to_lowercase().contains("<script"), "{out}");
    assert!(!out.contains("style="), "inline style breaks the CSP");
    assert!(!has_event_handler(out), "no event handler attributes");
}

fn has_event_handler(out: &str) -> bool {
    out.match_indices(" on").any(|(i, _)| {
        let rest = &out[i + 3..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].starts_with('=')
    })
}

#[test]
fn login_page_has_the_interface_inputs() {
    let b = brand();
    let out = html(&login(&b));
    assert!(out.contains("<form class=\"form\" method=\"post\" action=\"/login\">"));
    assert!(out.contains("name=\"username\""));
    assert!(out.contains("name=\"password\" type=\"password\" autocomplete=\"current-password\""));
    assert!(out.contains("<input type=\"hidden\" name=\"csrf_token\" value=\"tok-1\">"));
    assert!(out.contains("<input type=\"hidden\" name=\"request_id\" value=\"r-123\">"));
    assert!(out.contains("<label for=\"username\">") && out.contains("<label for=\"password\">"));
    assert!(out.contains("Acme Notes"));
    assert!(out.contains("type=\"submit\""));
    assert!(!out.contains("role=\"alert\""));
}

#[test]
fn login_error_is_announced_and_tied_to_the_inputs() {
    let b = brand();
    let page = LoginPage {
        username: "alice".into(),
        error: Some("That username and password do not match.".into()),
        client_name: None,
        hidden: Vec::new(),
        ..login(&b)
    };
    let out = html(&page);
    assert!(out.contains("id=\"login-error\" role=\"alert\""));
    assert_eq!(out.matches("aria-describedby=\"login-error\"").count(), 2);
    assert!(out.contains("value=\"alice\""));
    assert!(!out.contains("to continue to"));
}

#[test]
fn consent_page_has_both_decisions_and_plain_words() {
    let b = brand();
    let out = html(&consent(&b));
    assert!(out.contains("name=\"decision\" value=\"allow\""));
    assert!(out.contains("name=\"decision\" value=\"deny\""));
    assert!(out.contains("<input type=\"hidden\" name=\"csrf_token\" value=\"tok-2\">"));
    assert!(out.contains("Sign you in with your account"));
    assert!(out.contains("Stay signed in when you are away"));
    assert!(out.contains("custom:thing"));
    assert!(out.contains("alice@example.com"));
    assert!(out.contains("href=\"https://notes.example.com\""));
}

#[test]
fn consent_page_without_scopes_or_uri_and_with_unsafe_uri() {
    let b = brand();
    let page = ConsentPage {
        scopes: Vec::new(),
        client_uri: None,
        client_host: None,
        ..consent(&b)
    };
    let out = html(&page);
    assert!(out.contains("not asking for any of your details"));
    assert!(!out.contains("<a "));
    let page = ConsentPage {
        client_uri: Some("javascript:alert(1)".into()),
        client_host: None,
        ..consent(&b)
    };
    assert!(!html(&page).contains("javascript:"));
}

#[test]
fn logout_confirm_has_yes_and_no() {
    let b = brand();
    let out = html(&logout(&b));
    assert!(out.contains("name=\"logout\" value=\"yes\""));
    assert!(out.contains("name=\"logout\" value=\"no\""));
    assert!(out.contains("<input type=\"hidden\" name=\"csrf_token\" value=\"tok-3\">"));
    let out = html(&LogoutConfirmPage {
        client_name: None,
        hidden: Vec::new(),
        ..logout(&b)
    });
    assert!(out.contains("Do you want to sign out of sigil?"));
}

#[test]
fn error_and_signed_out_pages_render() {
    let b = brand();
    let out = html(&ErrorPage {
        brand: &b,
        title: "Page not found".into(),
        message: "There is nothing at this address.".into(),
        status: 404,
    });
    assert!(out.contains("<h1>Page not found</h1>") && out.contains("Error 404"));
    let out = html(&ErrorPage {
        brand: &b,
        title: String::new(),
        message: String::new(),
        status: 500,
    });
    assert!(out.contains("Error 500"));
    let out = html(&SignedOutPage { brand: &b });
    assert!(out.contains("You are signed out"));
}

#[test]
fn every_user_supplied_string_is_escaped() {
    let b = Branding {
        product_name: NASTY.into(),
        logo_url: Some(format!("/logo.png?{NASTY}")),
        accent_color: "#123".into(),
    };
    let mut c = consent(&b);
    c.client_name = NASTY.into();
    c.user_display = NASTY.into();
    c.scopes = vec![ScopeLine::for_scope(NASTY)];
    c.hidden = vec![(NASTY.into(), NASTY.into())];
    let pages = [
        html(&LoginPage {
            client_name: Some(NASTY.into()),
            username: NASTY.into(),
            error: Some(NASTY.into()),
            csrf_token: NASTY.into(),
            action: NASTY.into(),
            ..login(&b)
        }),
        html(&c),
        html(&ErrorPage {
            brand: &b,
            title: NASTY.into(),
            message: NASTY.into(),
            status: 400,
        }),
        html(&SignedOutPage { brand: &b }),
        html(&LogoutConfirmPage {
            client_name: Some(NASTY.into()),
            ..logout(&b)
        }),
    ];
    for out in pages {
        assert!(
            out.contains("&#60;script&#62;") || out.contains("&lt;script&gt;"),
            "{out}"
        );
        assert!(!out.contains("\"'&\""), "quotes and ampersands escaped");
    }
}

#[test]
fn long_names_render_whole() {
    let long = "A".repeat(500);
    let b = brand();
    let out = html(&ConsentPage {
        client_name: long.clone(),
        user_display: long.clone(),
        ..consent(&b)
    });
    assert!(out.contains(&long));
}

#[test]
fn logo_replaces_the_name_with_alt_text() {
    let b = Branding {
        logo_url: Some("/static/logo.svg".into()),
        ..Branding::default()
    };
    let out = html(&SignedOutPage { brand: &b });
    assert!(out.contains("<img class=\"brand-logo\" src=\"/static/logo.svg\" alt=\"sigil\">"));
}

#[test]
fn pages_link_the_versioned_stylesheets() {
    let b = brand();
    let out = html(&SignedOutPage { brand: &b });
    assert!(out.contains(&crate::web::assets::sigil_css_href()));
    assert!(out.contains(&crate::web::assets::theme_css_href(&b)));
}

#[test]
fn scope_descriptions_cover_the_standard_scopes() {
    for scope in [
        "openid",
        "profile",
        "email",
        "phone",
        "address",
        "offline_access",
        "roles",
    ] {
        assert!(scope_description(scope).is_some(), "{scope}");
    }
    assert_eq!(
        scope_description("openid"),
        Some("Sign you in with your account")
    );
    assert_eq!(scope_description("nope"), None);
}

#[actix_web::test]
async fn render_sets_html_no_store_and_status() {
    let b = brand();
    let res = error_page(&b, StatusCode::NOT_FOUND, "Page not found", "Nothing here.");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let headers = res.headers().clone();
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        "text/html; charset=utf-8"
    );
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let body = to_bytes(res.into_body()).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Page not found"));
}

struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Err(std::fmt::Error)
    }
}

#[derive(Template)]
#[template(source = "secret detail {{ broken }}", ext = "html")]
struct BrokenPage {
    broken: Broken,
}

#[actix_web::test]
async fn a_template_failure_is_a_plain_500_without_detail() {
    let res = render(StatusCode::OK, &BrokenPage { broken: Broken });
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = to_bytes(res.into_body()).await.unwrap();
    assert_eq!(&body[..], b"Something went wrong");
}
