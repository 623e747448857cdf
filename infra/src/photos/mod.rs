//! Photos: reading an upload ([`inspect`]) and keeping the result
//! ([`FsPhotoStore`], the default [`PhotoStore`](gridops_domain::photo::PhotoStore)).
//!
//! The upload endpoint's order of work: `inspect` the bytes (type, limits,
//! EXIF evidence, stripped copy), then `put` the stripped bytes under their
//! key, then record the photo with its evidence. `inspect` does no I/O and
//! `put` is atomic, so a rejected or failed upload leaves nothing behind
//! under a real key.

pub mod fs_store;
pub mod inspect;

pub use fs_store::FsPhotoStore;
pub use inspect::{InspectedPhoto, PhotoError, inspect};

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256: a photo's content address.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
