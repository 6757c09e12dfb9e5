//! Algorithm allowlists and the clock-skew leeway.

pub use crate::domain::alg::SigningAlg;

/// Leeway for `exp`, `nbf` and `iat` checks, in seconds.
pub const CLOCK_SKEW_LEEWAY: i64 = 60;

/// Until when a record that guards a token expiring at `exp` (a replay record, a denylist
/// entry) must be kept: past the last second anything could accept the token, leeway included.
pub fn guard_until(exp: i64) -> i64 {
    exp.saturating_add(CLOCK_SKEW_LEEWAY)
}

/// What a verification accepts.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Algorithms accepted in the header; the key's own algorithm must match too.
    pub algs: Vec<SigningAlg>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            algs: SigningAlg::ALL.to_vec(),
        }
    }
}
