//! End-to-end tests through real HTTP: one binary, one module per capability.

mod authorize_errors;
mod cli;
mod config;
mod discovery;
mod helpers;
mod keys;
mod login_errors;
mod ops;
mod pages;
mod signin;
