//! End-to-end tests through real HTTP: one binary, one module per capability.

mod cli;
mod config;
mod discovery;
mod helpers;
mod keys;
mod ops;
mod pages;
mod signin;
