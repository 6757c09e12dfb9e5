//! The Content-Security-Policy of every response, and the variant a page gets when its form's
//! answer redirects to a client: browsers check `form-action` on every redirect that follows a
//! form submission, so such a page must also allow the client's origin.

use actix_web::HttpResponse;
use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
use url::Url;

/// The policy with `form-action` allowing this server and each of `sources` (already checked
/// source expressions); every other directive is the same for every response.
pub fn policy(sources: &[String]) -> String {
    let mut form_action = String::from("'self'");
    for source in sources {
        form_action.push(' ');
        form_action.push_str(source);
    }
    format!(
        "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'; \
         form-action {form_action}; base-uri 'none'"
    )
}

/// The `form-action` source expression for redirects to `uri`: its origin for http(s), its
/// scheme for a native client's private-use scheme (`com.example.app:`), otherwise none.
pub fn source_of(uri: &str) -> Option<String> {
    let url = Url::parse(uri).ok()?;
    let origin = url.origin();
    if origin.is_tuple() {
        return Some(origin.ascii_serialization());
    }
    let scheme = url.scheme();
    scheme.contains('.').then(|| format!("{scheme}:"))
}

/// Sets on `res` the policy whose `form-action` also allows the origins of `targets`: URIs
/// the page's form may end up redirected to, each verified against the client's registration
/// by the caller. The global security headers never replace a policy set here.
pub fn allow_form_redirects<'a>(
    res: &mut HttpResponse,
    targets: impl IntoIterator<Item = &'a str>,
) {
    let mut sources: Vec<String> = Vec::new();
    for source in targets.into_iter().filter_map(source_of) {
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    match HeaderValue::from_str(&policy(&sources)) {
        Ok(value) => {
            res.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
        }
        Err(_) => tracing::warn!("a page's Content-Security-Policy could not be set"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_policy_allows_forms_to_this_server_only() {
        assert_eq!(
            policy(&[]),
            "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'; \
             form-action 'self'; base-uri 'none'"
        );
    }

    #[test]
    fn sources_are_origins_or_private_use_schemes() {
        assert_eq!(
            source_of("http://127.0.0.1:9/callback?x=1").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            source_of("https://app.example:443/cb").as_deref(),
            Some("https://app.example")
        );
        assert_eq!(
            source_of("com.example.app:/oauth").as_deref(),
            Some("com.example.app:")
        );
        assert_eq!(source_of("mailto:someone@example.com"), None);
        assert_eq!(source_of("not a uri"), None);
    }

    #[test]
    fn a_page_policy_adds_each_origin_once_and_keeps_the_rest() {
        let mut res = HttpResponse::Ok().finish();
        allow_form_redirects(
            &mut res,
            ["https://a.example/cb", "https://a.example/other", "bad"],
        );
        let set = res.headers().get(CONTENT_SECURITY_POLICY).cloned();
        let expected = policy(&["https://a.example".to_owned()]);
        assert_eq!(
            set.as_ref().and_then(|v| v.to_str().ok()),
            Some(expected.as_str())
        );
        assert!(expected.contains("form-action 'self' https://a.example; base-uri 'none'"));
    }
}
