//! Photos attached to incidents: a `before` picture of the problem and an
//! `after` picture of the fix, kept as evidence.
//!
//! What a photo *is* lives here; reading uploaded bytes (sniffing, EXIF,
//! stripping) and storing them are infra's business, behind [`PhotoStore`].

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Whether a photo shows the problem or the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoKind {
    Before,
    After,
}

impl PhotoKind {
    pub const ALL: [PhotoKind; 2] = [PhotoKind::Before, PhotoKind::After];

    pub fn as_str(self) -> &'static str {
        match self {
            PhotoKind::Before => "before",
            PhotoKind::After => "after",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        PhotoKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The image formats gridops accepts, as found by looking at the bytes (never
/// from the client's Content-Type or file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Jpeg,
    Png,
    Heic,
    Webp,
}

impl MediaType {
    pub const ALL: [MediaType; 4] = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Heic,
        MediaType::Webp,
    ];

    /// The MIME type to serve the photo with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Heic => "image/heic",
            MediaType::Webp => "image/webp",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Heic => "heic",
            MediaType::Webp => "webp",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpeg",
            MediaType::Png => "png",
            MediaType::Heic => "heic",
            MediaType::Webp => "webp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MediaType::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What the photo's EXIF said about when and where it was taken. Kept with
/// the photo's record as evidence; never part of the bytes that are served.
///
/// `taken_at` is the camera's own clock (EXIF `DateTimeOriginal`, else
/// `DateTime`), without a zone: cameras write local time. `lat`/`lng` are
/// WGS 84 decimal degrees, both present or both absent.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PhotoEvidence {
    pub taken_at: Option<NaiveDateTime>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

impl PhotoEvidence {
    /// True when the photo said nothing about its time or place.
    pub fn is_empty(&self) -> bool {
        self.taken_at.is_none() && self.lat.is_none() && self.lng.is_none()
    }
}

/// How big a photo may be and how many one incident may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoLimits {
    /// Largest accepted upload, in bytes (as uploaded, before stripping).
    pub max_bytes: usize,
    /// Most photos one incident may hold, both kinds together.
    pub max_per_incident: usize,
}

impl PhotoLimits {
    pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;
    pub const DEFAULT_MAX_PER_INCIDENT: usize = 9;

    /// Whether an incident that already holds `existing` photos may take one
    /// more.
    pub fn check_count(&self, existing: usize) -> Result<(), TooManyPhotos> {
        if existing < self.max_per_incident {
            Ok(())
        } else {
            Err(TooManyPhotos {
                max: self.max_per_incident,
            })
        }
    }
}

impl Default for PhotoLimits {
    fn default() -> Self {
        PhotoLimits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_per_incident: Self::DEFAULT_MAX_PER_INCIDENT,
        }
    }
}

/// An incident already holds as many photos as it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an incident holds at most {max} photos")]
pub struct TooManyPhotos {
    pub max: usize,
}

/// A photo's content address: the SHA-256 of the stored bytes as 64
/// lowercase hex digits. Nothing else parses, so a key can be used as a path
/// or object name without escaping anything.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhotoKey(String);

impl PhotoKey {
    pub const LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, PhotoStoreError> {
        let ok = s.len() == Self::LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(PhotoKey(s.to_owned()))
        } else {
            Err(PhotoStoreError::InvalidKey(s.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PhotoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why the photo store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PhotoStoreError {
    /// The key is not 64 lowercase hex digits (shown cut to 80 characters).
    #[error("not a photo key: {0:?}")]
    InvalidKey(String),
    /// The bytes given to `put` do not hash to the key given with them.
    #[error("the photo's bytes do not match its key {key}")]
    KeyMismatch { key: String },
    /// The storage behind the port failed (disk, object store); the cause is
    /// kept for the log.
    #[error("photo storage failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Where photo bytes live: a directory by default, object storage later.
/// Keys are content addresses (hex SHA-256 of the bytes), so a stored photo
/// never changes and the same photo uploaded twice is stored once.
pub trait PhotoStore: Send + Sync {
    /// Stores `bytes` under `key`, their content address (hex SHA-256).
    /// Storing the same bytes twice is a no-op. Either the whole photo is
    /// stored under the key or nothing is: a failure or crash never leaves
    /// part of a photo readable under a real key.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), PhotoStoreError>;

    /// The bytes stored under `key`, or `None` when there are none.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PhotoStoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_media_types_round_trip() {
        for k in PhotoKind::ALL {
            assert_eq!(PhotoKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(PhotoKind::parse("Before"), None);
        assert_eq!(PhotoKind::parse("during"), None);
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Some(m));
            assert!(m.mime().starts_with("image/"));
        }
    }

    #[test]
    fn limits_default_and_count() {
        let limits = PhotoLimits::default();
        assert_eq!(limits.max_bytes, 10 * 1024 * 1024);
        assert_eq!(limits.max_per_incident, 9);
        assert_eq!(limits.check_count(8), Ok(()));
        assert_eq!(limits.check_count(9), Err(TooManyPhotos { max: 9 }));
    }

    #[test]
    fn keys_are_64_lowercase_hex_only() {
        let good = "a".repeat(64);
        assert_eq!(
            PhotoKey::parse(&good).map(|k| k.to_string()).ok(),
            Some(good)
        );
        for bad in [
            String::new(),
            "../x".to_owned(),
            "A".repeat(64),
            "a".repeat(63),
            "a".repeat(65),
            format!("{}/", "a".repeat(63)),
        ] {
            assert!(matches!(
                PhotoKey::parse(&bad),
                Err(PhotoStoreError::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn evidence_is_empty_by_default() {
        assert!(PhotoEvidence::default().is_empty());
        let e = PhotoEvidence {
            lat: Some(1.0),
            lng: Some(2.0),
            ..PhotoEvidence::default()
        };
        assert!(!e.is_empty());
    }
}
