//! Browser pages: templates, branding and the static assets they need.

pub mod assets;
pub mod branding;

pub use assets::routes;
pub use branding::Branding;
