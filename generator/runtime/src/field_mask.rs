//! `google-fieldmask` values.

use std::fmt;

/// A set of field paths, such as the `updateMask` of a patch: comma-joined on
/// the wire (`"title,coverPhotoMediaItemId"`).
///
/// ```
/// let mask = discovery_runtime::FieldMask::new(["title", "description"]);
/// assert_eq!(mask.to_string(), "title,description");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldMask {
    paths: Vec<String>,
}

impl FieldMask {
    /// A mask of the given paths, in order.
    pub fn new<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        FieldMask {
            paths: paths.into_iter().map(Into::into).collect(),
        }
    }

    /// The paths of the mask.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

impl fmt::Display for FieldMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.paths.join(","))
    }
}

impl std::str::FromStr for FieldMask {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(FieldMask::new(
            s.split(',').map(str::trim).filter(|p| !p.is_empty()),
        ))
    }
}

impl From<&str> for FieldMask {
    fn from(s: &str) -> Self {
        s.parse().unwrap_or_default()
    }
}

impl serde::Serialize for FieldMask {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FieldMask {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(FieldMask::from(s.as_ref()))
    }
}
