//! The default photo store: one file per photo in a directory tree.
//!
//! A photo with key `abcdef…` lives at `root/ab/cd/abcdef…` (two fan-out
//! levels keep directories small). Keys are parsed as [`PhotoKey`] (64
//! lowercase hex digits) before any path is built, so no key can name a
//! path outside `root`.
//!
//! Writes go to a temporary file in the photo's own directory, are synced,
//! then renamed over the final name: a reader sees the whole photo or none,
//! and a crash leaves at most a stray `.tmp*` file, never a partial photo
//! under a real key. Temporary names never parse as keys, so `get` cannot
//! return one.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use gridops_domain::photo::{PhotoKey, PhotoStore, PhotoStoreError};

use super::sha256_hex;

#[derive(Debug, Clone)]
pub struct FsPhotoStore {
    root: PathBuf,
}

impl FsPhotoStore {
    /// A store under `root`; the directory is created on the first `put`.
    pub fn new(root: PathBuf) -> Self {
        FsPhotoStore { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the photo with `key` lives (whether or not it exists).
    pub fn path_of(&self, key: &PhotoKey) -> PathBuf {
        let k = key.as_str();
        self.root.join(&k[0..2]).join(&k[2..4]).join(k)
    }
}

fn backend(e: io::Error) -> PhotoStoreError {
    PhotoStoreError::Backend(Box::new(e))
}

/// Makes a rename in `dir` durable. Directories cannot be opened for syncing
/// on every platform; where they cannot, the rename is still atomic.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

impl PhotoStore for FsPhotoStore {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), PhotoStoreError> {
        let key = PhotoKey::parse(key)?;
        if sha256_hex(bytes) != key.as_str() {
            return Err(PhotoStoreError::KeyMismatch {
                key: key.to_string(),
            });
        }
        let path = self.path_of(&key);
        if path.is_file() {
            // Content-addressed: the file already holds exactly these bytes.
            return Ok(());
        }
        let dir = path
            .parent()
            .ok_or_else(|| backend(io::Error::other("photo path has no parent")))?;
        fs::create_dir_all(dir).map_err(backend)?;

        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(dir)
            .map_err(backend)?;
        tmp.write_all(bytes).map_err(backend)?;
        tmp.as_file().sync_all().map_err(backend)?;
        // Two concurrent puts of the same key both rename identical bytes
        // into place; either one winning is fine.
        tmp.persist(&path).map_err(|e| backend(e.error))?;
        // Make the new name durable, and the fan-out directories in case
        // this put created them, so a recorded photo survives a power cut.
        for d in dir.ancestors().take(3) {
            sync_dir(d).map_err(backend)?;
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PhotoStoreError> {
        let key = PhotoKey::parse(key)?;
        match fs::read(self.path_of(&key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(backend(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn put_then_get_round_trips_under_a_fanned_out_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsPhotoStore::new(dir.path().join("photos"));
        let bytes = b"not really a photo, but bytes are bytes".to_vec();
        let key = sha256_hex(&bytes);

        assert_eq!(store.get(&key).expect("get before put"), None);
        store.put(&key, &bytes).expect("put");
        assert_eq!(store.get(&key).expect("get"), Some(bytes.clone()));

        let expected = dir
            .path()
            .join("photos")
            .join(&key[0..2])
            .join(&key[2..4])
            .join(&key);
        assert!(expected.is_file(), "{expected:?}");
    }

    #[test]
    fn the_same_bytes_twice_make_one_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsPhotoStore::new(dir.path().to_path_buf());
        let bytes = vec![7u8; 1000];
        let key = sha256_hex(&bytes);
        store.put(&key, &bytes).expect("first put");
        store.put(&key, &bytes).expect("second put");
        let files = files_under(dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(store.get(&key).expect("get"), Some(bytes));
    }

    #[test]
    fn keys_that_are_not_content_addresses_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsPhotoStore::new(dir.path().join("photos"));
        for bad in [
            "../x",
            "../../etc/passwd",
            "",
            "/abs",
            &"A".repeat(64),
            &format!("../{}", "a".repeat(61)),
        ] {
            assert!(
                matches!(store.put(bad, b"x"), Err(PhotoStoreError::InvalidKey(_))),
                "put {bad:?}"
            );
            assert!(
                matches!(store.get(bad), Err(PhotoStoreError::InvalidKey(_))),
                "get {bad:?}"
            );
        }
        assert!(!dir.path().join("photos").exists(), "nothing was created");
    }

    #[test]
    fn bytes_must_match_their_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsPhotoStore::new(dir.path().to_path_buf());
        let key = sha256_hex(b"one");
        assert!(matches!(
            store.put(&key, b"two"),
            Err(PhotoStoreError::KeyMismatch { .. })
        ));
        assert_eq!(store.get(&key).expect("get"), None);
        assert!(files_under(dir.path()).is_empty());
    }
}
