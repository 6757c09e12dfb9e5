//! Administration over HTTP: the JSON admin API.

pub mod api;
