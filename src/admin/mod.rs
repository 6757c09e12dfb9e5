//! Administration: the admin pages (server-rendered, for users with the role `admin`).

pub mod pages;
