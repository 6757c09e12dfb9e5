//! Browser pages: templates, branding and the static assets they need.

pub mod assets;
pub mod branding;
pub mod pages;

pub use assets::routes;
pub use branding::Branding;
pub use pages::{error_page, render, scope_description, wants_html};
