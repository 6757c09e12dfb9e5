//! Administration over HTTP: the JSON admin API and the admin pages (server-rendered, for
//! users with the role `admin`).

pub mod api;
pub mod pages;
