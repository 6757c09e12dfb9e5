//! Plain data with invariants and no I/O.

/// `Display` for enums whose `as_str` is their wire name.
macro_rules! display_as_str {
    ($($ty:ty),*) => {$(
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

pub mod alg;
pub mod client_metadata;
pub mod device;
pub mod enc_alg;
pub mod grant;
pub mod metadata_error;
pub mod pkce;
pub mod redirect_uri;
pub mod resource;
pub mod scope;
pub mod token_type;
pub mod trusted_issuer;
pub mod user;
