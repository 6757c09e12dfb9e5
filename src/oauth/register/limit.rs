//! `/register` requests per client address (`SIGIL_REGISTRATION_RATE_LIMIT` a minute), kept
//! by one keyed `governor` limiter the server's workers share.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Addresses remembered before stale ones are dropped.
const MAX_TRACKED: usize = 10_000;

/// The registration rate limiter.
pub struct RegistrationLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for RegistrationLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationLimiter")
            .field("tracked", &self.limiter.len())
            .finish()
    }
}

impl RegistrationLimiter {
    /// `per_minute` requests a minute per address, all of them allowed at once.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// `Ok` when the request's address may make one more request, else how long to wait.
    pub fn check(&self, req: &HttpRequest) -> Result<(), Duration> {
        let ip = req
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}
