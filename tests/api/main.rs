//! End-to-end tests through real HTTP: one binary, one module per capability.

mod authorize_errors;
mod cli;
mod client_auth;
mod client_credentials;
mod config;
mod discovery;
mod form_action;
mod helpers;
mod housekeeping;
mod id_token;
mod introspect;
mod keys;
mod lifecycle;
mod login_errors;
mod logout;
mod ops;
mod pages;
mod races;
mod refresh;
mod resource_indicators;
mod resources;
mod revoke;
mod signin;
mod signout;
mod token;
mod userinfo;
