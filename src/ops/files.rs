//! The database's files: where a `sqlite:` URL puts them, SQLite's side
//! files, the owner-only mode they keep, and writing a file beside another
//! and renaming it into place so that a reader sees it whole or not at all.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use super::error::{OpsError, Result, db, io};

/// The file behind a `sqlite:` URL; in-memory databases have none.
pub fn db_path(database_url: &str) -> Result<PathBuf> {
    let not_a_file = || OpsError::NotAFile(database_url.to_owned());
    if database_url.contains(":memory:") || database_url.contains("mode=memory") {
        return Err(not_a_file());
    }
    let options = SqliteConnectOptions::from_str(database_url).map_err(|_| not_a_file())?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() {
        return Err(not_a_file());
    }
    Ok(path.to_path_buf())
}

/// `<db>-wal`, `<db>-shm` and `<db>-journal`: SQLite's files beside `db`.
pub(super) fn sidecars(db: &Path) -> [PathBuf; 3] {
    ["-wal", "-shm", "-journal"].map(|s| {
        let mut p = db.as_os_str().to_owned();
        p.push(s);
        PathBuf::from(p)
    })
}

/// Creates the database file readable by its owner only (SQLite gives its
/// -wal and -shm the mode of the database), and narrows an existing
/// database and its side files to that mode.
pub fn secure_db_file(database_url: &str) -> Result<()> {
    let Ok(path) = db_path(database_url) else {
        return Ok(()); // in memory: no file to protect
    };
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(format!("creating {}", path.display()))(e)),
    }
    let [wal, shm, _] = sidecars(&path);
    for p in [path, wal, shm] {
        if p.exists() {
            fs::set_permissions(&p, fs::Permissions::from_mode(0o600))
                .map_err(io(format!("restricting {} to its owner", p.display())))?;
        }
    }
    Ok(())
}

/// Opens an existing database file; never creates one (a mistyped path is
/// an error, not an empty database).
pub(super) async fn connect(path: &Path) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10));
    SqliteConnection::connect_with(&options)
        .await
        .map_err(db(format!("opening {}", path.display())))
}

/// A file next to `target` for writing before the rename.
pub(super) fn temp_beside(target: &Path, purpose: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{purpose}-{}.tmp", std::process::id()))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A new file only its owner can read: a copy holds everything the
/// database does.
pub(super) fn create_private(path: &Path) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(format!("creating {}", path.display())))
}

/// Best effort: used to clean up after a failure that is already reported.
pub(super) fn remove_with_sidecars(path: &Path) {
    let _ = fs::remove_file(path);
    for s in sidecars(path) {
        let _ = fs::remove_file(s);
    }
}

/// fsyncs `file`, renames it to `target`, and fsyncs the directory so the
/// rename survives a power loss.
pub(super) fn install(file: &Path, target: &Path) -> Result<()> {
    File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("syncing {}", file.display())))?;
    fs::rename(file, target).map_err(io(format!("renaming to {}", target.display())))?;
    File::open(parent_dir(target))
        .and_then(|d| d.sync_all())
        .map_err(io(format!("syncing {}", parent_dir(target).display())))
}

/// The names in `dir` (those that are not UTF-8 are none of ours).
pub(super) fn list_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(format!("listing {}", dir.display())))? {
        let entry = entry.map_err(io(format!("listing {}", dir.display())))?;
        if let Ok(name) = entry.file_name().into_string() {
            names.push(name);
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_map_to_files_and_memory_has_none() {
        assert_eq!(
            db_path("sqlite://thidua.db").unwrap(),
            PathBuf::from("thidua.db")
        );
        assert_eq!(
            db_path("sqlite:///data/thidua.db").unwrap(),
            PathBuf::from("/data/thidua.db")
        );
        assert!(db_path("sqlite::memory:").is_err());
    }
}
