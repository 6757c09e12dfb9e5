//! The impersonation banner every page shows while an admin acts as a user: set for the
//! request by a middleware, read by `base.html`, so no page struct has to carry it.

use std::future::Future;

tokio::task_local! {
    static BANNER: Option<Banner>;
}

/// What the banner shows: whom the admin acts as, and the stop form's CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// The user acted as.
    pub username: String,
    /// The CSRF token of the stop form.
    pub csrf_token: String,
}

/// Where the stop form posts.
pub const STOP_ACTION: &str = "/admin/impersonation";

/// The banner of the request being answered, if it acts as a user.
pub fn current() -> Option<Banner> {
    BANNER.try_with(Clone::clone).ok().flatten()
}

/// Runs `f` (a request's handling) with `banner` as the one its pages show.
pub async fn scope<F: Future>(banner: Option<Banner>, f: F) -> F::Output {
    BANNER.scope(banner, f).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_banner_is_the_requests_own() {
        assert_eq!(current(), None);
        let banner = Banner {
            username: "ada".into(),
            csrf_token: "t".into(),
        };
        let seen = scope(Some(banner.clone()), async { current() }).await;
        assert_eq!(seen, Some(banner));
        assert_eq!(current(), None);
    }
}
