//! End-to-end tests through real HTTP: one binary, one module per capability.

mod authorize_errors;
mod browser_id;
mod cli;
mod client_auth;
mod client_credentials;
mod client_deletion;
mod config;
mod discovery;
mod form_action;
mod guards;
mod helpers;
mod housekeeping;
mod id_token;
mod introspect;
mod keys;
mod lifecycle;

mod login_errors;
mod logout;
mod methods;
mod ops;
mod pages;
mod params;
mod purpose;
mod races;
mod refresh;
mod resource_indicators;
mod resources;
mod revoke;
mod signin;
mod signout;
mod single_use;
mod statements;
mod throttle;
mod token;
mod userinfo;
