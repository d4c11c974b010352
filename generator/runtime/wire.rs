//! Wire-format helpers used by the generated models and builders.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Deserializes an open enum from a string without an intermediate `String`.
pub(crate) struct EnumVisitor<T>(PhantomData<T>);

impl<T> EnumVisitor<T> {
    pub(crate) fn new() -> Self {
        EnumVisitor(PhantomData)
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
query_display!(String, bool, i32, u32, i64, u64, f32, f64, crate::FieldMask);

/// Appends optional and repeated query parameters.
pub(crate) trait QueryParam {
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

/// `int64`/`uint64` values: JSON strings on the wire; numbers are accepted too.
/// Works through `Option`, `Vec` and maps: `#[serde(with = "crate::wire::int64")]`.
pub(crate) mod int64 {
    use super::*;

    pub(crate) trait Repr: Sized {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
    }

    pub(crate) fn serialize<T: Repr, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.ser(serializer)
    }

    pub(crate) fn deserialize<'de, T: Repr, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        T::de(deserializer)
    }

    struct Wrap<T>(T);

    impl<T: Repr> Serialize for Wrap<&T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.0.ser(serializer)
        }
    }

    impl<'de, T: Repr> Deserialize<'de> for Wrap<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::de(deserializer).map(Wrap)
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

    impl<T: Repr> Repr for Option<T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Some(value) => serializer.serialize_some(&Wrap(value)),
                None => serializer.serialize_none(),
            }
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(Option::<Wrap<T>>::deserialize(deserializer)?.map(|w| w.0))
        }
    }

    impl<T: Repr> Repr for Vec<T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.iter().map(Wrap))
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(Vec::<Wrap<T>>::deserialize(deserializer)?
                .into_iter()
                .map(|w| w.0)
                .collect())
        }
    }

    impl<T: Repr> Repr for BTreeMap<String, T> {
        fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.iter().map(|(k, v)| (k, Wrap(v))))
        }

        fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Ok(BTreeMap::<String, Wrap<T>>::deserialize(deserializer)?
                .into_iter()
                .map(|(k, w)| (k, w.0))
                .collect())
        }
    }
}
