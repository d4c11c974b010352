//! Declarative macros that keep the generated code short.

/// Implements an open enum's conversions: the generated enum lists the known
/// wire values as variants plus `UnknownValue(String)`, which keeps any value
/// this version of the crate does not know, so decoding never fails and
/// re-encoding gives back exactly what the server sent.
#[macro_export]
#[doc(hidden)]
macro_rules! open_enum {
    ($name:ident { $( $variant:ident = $wire:literal, )* }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::UnknownValue(other) => other.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::UnknownValue(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str($crate::wire::EnumVisitor::<Self>::new())
            }
        }

        impl $crate::wire::QueryValue for $name {
            fn to_query(&self) -> ::std::string::String {
                self.as_str().to_owned()
            }
        }
    };
}
pub use crate::open_enum;

/// Implements `Serialize` and `Deserialize` for a generated model: known fields
/// by wire name (`None` skipped), everything else kept in `unknown_fields` and
/// written back, so a read-modify-write round trip loses nothing. Fields marked
/// `repr` go through [`crate::wire::repr`] (int64 strings, float specials,
/// timestamps, dates).
#[macro_export]
#[doc(hidden)]
macro_rules! model {
    (@ser $map:ident, $wire:literal, $value:ident, plain) => {
        $map.serialize_entry($wire, $value)?
    };
    (@ser $map:ident, $wire:literal, $value:ident, repr) => {
        $map.serialize_entry($wire, &$crate::wire::repr::Ser($value))?
    };
    (@de $map:ident, plain) => {
        $map.next_value()?
    };
    (@de $map:ident, repr) => {
        $map.next_value::<::std::option::Option<$crate::wire::repr::De<_>>>()?.map(|v| v.0)
    };
    ($name:ident { $( $field:ident : $wire:literal $kind:ident, )* }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                $(
                    if let ::std::option::Option::Some(value) = &self.$field {
                        $crate::macros::model!(@ser map, $wire, value, $kind);
                    }
                )*
                for (key, value) in &self.unknown_fields {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }

                    #[allow(clippy::match_single_binding)]
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$name, A::Error> {
                        let mut out = <$name as ::std::default::Default>::default();
                        while let ::std::option::Option::Some(key) = map.next_key::<$crate::wire::Key<'de>>()? {
                            match key.as_str() {
                                $( $wire => out.$field = $crate::macros::model!(@de map, $kind), )*
                                _ => {
                                    let value = map.next_value()?;
                                    out.unknown_fields.insert(key.into_owned(), value);
                                }
                            }
                        }
                        ::std::result::Result::Ok(out)
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }
    };
}
pub use crate::model;

/// Adds the setters shared by every request builder (the API's standard
/// parameters and per-call settings) to the builder types named.
#[macro_export]
#[doc(hidden)]
macro_rules! call_options {
    ($($builder:ident),* $(,)?) => {$(
        impl $builder {
            /// Selects which fields to include in a partial response (`fields`),
            /// e.g. `"id,title"`.
            pub fn fields(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.opts.fields = Some(value.into());
                self
            }

            /// Attributes the call to a user for quota purposes (`quotaUser`, at most
            /// 40 characters).
            pub fn quota_user(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.opts.quota_user = Some(value.into());
                self
            }

            /// Asks for an indented response (`prettyPrint`). Off by default: smaller
            /// responses.
            pub fn pretty_print(mut self, value: bool) -> Self {
                self.opts.pretty_print = value;
                self
            }

            /// Selects the error format (`$.xgafv`).
            pub fn xgafv(mut self, value: $crate::Xgafv) -> Self {
                self.opts.xgafv = Some(value);
                self
            }

            /// Overrides the client's timeout for this call (per attempt).
            pub fn timeout(mut self, value: ::std::time::Duration) -> Self {
                self.opts.timeout = Some(value);
                self
            }

            /// Overrides the client's retry policy for this call.
            pub fn retry_policy(mut self, value: $crate::RetryPolicy) -> Self {
                self.opts.retry = Some(value);
                self
            }
        }
    )*};
}
pub use crate::call_options;
