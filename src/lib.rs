//! sigil: an OAuth 2.1 / OpenID Connect identity provider.

#![warn(missing_docs)]

pub mod admin;
pub mod audit;
pub mod backchannel;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod federation;
pub mod housekeeping;
pub mod issue;
pub mod jose;
pub mod keyring;
pub mod manage;
pub mod oauth;
pub mod ops;
pub mod outbound;
pub mod pages;
pub mod password;
pub mod registry;
pub mod resources;
pub mod secrets;
pub mod signout;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;

pub use startup::Application;
