//! Files the registry publishes whole, gzip-compressed, in the data directory: the downloads and
//! the sitemaps. Each file is one *edition* of a *kind* (a download format, a sitemap range),
//! named `{prefix}{edition}{suffix}`; it is written beside its final name and renamed into
//! place when complete, so a reader never sees half a file, and one reading the previous
//! edition keeps it (Unix keeps an unlinked file for those who have it open).

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::write::GzEncoder;

/// The files of one kind in a directory: names that start with `prefix` and end with `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    pub prefix: String,
    pub suffix: String,
}

impl Kind {
    pub fn new(prefix: impl Into<String>, suffix: impl Into<String>) -> Kind {
        Kind {
            prefix: prefix.into(),
            suffix: suffix.into(),
        }
    }

    /// The name of one edition of this kind.
    pub fn file_name(&self, edition: &str) -> String {
        format!("{}{edition}{}", self.prefix, self.suffix)
    }

    fn holds(&self, name: &str) -> bool {
        name.len() > self.prefix.len() + self.suffix.len()
            && name.starts_with(&self.prefix)
            && name.ends_with(&self.suffix)
    }

    /// The newest complete file of this kind in `dir` (by modification time), if any.
    pub fn latest(&self, dir: &Path) -> Option<PathBuf> {
        fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| self.holds(&e.file_name().to_string_lossy()))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .max()
            .map(|(_, path)| path)
    }

    /// Removes the files of this kind but `keep` (partial files are left alone: another
    /// instance may be writing one).
    pub fn remove_others(&self, dir: &Path, keep: &Path) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            if self.holds(&entry.file_name().to_string_lossy()) && entry.path() != keep {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes the gzip-compressed output of `body` to `path` (its directory created if missing),
/// through a partial file renamed into place once complete and synced. On an error nothing is
/// left behind.
pub fn write_gzip(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let written = write_to(&partial, body);
    if let Err(e) = written {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    fs::rename(&partial, path)
        .with_context(|| format!("cannot move {} into place", partial.display()))
}

fn write_to(
    partial: &Path,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = fs::File::create(partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut gz = GzEncoder::new(BufWriter::new(file), flate2::Compression::new(6));
    body(&mut gz)?;
    let file = gz.finish()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

/// Removes every file in `dir` whose name starts with `prefix`, partial ones included (at
/// start: a restored database may have an old revision number whose files hold other data).
pub fn clear(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(path: &Path) -> String {
        let mut out = String::new();
        flate2::read::GzDecoder::new(fs::File::open(path).expect("file"))
            .read_to_string(&mut out)
            .expect("gzip");
        out
    }

    #[test]
    fn a_file_appears_whole_and_replaces_only_its_own_kind() {
        let dir = tempfile::tempdir().expect("dir");
        let range_1 = Kind::new("certificates-1-r", ".xml.gz");
        let range_11 = Kind::new("certificates-11-r", ".xml.gz");
        let old = dir.path().join(range_1.file_name("6"));
        let other = dir.path().join(range_11.file_name("6"));
        write_gzip(&old, |w| Ok(w.write_all(b"old")?)).expect("old");
        write_gzip(&other, |w| Ok(w.write_all(b"other")?)).expect("other");
        let new = dir.path().join(range_1.file_name("7"));
        write_gzip(&new, |w| Ok(w.write_all(b"new")?)).expect("new");
        range_1.remove_others(dir.path(), &new);
        assert_eq!(gunzip(&new), "new");
        assert!(
            !old.exists(),
            "the older edition of the same range is removed"
        );
        assert_eq!(gunzip(&other), "other", "range 11 is not range 1's");
        assert_eq!(range_11.latest(dir.path()), Some(other));
        assert_eq!(range_1.latest(dir.path()), Some(new));
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sub").join("x-r1.gz");
        let failed = write_gzip(&path, |w| {
            w.write_all(b"half")?;
            anyhow::bail!("the database went away")
        });
        assert!(failed.is_err());
        let left: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .expect("created")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn clear_removes_partial_files_too() {
        let dir = tempfile::tempdir().expect("dir");
        for name in ["a-r1.gz", "a-r2.gz.partial-9", "keep.txt"] {
            fs::write(dir.path().join(name), b"x").expect("write");
        }
        clear(dir.path(), "a-r");
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["keep.txt"]);
    }
}
