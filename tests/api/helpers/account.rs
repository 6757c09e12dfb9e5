//! Helpers for the account page tests: a browser that signs in through `/account`, posts the
//! page's forms, and reads what the page shows.

use super::{TestApp, expect_page, hidden_value};
use scraper::{Html, Selector};

/// A browser of its own (cookies, User-Agent) against the app.
pub struct AccountBrowser {
    /// The cookie-keeping client, not following redirects.
    pub http: reqwest::Client,
    address: String,
}

/// A Chrome on Linux `User-Agent`.
pub const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
                                   (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

impl TestApp {
    /// A new browser, sending `user_agent` when given.
    pub fn account_browser(&self, user_agent: Option<&str>) -> AccountBrowser {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true);
        if let Some(ua) = user_agent {
            builder = builder.user_agent(ua);
        }
        AccountBrowser {
            http: builder.build().expect("http client"),
            address: self.address.clone(),
        }
    }

    /// The app's own browser (`self.http`, cookies shared) as an account browser.
    pub fn own_browser(&self) -> AccountBrowser {
        AccountBrowser {
            http: self.http.clone(),
            address: self.address.clone(),
        }
    }
}

impl AccountBrowser {
    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.address))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    /// POSTs `form` to `path`.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.address))
            .header("Accept", "text/html")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Opens `/account` without a session and signs in on the page it leads to; returns the
    /// answer to the sign-in form.
    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        let res = self.get("/account").await;
        assert_eq!(res.status(), 303, "no session: through the sign-in page");
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, "/login?next=%2Faccount");
        let page = expect_page(self.get(&location).await, 200, "Sign in").await;
        assert_eq!(hidden_value(&page, "next").as_deref(), Some("/account"));
        let csrf = hidden_value(&page, "csrf_token").expect("csrf_token on the sign-in page");
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &csrf),
                ("next", "/account"),
            ],
        )
        .await
    }

    /// Signs in through `/account` and checks it lands back there.
    pub async fn signed_in(&self, username: &str, password: &str) {
        let res = self.sign_in(username, password).await;
        assert_eq!(res.status(), 303, "signed in");
        assert_eq!(res.headers()["location"], "/account");
    }

    /// The account page, checked to be shown (200).
    pub async fn page(&self) -> String {
        expect_page(self.get("/account").await, 200, "Your account").await
    }

    /// The account page a redirect `res` leads to, checked to be shown (200).
    pub async fn page_after(&self, res: &reqwest::Response) -> String {
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        expect_page(self.get(&location).await, 200, "Your account").await
    }

    /// The CSRF token of the account page's forms.
    pub async fn csrf(&self) -> String {
        hidden_value(&self.page().await, "csrf_token").expect("csrf_token on the account page")
    }

    /// POSTs the password form with its CSRF token.
    pub async fn change_password(&self, current: &str, new: &str) -> reqwest::Response {
        let csrf = self.csrf().await;
        self.post(
            "/account/password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("csrf_token", &csrf),
            ],
        )
        .await
    }

    /// Whether this browser is signed in: `/account` shows the page rather than sending it
    /// to sign in.
    pub async fn is_signed_in(&self) -> bool {
        let res = self.get("/account").await;
        match res.status().as_u16() {
            200 => true,
            303 => {
                assert!(
                    res.headers()["location"]
                        .to_str()
                        .unwrap()
                        .starts_with("/login?next=")
                );
                false
            }
            other => panic!("unexpected {other}"),
        }
    }
}

/// One session listed on the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSession {
    /// Its `sid`, as its sign-out form posts it.
    pub sid: String,
    /// The device shown.
    pub device: String,
    /// Whether it is marked as this browser.
    pub current: bool,
}

/// The sessions the account page lists.
pub fn listed_sessions(html: &str) -> Vec<ListedSession> {
    let doc = Html::parse_document(html);
    let item = Selector::parse("#sessions > li").unwrap();
    let strong = Selector::parse("strong").unwrap();
    let badge = Selector::parse(".badge").unwrap();
    let sid = Selector::parse("input[name=\"sid\"]").unwrap();
    doc.select(&item)
        .map(|li| ListedSession {
            sid: li
                .select(&sid)
                .next()
                .and_then(|i| i.value().attr("value"))
                .expect("a sign-out form per session")
                .to_owned(),
            device: li
                .select(&strong)
                .next()
                .map(|s| s.text().collect())
                .unwrap_or_default(),
            current: li.select(&badge).next().is_some(),
        })
        .collect()
}

/// The applications the account page lists, as (client_id, client name, scope lines).
pub fn listed_applications(html: &str) -> Vec<(String, String, Vec<String>)> {
    let doc = Html::parse_document(html);
    let item = Selector::parse("#applications > li").unwrap();
    let name = Selector::parse(".client-name").unwrap();
    let scope = Selector::parse(".scopes li").unwrap();
    let client = Selector::parse("input[name=\"client_id\"]").unwrap();
    doc.select(&item)
        .map(|li| {
            let id = li
                .select(&client)
                .next()
                .and_then(|i| i.value().attr("value"))
                .expect("a revoke form per application")
                .to_owned();
            let shown = li.select(&name).next().map(|n| n.text().collect());
            let scopes = li
                .select(&scope)
                .map(|s| s.text().collect::<String>().trim().to_owned())
                .collect();
            (id, shown.unwrap_or_default(), scopes)
        })
        .collect()
}

/// The text of the element `#id`, if the page has one.
pub fn text_of(html: &str, id: &str) -> Option<String> {
    let selector = Selector::parse(&format!("#{id}")).ok()?;
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_owned())
}
