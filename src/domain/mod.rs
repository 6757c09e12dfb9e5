//! Plain data with invariants and no I/O.

pub mod alg;
pub mod client_metadata;
pub mod enc_alg;
pub mod grant;
pub mod metadata_error;
pub mod pkce;
pub mod redirect_uri;
pub mod resource;
pub mod scope;
pub mod user;
