//! `sqe-registry backup` and `restore`. SQLite: a consistent copy made by `VACUUM INTO` while the
//! server keeps running, and a restore that checks the copy (`PRAGMA integrity_check`) before it
//! takes the database's place, keeping the old file. PostgreSQL: pg_dump and pg_restore, which
//! this command only explains (see `docs/BACKUP.md`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use crate::db::Backend;

/// What a checked SQLite registry file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub certificates: i64,
    /// The registry revision (`registry_meta`).
    pub revision: String,
}

#[derive(QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct ValueRow {
    #[diesel(sql_type = Text)]
    value: String,
}

fn utf8(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .ok_or_else(|| anyhow!("{} is not a UTF-8 path", path.display()))
}

/// `FILE.suffix` beside `FILE`.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Opens an existing SQLite file (SQLite would create a missing one) without changing its mode.
fn open_existing(path: &Path) -> anyhow::Result<SqliteConnection> {
    if !path.is_file() {
        bail!("{} does not exist or is not a file", path.display());
    }
    SqliteConnection::establish(utf8(path)?)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Runs `PRAGMA integrity_check` and reads what the file holds; fails unless the check says
/// "ok" and the file is an SQE registry.
pub fn check_file(path: &Path) -> anyhow::Result<Contents> {
    let mut conn = open_existing(path)?;
    let rows: Vec<IntegrityRow> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .with_context(|| format!("{} is not a readable SQLite database", path.display()))?;
    let problems: Vec<String> = rows
        .into_iter()
        .map(|r| r.integrity_check)
        .filter(|r| r != "ok")
        .take(5)
        .collect();
    if !problems.is_empty() {
        bail!(
            "{} failed PRAGMA integrity_check: {}",
            path.display(),
            problems.join("; ")
        );
    }
    let not_registry = || format!("{} is not an SQE registry database", path.display());
    let revision: ValueRow =
        diesel::sql_query("SELECT value FROM registry_meta WHERE key = 'revision'")
            .get_result(&mut conn)
            .with_context(not_registry)?;
    let count: CountRow = diesel::sql_query("SELECT COUNT(*) AS n FROM certificates")
        .get_result(&mut conn)
        .with_context(not_registry)?;
    Ok(Contents {
        certificates: count.n,
        revision: revision.value,
    })
}

/// Copies the SQLite database at `database` to `output`, consistent as of one instant even while
/// other processes write (`VACUUM INTO` reads in one transaction). Refuses an existing `output`;
/// the copy is made under a temporary name, checked, then linked into place.
pub fn backup_sqlite(database: &Path, output: &Path) -> anyhow::Result<Contents> {
    if output.exists() {
        bail!(
            "{} exists already: a backup never overwrites a file",
            output.display()
        );
    }
    if !database.is_file() {
        bail!("there is no database at {}", database.display());
    }
    let partial = beside(output, ".partial");
    if partial.exists() {
        bail!(
            "{} exists (another backup running, or a failed one): remove it first",
            partial.display()
        );
    }
    // Created empty and readable by its owner only before SQLite fills it (`VACUUM INTO`
    // accepts an empty file): a backup holds every account's password hash.
    let database = utf8(database)?.to_owned();
    let partial_name = utf8(&partial)?.to_owned();
    owner_only_file(&partial)?;
    let copied = Backend::Sqlite(database)
        .connect()
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| {
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(&partial_name)
                .execute(&mut conn)
                .with_context(|| format!("cannot write {}", partial.display()))
        });
    let result = copied.and_then(|_| {
        let contents = check_file(&partial)?;
        fs::File::open(&partial)?.sync_all()?;
        // A hard link never replaces a file that appeared meanwhile (unlike a rename).
        fs::hard_link(&partial, output)
            .with_context(|| format!("cannot create {}", output.display()))?;
        Ok(contents)
    });
    let _ = fs::remove_file(&partial);
    result
}

/// Creates `path` empty, readable and writable by its owner only.
fn owner_only_file(path: &Path) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}

/// Replaces the SQLite database at `target` with the backup `input`. The backup is copied beside
/// the target and checked first; the target must not be in use (stop the server); the old file
/// is kept as `TARGET.pre-restore-<time>`. Returns what the restored database holds and the
/// path of the kept file, if there was one.
pub fn restore_sqlite(input: &Path, target: &Path) -> anyhow::Result<(Contents, Option<PathBuf>)> {
    if !input.is_file() {
        bail!("there is no backup at {}", input.display());
    }
    let incoming = beside(target, ".restoring");
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::copy(input, &incoming)
        .with_context(|| format!("cannot copy {} to {}", input.display(), incoming.display()))?;
    let checked = check_file(&incoming).and_then(|contents| {
        end_sessions(&incoming)?;
        fs::File::open(&incoming)?.sync_all()?;
        Ok(contents)
    });
    let contents = match checked {
        Ok(c) => c,
        Err(e) => {
            let _ = fs::remove_file(&incoming);
            return Err(e.context(format!("{} was not restored", input.display())));
        }
    };
    let kept = match set_aside(target) {
        Ok(kept) => kept,
        Err(e) => {
            let _ = fs::remove_file(&incoming);
            return Err(e);
        }
    };
    fs::rename(&incoming, target).with_context(|| {
        let kept = kept.as_ref().map_or(String::new(), |k| {
            format!("; the previous database is at {}", k.display())
        });
        format!("cannot move {} into place{kept}", incoming.display())
    })?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok((contents, kept))
}

/// Empties the sessions of a database about to be restored: a backup's sessions (some logged
/// out since, some of accounts disabled since) must not come back to life. Everybody logs in
/// again after a restore.
fn end_sessions(path: &Path) -> anyhow::Result<()> {
    let mut conn = open_existing(path)?;
    let has_sessions: Vec<ValueRow> = diesel::sql_query(
        "SELECT name AS value FROM sqlite_master WHERE type = 'table' AND name = 'sessions'",
    )
    .load(&mut conn)?;
    if !has_sessions.is_empty() {
        conn.batch_execute("DELETE FROM sessions")
            .with_context(|| format!("cannot empty the sessions of {}", path.display()))?;
    }
    Ok(())
}

/// Moves the current database out of the way (after folding its write-ahead log into it), or
/// does nothing when there is none. Fails when another connection has it open.
fn set_aside(target: &Path) -> anyhow::Result<Option<PathBuf>> {
    if !target.exists() {
        return Ok(None);
    }
    let mut conn = open_existing(target)?;
    // Exclusive locking mode keeps the lock after COMMIT; any other open connection makes
    // BEGIN EXCLUSIVE fail at once (busy_timeout 0).
    conn.batch_execute(
        "PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;",
    )
    .map_err(|_| {
        anyhow!(
            "{} is in use (is the server running?): stop every process that uses it, then restore",
            target.display()
        )
    })?;
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    drop(conn);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let kept = beside(target, &format!(".pre-restore-{stamp}"));
    fs::rename(target, &kept).with_context(|| format!("cannot move {} aside", target.display()))?;
    // A log left beside the old file must never be replayed into the restored one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let stale = beside(target, suffix);
        if stale.exists() {
            fs::remove_file(&stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    Ok(Some(kept))
}

/// The message for PostgreSQL, whose own tools make and restore backups; no password is shown.
pub fn postgres_advice(url: &str, file: &Path) -> String {
    let parsed = url::Url::parse(url).ok();
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "HOST".to_owned());
    let port = parsed.as_ref().and_then(url::Url::port).unwrap_or(5432);
    let user = parsed
        .as_ref()
        .map(|u| u.username().to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "USER".to_owned());
    let db = parsed
        .as_ref()
        .map(|u| u.path().trim_start_matches('/').to_owned())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "DATABASE".to_owned());
    let file = file.display();
    format!(
        "this registry is on PostgreSQL: back it up and restore it with PostgreSQL's own tools, \
         which take a consistent snapshot while the server runs:\n\
         \x20 pg_dump --format=custom --host={host} --port={port} --username={user} --dbname={db} --file={file}\n\
         \x20 pg_restore --clean --if-exists --no-owner --host={host} --port={port} --username={user} --dbname={db} {file}\n\
         Give the password in ~/.pgpass (or PGPASSFILE), never on the command line. See docs/BACKUP.md."
    )
}

/// `sqe-registry backup --output FILE` for the database of `database_url`.
pub fn backup_command(database_url: &str, output: &Path) -> anyhow::Result<String> {
    match Backend::from_url(database_url) {
        Backend::Postgres(url) => bail!(postgres_advice(&url, output)),
        Backend::Sqlite(path) => {
            let c = backup_sqlite(Path::new(&path), output)?;
            Ok(format!(
                "backup written to {} ({} certificates, revision {}; integrity check ok)",
                output.display(),
                c.certificates,
                c.revision
            ))
        }
    }
}

/// `sqe-registry restore --input FILE` into the database of `database_url`.
pub fn restore_command(database_url: &str, input: &Path) -> anyhow::Result<String> {
    match Backend::from_url(database_url) {
        Backend::Postgres(url) => bail!(postgres_advice(&url, input)),
        Backend::Sqlite(path) => {
            let target = Path::new(&path);
            let (c, kept) = restore_sqlite(input, target)?;
            let kept = match kept {
                Some(k) => format!("; the previous database is kept as {}", k.display()),
                None => String::new(),
            };
            Ok(format!(
                "restored {} from {} ({} certificates, revision {}; integrity check ok){kept}",
                target.display(),
                input.display(),
                c.certificates,
                c.revision
            ))
        }
    }
}
