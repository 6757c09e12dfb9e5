//! What the admin pages share in showing things: errors beside their fields, times, the
//! pages for missing things and outages, and rendering with the browser cookie.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::guard::Admin;
use crate::manage::ManageError;
use crate::pages;
use crate::state::AppState;

/// Errors of a submitted form: each beside its field, or for the whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    /// `(field, message)` pairs.
    pub fields: Vec<(String, String)>,
    /// A message about the form as a whole.
    pub general: Option<String>,
}

impl FormErrors {
    /// No errors.
    pub fn none() -> Self {
        Self::default()
    }

    /// One error beside `field`.
    pub fn at(field: &str, message: impl Into<String>) -> Self {
        Self {
            fields: vec![(field.to_owned(), message.into())],
            general: None,
        }
    }

    /// The message beside `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Whether there is any error.
    pub fn any(&self) -> bool {
        !self.fields.is_empty() || self.general.is_some()
    }
}

/// A Unix time however a template holds it (by value or through references).
pub trait UnixTime {
    /// The seconds.
    fn seconds(&self) -> i64;
}

impl UnixTime for i64 {
    fn seconds(&self) -> i64 {
        *self
    }
}

impl<T: UnixTime + ?Sized> UnixTime for &T {
    fn seconds(&self) -> i64 {
        (**self).seconds()
    }
}

/// A time as RFC 3339 (UTC).
pub fn when(ts: impl UnixTime) -> String {
    let ts = ts.seconds();
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ts.to_string())
}

/// Renders `page` for `admin` with `status`, setting the browser cookie when it is new.
pub fn show<T: Template>(
    admin: &Admin,
    state: &AppState,
    status: StatusCode,
    page: &T,
) -> HttpResponse {
    let mut res = pages::render(status, page);
    admin.browser.attach_to(&mut res, state);
    res
}

/// A 303 to `location` after a change.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// The page when storage is unavailable (its detail stays in the log).
pub fn unavailable(state: &AppState, e: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "an admin page failed on storage");
    pages::error_page(
        &state.branding,
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
        "This page is temporarily unavailable. Please try again in a moment.",
    )
}

/// The page for something that does not exist.
pub fn not_found(state: &AppState, message: &str) -> HttpResponse {
    pages::error_page(&state.branding, StatusCode::NOT_FOUND, "Not found", message)
}

/// A failed operation: invalid input as errors for the form (beside the field of `fields`
/// it names, else the first of `fields` its message mentions, else for the whole form), or
/// the page to answer instead.
pub fn refusal(
    state: &AppState,
    e: ManageError,
    fields: &[&str],
) -> Result<FormErrors, HttpResponse> {
    match e {
        ManageError::Invalid { field, message, .. }
        | ManageError::Conflict { field, message, .. } => {
            // A field named in the singular (`role`) is the form's list of them (`roles`).
            let named = field
                .and_then(|f| {
                    let plural = format!("{f}s");
                    [f, plural]
                        .into_iter()
                        .find(|f| fields.contains(&f.as_str()))
                })
                .or_else(|| {
                    fields
                        .iter()
                        .find(|f| message.contains(*f))
                        .map(|f| (*f).to_owned())
                });
            Ok(match named {
                Some(field) => FormErrors::at(&field, message),
                None => FormErrors {
                    fields: Vec::new(),
                    general: Some(message),
                },
            })
        }
        ManageError::NotFound { message, .. } => Err(not_found(state, &message)),
        ManageError::PreconditionFailed => Ok(FormErrors {
            fields: Vec::new(),
            general: Some(
                "It was changed meanwhile (by another administrator?): this page now shows it \
                 as stored; make your change again if it is still wanted."
                    .to_owned(),
            ),
        }),
        other => Err(unavailable(state, &other)),
    }
}

/// A failed read or change that no form shows: the not-found or unavailable page.
pub fn failed(state: &AppState, e: ManageError) -> HttpResponse {
    match refusal(state, e, &[]) {
        Ok(errors) => pages::error_page(
            &state.branding,
            StatusCode::BAD_REQUEST,
            "Not possible",
            errors
                .general
                .as_deref()
                .unwrap_or("The change could not be made."),
        ),
        Err(page) => page,
    }
}
