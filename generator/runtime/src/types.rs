//! Value types for discovery formats that have no exact std equivalent.
//! Timestamps (`google-datetime`, `date-time`) are `chrono::DateTime<Utc>` and
//! dates (`date`) are `chrono::NaiveDate`; field masks are [`crate::FieldMask`].

use std::fmt;
use std::str::FromStr;

/// JSON fields of a model that this version of the crate does not know (added
/// to the API after the discovery document it was generated from). Decoding
/// keeps them and encoding writes them back, so `get`, change a field, `patch`
/// never drops data.
pub type UnknownFields = std::collections::BTreeMap<String, serde_json::Value>;

/// A signed span of time with nanosecond precision (`google-duration`), written
/// `"3.5s"` or `"-0.008s"` on the wire.
///
/// ```
/// use discovery_runtime::types::Duration;
/// let d: Duration = "0.008s".parse().unwrap();
/// assert_eq!(d.nanos(), 8_000_000);
/// assert_eq!(d.to_string(), "0.008s");
/// assert_eq!(d.to_std(), Some(std::time::Duration::from_millis(8)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Duration {
    seconds: i64,
    /// Same sign as `seconds` (or zero), `|nanos| < 1e9`.
    nanos: i32,
}

/// Why a duration could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseDurationError(String);

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid duration {:?}: expected seconds with up to 9 decimals and an `s`, like \"1.5s\"", self.0)
    }
}

impl std::error::Error for ParseDurationError {}

impl Duration {
    /// A duration of `seconds` plus `nanos`, normalized so both have one sign.
    pub fn new(seconds: i64, nanos: i32) -> Self {
        let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        let seconds =
            (total / 1_000_000_000).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        Duration {
            seconds,
            nanos: (total % 1_000_000_000) as i32,
        }
    }

    /// Whole seconds (truncated toward zero).
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// The nanoseconds beyond [`Self::seconds`], with the same sign.
    pub fn nanos(&self) -> i32 {
        self.nanos
    }

    /// The std duration, or `None` when negative.
    pub fn to_std(&self) -> Option<std::time::Duration> {
        (self.seconds >= 0 && self.nanos >= 0)
            .then(|| std::time::Duration::new(self.seconds as u64, self.nanos as u32))
    }
}

impl From<std::time::Duration> for Duration {
    fn from(d: std::time::Duration) -> Self {
        Duration::new(
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos() as i32,
        )
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 || self.nanos < 0 {
            "-"
        } else {
            ""
        };
        let seconds = self.seconds.unsigned_abs();
        let nanos = self.nanos.unsigned_abs();
        if nanos == 0 {
            write!(f, "{sign}{seconds}s")
        } else if nanos.is_multiple_of(1_000_000) {
            write!(f, "{sign}{seconds}.{:03}s", nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            write!(f, "{sign}{seconds}.{:06}s", nanos / 1_000)
        } else {
            write!(f, "{sign}{seconds}.{nanos:09}s")
        }
    }
}

impl FromStr for Duration {
    type Err = ParseDurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDurationError(s.to_owned());
        let body = s.strip_suffix('s').ok_or_else(err)?;
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (body.contains('.') && !digits(frac)) || frac.len() > 9 {
            return Err(err());
        }
        let seconds: i64 = whole.parse().map_err(|_| err())?;
        // Scale the fraction to nanoseconds without allocating: "008" -> 8_000_000.
        let nanos = frac.bytes().fold(0i32, |n, b| n * 10 + i32::from(b - b'0'))
            * 10i32.pow(9 - frac.len() as u32);
        Ok(if negative {
            Duration {
                seconds: -seconds,
                nanos: -nanos,
            }
        } else {
            Duration { seconds, nanos }
        })
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = Duration;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"1.5s\"")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// Binary data (`format: byte`): base64 on the wire. Decoding accepts the
/// standard and the URL-safe alphabets, with or without padding; encoding
/// uses the standard alphabet with padding.
///
/// ```
/// use discovery_runtime::types::Bytes;
/// let b: Bytes = "aGk_".parse().unwrap();
/// assert_eq!(b.as_ref(), b"hi?");
/// assert_eq!(b.to_base64(), "aGk/");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

/// Why base64 text could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseBytesError {
    position: usize,
}

impl fmt::Display for ParseBytesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid base64 at byte {}", self.position)
    }
}

impl std::error::Error for ParseBytesError {}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

impl Bytes {
    /// Standard base64 with padding.
    pub fn to_base64(&self) -> String {
        let mut out = String::with_capacity(self.0.len().div_ceil(3) * 4);
        for chunk in self.0.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes standard or URL-safe base64, padded or not.
    pub fn from_base64(text: &str) -> Result<Self, ParseBytesError> {
        let input = text.trim_end_matches('=');
        if text.len() - input.len() > 2 {
            return Err(ParseBytesError {
                position: input.len(),
            });
        }
        let mut out = Vec::with_capacity(input.len() * 3 / 4);
        let mut acc = 0u32;
        let mut bits = 0;
        for (position, b) in input.bytes().enumerate() {
            let v = match b {
                b'A'..=b'Z' => b - b'A',
                b'a'..=b'z' => b - b'a' + 26,
                b'0'..=b'9' => b - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                _ => return Err(ParseBytesError { position }),
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        // A lone trailing character cannot encode a byte.
        if input.len() % 4 == 1 {
            return Err(ParseBytesError {
                position: input.len() - 1,
            });
        }
        Ok(Bytes(out))
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl FromStr for Bytes {
    type Err = ParseBytesError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bytes::from_base64(s)
    }
}

impl serde::Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> serde::Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Bytes::from_base64(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (text, seconds, nanos) in [
            ("0.008s", 0, 8_000_000),
            ("3s", 3, 0),
            ("-1.5s", -1, -500_000_000),
            ("1.000000001s", 1, 1),
        ] {
            let d: Duration = text.parse().unwrap();
            assert_eq!((d.seconds(), d.nanos()), (seconds, nanos), "{text}");
        }
        assert_eq!("-1.5s".parse::<Duration>().unwrap().to_string(), "-1.500s");
        assert_eq!(
            "0.000001s".parse::<Duration>().unwrap().to_string(),
            "0.000001s"
        );
        for bad in [
            "",
            "s",
            "1",
            "1.s",
            ".5s",
            "1.0000000001s",
            "--1s",
            "1.5ms",
            "+1s",
        ] {
            assert!(bad.parse::<Duration>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn base64_alphabets_and_padding() {
        for text in ["aGk/", "aGk_", "aGk", "aGk="] {
            let b: Bytes = text.parse().unwrap();
            assert_eq!(
                b.0,
                b"hi?"[..text.trim_end_matches('=').len() * 3 / 4].to_vec(),
                "{text}"
            );
        }
        assert_eq!(Bytes(b"hello".to_vec()).to_base64(), "aGVsbG8=");
        assert_eq!(Bytes::from_base64("aGVsbG8").unwrap().0, b"hello");
        assert_eq!(Bytes::from_base64("").unwrap().0, b"");
        assert!(Bytes::from_base64("a").is_err());
        assert!(Bytes::from_base64("a*bc").is_err());
        assert!(Bytes::from_base64("aGk===").is_err());
    }
}
