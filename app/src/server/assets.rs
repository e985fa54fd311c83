//! Where the built bundle is served: `/assets/<digest>/pkg/…`. The digest covers the name and
//! content of every file in the site's `pkg/`, so each address always means the same bytes: a
//! browser may keep them for a year (`immutable`), and a new build is a new address.

use std::{
    collections::HashMap,
    fs,
    path::{Path, PathBuf},
    sync::{Mutex, OnceLock},
};

use sha2::{Digest, Sha256};

/// `/assets/<16 hex digits>`: what the shell puts before `/pkg/…`. Computed once per site root
/// and process (the bundle does not change under a running server; tests run several servers).
pub fn root(site_root: &str) -> &'static str {
    static ROOTS: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let mut roots = ROOTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    roots.entry(site_root.to_owned()).or_insert_with(|| {
        let digest = digest(&Path::new(site_root).join("pkg"));
        // One short string per site root for the life of the process.
        Box::leak(format!("/assets/{}", &digest[..16]).into_boxed_str())
    })
}

/// The digest of a directory's files (names and contents, in name order), subfolders included.
/// A missing folder (a server run without a built site, as in tests) has the digest of nothing.
fn digest(dir: &Path) -> String {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        let Ok(bytes) = fs::read(&file) else { continue };
        let name = file.strip_prefix(dir).unwrap_or(&file).to_string_lossy();
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    hex::encode(hasher.finalize())
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_changes_with_any_file_of_the_bundle_and_only_then() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("castellan.js"), "one").expect("write");
        fs::create_dir(dir.path().join("split")).expect("mkdir");
        fs::write(dir.path().join("split/a.wasm"), "two").expect("write");
        let first = digest(dir.path());
        assert_eq!(first, digest(dir.path()), "same files, same digest");
        fs::write(dir.path().join("split/a.wasm"), "three").expect("write");
        let second = digest(dir.path());
        assert_ne!(first, second, "a changed chunk is a new address");
        fs::rename(dir.path().join("castellan.js"), dir.path().join("other.js")).expect("mv");
        assert_ne!(
            second,
            digest(dir.path()),
            "a renamed file is a new address"
        );
        let empty = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            digest(&dir.path().join("missing")),
            digest(empty.path()),
            "no bundle: the digest of nothing"
        );
    }
}
