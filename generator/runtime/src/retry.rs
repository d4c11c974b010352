//! When and how long to wait before trying a call again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// The wait a `Retry-After` header of an API error asks for.
pub fn server_delay(error: &Error) -> Option<Duration> {
    let Error::Api(api) = error else { return None };
    let value = api.headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    retry_after(value, SystemTime::now())
}

/// How failed calls are retried.
///
/// By default a call is retried (up to 3 attempts in all, within 60 seconds)
/// when it failed with 429, 500, 502, 503 or 504, a timeout or a connection
/// error, and only for idempotent methods (RFC 9110 §9.2.2: `GET`, `HEAD`,
/// `PUT`, `DELETE`, `OPTIONS`); other methods (`POST`, `PATCH`) are retried
/// only after [`RetryPolicy::retry_non_idempotent`]. A client's policy is
/// replaced per call by the builders' `retry_policy` ([`RetryPolicy::none`]
/// to send a call once). The wait before attempt
/// `n + 1` is drawn uniformly from zero to `initial_backoff * multiplier^(n-1)`
/// capped at `max_backoff` ("full jitter"); a `Retry-After` header (seconds or
/// an HTTP date) replaces it, up to [`RetryPolicy::max_retry_after`]: a server
/// that asks for a longer wait fails the call with
/// [`Error::RetryAfterTooLong`].
///
/// ```
/// use std::time::Duration;
/// let policy = discovery_runtime::RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(10))
///     .time_budget(Duration::from_secs(30));
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub multiplier: f64,
    pub time_budget: Option<Duration>,
    pub non_idempotent: bool,
    pub max_retry_after: Duration,
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
            max_retry_after: Duration::from_secs(300),
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

    /// The longest wait a server's `Retry-After` may ask for (default 5
    /// minutes); a longer one fails the call with
    /// [`Error::RetryAfterTooLong`], which says
    /// how long the server asked to wait.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The wait before retrying after `error` ended attempt `attempt`: the
    /// server's `Retry-After` if it sent one (at most `max_retry_after`), else a
    /// jittered backoff. `Err` when the server asks for too long a wait.
    pub fn wait_after(&self, error: Error, attempt: u32) -> Result<(Duration, Error)> {
        match server_delay(&error) {
            Some(asked) if asked > self.max_retry_after => Err(Error::RetryAfterTooLong {
                requested: asked,
                max: self.max_retry_after,
                last: Box::new(error),
            }),
            Some(asked) => Ok((asked, error)),
            None => Ok((self.backoff(attempt), error)),
        }
    }

    /// After attempt `attempt` (1-based) failed with `error`, `elapsed`
    /// since the first began: the wait before the next attempt (with the
    /// error, to log), or `Err` with the error to return when it is not
    /// retryable, the attempts or the time budget are spent, or the server
    /// asks for too long a wait. The retry loops of the runtime and its
    /// clients decide here (an upload that stalls without an error counts
    /// its own attempts).
    pub fn next_attempt(
        &self,
        error: Error,
        attempt: u32,
        elapsed: Duration,
    ) -> Result<(Duration, Error)> {
        if !error.is_retryable() || attempt >= self.max_attempts {
            return Err(error);
        }
        let (wait, error) = self.wait_after(error, attempt)?;
        if !self.fits_budget(elapsed, wait) {
            return Err(error);
        }
        Ok((wait, error))
    }

    /// Whether a wait of `wait` after `elapsed` still fits the time budget.
    pub fn fits_budget(&self, elapsed: Duration, wait: Duration) -> bool {
        match self.time_budget {
            None => true,
            Some(budget) => elapsed.checked_add(wait).is_some_and(|t| t <= budget),
        }
    }

    /// The upper bound of the wait after `attempt` (1-based) failed.
    pub fn backoff_bound(&self, attempt: u32) -> Duration {
        let factor = self
            .multiplier
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let bound = self.initial_backoff.as_secs_f64() * factor;
        // `try_from_secs_f64`: no panic for an infinite or huge product.
        Duration::try_from_secs_f64(bound.min(self.max_backoff.as_secs_f64()).max(0.0))
            .unwrap_or(self.max_backoff)
    }

    /// A full-jitter wait after `attempt` failed.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let bound = self.backoff_bound(attempt);
        Duration::try_from_secs_f64(bound.as_secs_f64() * random_unit()).unwrap_or(bound)
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
/// Any value is safe: a number too large for `u64` saturates (and is then
/// refused by the policy's `max_retry_after`), and dates outside years
/// 1970-9999 are not dates.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
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
    // IMF-fixdate years have four digits; this also keeps the arithmetic below
    // far from overflow.
    if !(1970..=9999).contains(&year) {
        return None;
    }
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days
        .checked_mul(86_400)?
        .checked_add(i64::from(h * 3600 + m * 60 + sec))?;
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))
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
        assert_eq!(
            retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(retry_after("-1", now), None);
        assert_eq!(retry_after("1.5", now), None);
        assert_eq!(
            retry_after("Sun, 06 Nov 9223372036854775807 08:49:47 GMT", now),
            None
        );
        assert_eq!(
            retry_after("Sun, 06 Nov -9223372036854775808 08:49:47 GMT", now),
            None
        );
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now).map(|d| d.as_secs()),
            Some(253_402_300_799 - 784_111_777)
        );
        assert_eq!(retry_after("Sun, 06 Nov 1994 25:49:00 GMT", now), None);
    }

    /// Deterministic pseudo-random header values built from the pieces that
    /// matter (digits, signs, month names, separators): none may panic, and
    /// every wait they give is a real duration.
    #[test]
    fn any_retry_after_value_parses_without_panic() {
        const PIECES: &[&str] = &[
            "0",
            "9",
            "99999999999999999999",
            "-",
            "+",
            ".",
            " ",
            ", ",
            ":",
            "Sun",
            "06",
            "Nov",
            "Feb",
            "29",
            "1994",
            "9999",
            "10000",
            "0000",
            "GMT",
            "UTC",
            "23:59:60",
            "\u{e9}",
            "\u{0}",
            "1e9",
            "",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let now = SystemTime::now();
        for _ in 0..20_000 {
            let len = next() % 8;
            let value: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            if let Some(wait) = retry_after(&value, now) {
                let policy = RetryPolicy::default();
                let _ = policy.fits_budget(Duration::from_secs(next() % 100), wait);
            }
        }
    }

    #[test]
    fn next_attempt_stops_for_the_error_the_count_and_the_budget() {
        let p = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(10))
            .max_backoff(Duration::from_millis(10))
            .time_budget(Duration::from_secs(60));
        let (wait, error) = p.next_attempt(Error::Timeout, 1, Duration::ZERO).unwrap();
        assert!(wait <= Duration::from_millis(10));
        assert!(matches!(error, Error::Timeout));
        // Attempts spent, time spent, or an error no retry helps: the error itself.
        assert!(matches!(
            p.next_attempt(Error::Timeout, 3, Duration::ZERO),
            Err(Error::Timeout)
        ));
        assert!(matches!(
            p.next_attempt(Error::Timeout, 1, Duration::from_secs(61)),
            Err(Error::Timeout)
        ));
        let expired = Error::Expired {
            message: "gone".into(),
        };
        assert!(matches!(
            p.next_attempt(expired, 1, Duration::ZERO),
            Err(Error::Expired { .. })
        ));
    }

    #[test]
    fn budgets_and_bounds_never_overflow() {
        let p = RetryPolicy::default().time_budget(Duration::from_secs(60));
        assert!(!p.fits_budget(Duration::from_secs(2), Duration::MAX));
        assert!(p.fits_budget(Duration::from_secs(2), Duration::from_secs(58)));
        assert!(RetryPolicy::default()
            .time_budget(None)
            .fits_budget(Duration::MAX, Duration::MAX));
        let huge = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .multiplier(1e300);
        for attempt in [1, 2, 64, u32::MAX] {
            assert!(huge.backoff_bound(attempt) <= Duration::MAX);
        }
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
