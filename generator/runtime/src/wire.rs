//! Wire-format helpers used by the generated models and builders.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Deserializes an open enum from a string without an intermediate `String`.
pub struct EnumVisitor<T>(PhantomData<T>);

impl<T> EnumVisitor<T> {
    pub fn new() -> Self {
        EnumVisitor(PhantomData)
    }
}

impl<T> Default for EnumVisitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: for<'a> From<&'a str>> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// How a value is written into a query string.
pub trait QueryValue {
    /// The value as it appears in the query string (before percent-encoding).
    fn to_query(&self) -> String;
}

macro_rules! query_display {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn to_query(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
query_display!(
    String,
    bool,
    i32,
    u32,
    i64,
    u64,
    f32,
    f64,
    crate::FieldMask,
    crate::types::Duration,
    chrono::NaiveDate
);

impl QueryValue for crate::types::Bytes {
    fn to_query(&self) -> String {
        self.to_base64()
    }
}

impl QueryValue for chrono::DateTime<chrono::Utc> {
    fn to_query(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

/// Appends optional and repeated query parameters.
pub trait QueryParam {
    fn push_to(&self, name: &'static str, query: &mut Vec<(&'static str, String)>);
}

impl<T: QueryValue> QueryParam for Option<T> {
    fn push_to(&self, name: &'static str, query: &mut Vec<(&'static str, String)>) {
        if let Some(value) = self {
            query.push((name, value.to_query()));
        }
    }
}

impl<T: QueryValue> QueryParam for Vec<T> {
    fn push_to(&self, name: &'static str, query: &mut Vec<(&'static str, String)>) {
        query.extend(self.iter().map(|value| (name, value.to_query())));
    }
}

/// Values whose JSON form differs from serde's default, used as
/// `#[serde(with = "crate::wire::repr")]` or through `repr::Ser` and `repr::De`:
/// `int64`/`uint64` are strings (numbers are accepted too), floats accept
/// Google's `"NaN"`, `"Infinity"` and `"-Infinity"`, timestamps are RFC 3339
/// with up to nanoseconds, dates are `YYYY-MM-DD`. Works through `Option`,
/// `Vec`, `Box` and maps.
pub mod repr {
    use super::*;

    pub trait Repr: Sized {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
    }

    pub fn serialize<T: Repr, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.ser(serializer)
    }

    pub fn deserialize<'de, T: Repr, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::de(deserializer)
    }

    /// Serializes a borrowed value through its [`Repr`].
    pub struct Ser<'a, T>(pub &'a T);

    impl<T: Repr> Serialize for Ser<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.0.ser(serializer)
        }
    }

    /// Deserializes a value through its [`Repr`].
    pub struct De<T>(pub T);

    impl<'de, T: Repr> Deserialize<'de> for De<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::de(deserializer).map(De)
        }
    }

    struct IntVisitor<T>(PhantomData<T>);

    macro_rules! int_repr {
        ($($t:ty),*) => {$(
            impl Visitor<'_> for IntVisitor<$t> {
                type Value = $t;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "a {} as a string or a number", stringify!($t))
                }

                fn visit_str<E: de::Error>(self, v: &str) -> Result<$t, E> {
                    v.trim().parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
                }

                fn visit_i64<E: de::Error>(self, v: i64) -> Result<$t, E> {
                    <$t>::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                }

                fn visit_u64<E: de::Error>(self, v: u64) -> Result<$t, E> {
                    <$t>::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                }

                fn visit_f64<E: de::Error>(self, v: f64) -> Result<$t, E> {
                    // `1e3` or `12.0`: accept exact integers only.
                    if v.fract() == 0.0 && v >= <$t>::MIN as f64 && v <= <$t>::MAX as f64 {
                        Ok(v as $t)
                    } else {
                        Err(E::invalid_value(de::Unexpected::Float(v), &self))
                    }
                }
            }

            impl Repr for $t {
                fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }

                fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer.deserialize_any(IntVisitor::<$t>(PhantomData))
                }
            }
        )*};
    }
    int_repr!(i64, u64);

    struct FloatVisitor<T>(PhantomData<T>);

    macro_rules! float_repr {
        ($($t:ty),*) => {$(
            impl Visitor<'_> for FloatVisitor<$t> {
                type Value = $t;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a number, or \"NaN\", \"Infinity\" or \"-Infinity\"")
                }

                fn visit_str<E: de::Error>(self, v: &str) -> Result<$t, E> {
                    match v {
                        "NaN" => Ok(<$t>::NAN),
                        "Infinity" => Ok(<$t>::INFINITY),
                        "-Infinity" => Ok(<$t>::NEG_INFINITY),
                        other => other.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self)),
                    }
                }

                fn visit_f64<E: de::Error>(self, v: f64) -> Result<$t, E> {
                    Ok(v as $t)
                }

                fn visit_i64<E: de::Error>(self, v: i64) -> Result<$t, E> {
                    Ok(v as $t)
                }

                fn visit_u64<E: de::Error>(self, v: u64) -> Result<$t, E> {
                    Ok(v as $t)
                }
            }

            impl Repr for $t {
                fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    if self.is_nan() {
                        serializer.serialize_str("NaN")
                    } else if self.is_infinite() {
                        serializer.serialize_str(if *self > 0.0 { "Infinity" } else { "-Infinity" })
                    } else if self.fract() == 0.0 && self.abs() < 9_007_199_254_740_992.0 {
                        // Integral values as integers (`60`, not `60.0`), as Google writes them.
                        serializer.serialize_i64(*self as i64)
                    } else {
                        // An `f32` goes out as the shortest decimal that reads back as it,
                        // so even a serializer that widens to `f64` shows the digits the
                        // server sent: `1.68`, not `1.6799999475479126`.
                        let shortest = if std::mem::size_of::<$t>() == 4 {
                            self.to_string().parse().unwrap_or(*self as f64)
                        } else {
                            *self as f64
                        };
                        serializer.serialize_f64(shortest)
                    }
                }

                fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer.deserialize_any(FloatVisitor::<$t>(PhantomData))
                }
            }
        )*};
    }
    float_repr!(f32, f64);

    impl Repr for chrono::DateTime<chrono::Utc> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(TimestampVisitor)
        }
    }

    struct TimestampVisitor;

    impl Visitor<'_> for TimestampVisitor {
        type Value = chrono::DateTime<chrono::Utc>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 timestamp")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            fast_rfc3339(v)
                .or_else(|| v.parse().ok())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form Google sends, parsed
    /// without chrono's general parser (several times faster); `None` sends
    /// anything else to it.
    fn fast_rfc3339(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::{Duration, NaiveDate, TimeZone, Utc};
        let b = s.as_bytes();
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            b.get(range)?.iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        let (mut i, mut nanos) = (19, 0u32);
        if b[i] == b'.' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            nanos *= 10u32.pow(9u32.saturating_sub((i - start) as u32));
        }
        let time = date.and_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nanos)?;
        let offset_minutes = match b.get(i..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let minutes = (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?) as i64;
                if *sign == b'+' {
                    minutes
                } else {
                    -minutes
                }
            }
            _ => return None,
        };
        Some(Utc.from_utc_datetime(&(time - Duration::minutes(offset_minutes))))
    }

    impl Repr for chrono::NaiveDate {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(&self.format("%Y-%m-%d"))
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(ParseVisitor::<Self>(PhantomData, "a date as YYYY-MM-DD"))
        }
    }

    /// Parses a string with the type's `FromStr`.
    struct ParseVisitor<T>(PhantomData<T>, &'static str);

    impl<T: std::str::FromStr> Visitor<'_> for ParseVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            v.parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    impl<T: Repr> Repr for Option<T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Some(value) => serializer.serialize_some(&Ser(value)),
                None => serializer.serialize_none(),
            }
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(Option::<De<T>>::deserialize(deserializer)?.map(|w| w.0))
        }
    }

    impl<T: Repr> Repr for Box<T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            (**self).ser(serializer)
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::de(deserializer).map(Box::new)
        }
    }

    impl<T: Repr> Repr for Vec<T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.iter().map(Ser))
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(Vec::<De<T>>::deserialize(deserializer)?
                .into_iter()
                .map(|w| w.0)
                .collect())
        }
    }

    impl<T: Repr> Repr for BTreeMap<String, T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.iter().map(|(k, v)| (k, Ser(v))))
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(BTreeMap::<String, De<T>>::deserialize(deserializer)?
                .into_iter()
                .map(|(k, w)| (k, w.0))
                .collect())
        }
    }
}

/// A map key as the decoder hands it over: borrowed from the input when it
/// can be, so matching known field names allocates nothing.
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    pub fn into_owned(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}
