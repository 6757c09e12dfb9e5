//! Minting: the only place token claims are assembled.

pub mod access_token;
pub mod claims;
pub mod id_token;
pub mod introspection;
pub mod logout_token;
pub mod refresh_token;
pub mod sealing;
pub mod userinfo;
