//! When and how long to wait before trying a call again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How failed calls are retried.
///
/// By default a call is retried (up to 3 attempts in all, within 60 seconds)
/// when it failed with 429, 500, 502, 503 or 504, a timeout or a connection
/// error, and only for idempotent methods (`GET`); other methods are retried
/// only after [`RetryPolicy::retry_non_idempotent`]. The wait before attempt
/// `n + 1` is drawn uniformly from zero to `initial_backoff * multiplier^(n-1)`
/// capped at `max_backoff` ("full jitter"); a `Retry-After` header (seconds or
/// an HTTP date) replaces it.
///
/// ```
/// use std::time::Duration;
/// let policy = __crate__::RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(10))
///     .time_budget(Duration::from_secs(30));
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) multiplier: f64,
    pub(crate) time_budget: Option<Duration>,
    pub(crate) non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            time_budget: Some(Duration::from_secs(60)),
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The upper bound of the first wait.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest upper bound of any wait (a `Retry-After` may ask for more).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How much the bound grows after each attempt (at least 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The time all attempts and waits of one call may take together; no retry
    /// starts once it would be exceeded. `None`: no overall limit.
    pub fn time_budget(mut self, budget: impl Into<Option<Duration>>) -> Self {
        self.time_budget = budget.into();
        self
    }

    /// Also retries methods that are not idempotent (`POST`, `PATCH`, ...). Only
    /// safe when a repeated request cannot do harm.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.non_idempotent = yes;
        self
    }

    /// The upper bound of the wait after `attempt` (1-based) failed.
    pub(crate) fn backoff_bound(&self, attempt: u32) -> Duration {
        let factor = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let bound = self.initial_backoff.as_secs_f64() * factor;
        Duration::from_secs_f64(bound.min(self.max_backoff.as_secs_f64()).max(0.0))
    }

    /// A full-jitter wait after `attempt` failed.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        self.backoff_bound(attempt).mul_f64(random_unit())
    }
}

/// A uniformly distributed number in `[0, 1)`, good enough for jitter.
fn random_unit() -> f64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP date.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers
/// must send.
fn parse_http_date(s: &str) -> Option<SystemTime> {
    let rest = s.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(h * 3600 + m * 60 + sec);
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_http_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("Sun, 06 Nov 1994 25:49:00 GMT", now), None);
    }

    #[test]
    fn backoff_grows_to_the_cap_with_full_jitter() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        assert_eq!(p.backoff_bound(1), Duration::from_millis(100));
        assert_eq!(p.backoff_bound(2), Duration::from_millis(200));
        assert_eq!(p.backoff_bound(3), Duration::from_millis(350));
        assert_eq!(p.backoff_bound(40), Duration::from_millis(350));
        for attempt in 1..5 {
            assert!(p.backoff(attempt) <= p.backoff_bound(attempt));
        }
        let spread: std::collections::BTreeSet<_> = (0..20).map(|_| p.backoff(3)).collect();
        assert!(spread.len() > 1, "jitter varies the waits");
    }
}
