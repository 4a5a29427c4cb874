//! When to try again, and how long to wait. Pure functions; the client does the I/O.
//!
//! | answer | decision |
//! |---|---|
//! | 2xx | done (a body that is not impact's JSON is `unconfirmed`, never retried) |
//! | 5xx, 408, connect failure, timeout, reset, truncated body | retry with backoff |
//! | 429 | wait for `X-RateLimit-Reset` (+ jitter); does not use an attempt |
//! | 401, 403 | `auth`, at once |
//! | 400, 404, 422 and other 4xx | `api`, at once |
//!
//! Backoff is "full jitter": attempt n (1-based) waits a uniform random time in
//! `[0, min(max_delay, base_delay * 2^(n-1))]` (defaults: 5 attempts, 0.5 s base, 8 s cap).
//! Everything happens inside the call's deadline (default 30 s); a wait that cannot fit ends
//! the call at once (`rate_limited` with the reset time for a 429, `timeout` otherwise).
//! `X-RateLimit-Reset` is epoch seconds when above 10^9, else seconds from now; missing or
//! unreadable means 60 s. Once `X-RateLimit-Remaining` reaches 0, later calls wait for the
//! reset instead of spending a request on a certain 429.

use rand::Rng;
use std::time::Duration;

/// What one HTTP answer means for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Success,
    /// Worth another attempt after a backoff.
    Retryable,
    /// Wait for the rate-limit window to reset.
    RateLimited,
    /// Credentials or their scope: retrying cannot help.
    Auth,
    /// The request itself is wrong: retrying cannot help.
    Rejected,
}

pub fn classify(status: u16) -> Class {
    match status {
        200..=299 => Class::Success,
        429 => Class::RateLimited,
        408 | 500..=599 => Class::Retryable,
        401 | 403 => Class::Auth,
        _ => Class::Rejected,
    }
}

/// Full-jitter exponential backoff before attempt `attempt + 1` (`attempt` is 1-based).
pub fn backoff(attempt: u32, base: Duration, cap: Duration, rng: &mut impl Rng) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let ceiling = exp.min(cap);
    let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rng.random_range(0..=ms))
}

/// Jitter added to a rate-limit wait so that many clients do not return in the same second.
pub fn reset_jitter(rng: &mut impl Rng) -> Duration {
    Duration::from_millis(rng.random_range(0..=1_000))
}

/// The Unix second at which the rate-limit window resets, from `X-RateLimit-Reset`.
/// `None` when the header is missing or unreadable (the caller waits its fallback).
pub fn reset_at(header: Option<&str>, now_unix: i64) -> Option<i64> {
    let value: i64 = header?.trim().parse().ok()?;
    if value < 0 {
        return None;
    }
    Some(if value > 1_000_000_000 {
        value
    } else {
        now_unix + value
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn classification_follows_impacts_guidance() {
        for s in [500, 502, 503, 504, 599, 408] {
            assert_eq!(classify(s), Class::Retryable, "{s}");
        }
        for s in [400, 404, 409, 422] {
            assert_eq!(classify(s), Class::Rejected, "{s}");
        }
        assert_eq!(classify(401), Class::Auth);
        assert_eq!(classify(403), Class::Auth);
        assert_eq!(classify(429), Class::RateLimited);
        assert_eq!(classify(200), Class::Success);
    }

    #[test]
    fn backoff_is_bounded_by_the_exponential_and_the_cap() {
        let mut rng = StdRng::seed_from_u64(7);
        let (base, cap) = (Duration::from_millis(500), Duration::from_secs(8));
        for attempt in 1..=10 {
            let ceiling = (base * 2u32.pow(attempt - 1)).min(cap);
            for _ in 0..200 {
                assert!(backoff(attempt, base, cap, &mut rng) <= ceiling);
            }
        }
        // Full jitter spreads waits over the whole range, not around the ceiling.
        let waits: Vec<_> = (0..200).map(|_| backoff(5, base, cap, &mut rng)).collect();
        assert!(waits.iter().any(|w| *w < Duration::from_secs(2)));
        assert!(waits.iter().any(|w| *w > Duration::from_secs(6)));
    }

    #[test]
    fn reset_header_epoch_or_delta() {
        assert_eq!(
            reset_at(Some("1700000123"), 1_700_000_000),
            Some(1_700_000_123)
        );
        assert_eq!(reset_at(Some("30"), 1_700_000_000), Some(1_700_000_030));
        assert_eq!(reset_at(Some(" 5 "), 100), Some(105));
        assert_eq!(reset_at(None, 1), None);
        assert_eq!(reset_at(Some("soon"), 1), None);
        assert_eq!(reset_at(Some("-3"), 1), None);
    }
}
