//! The layers stay as `docs/ARCHITECTURE.md` draws them: `domain` uses no other layer, `db`
//! neither `app` nor `web`, `app` not `web`, the configuration not `web`, the feeds no page
//! module, the shared state no feature (each keeps its own cache); and neither `web` nor the
//! CLI opens a transaction or builds an audit entry (they call `app`). Read from the source
//! files, so a new `use` that breaks a layer fails here.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Every `(file, line)` under `src/<part>` that mentions one of `forbidden`.
fn offenders(part: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let target = root.join(part);
    let files = if target.is_dir() {
        rust_files(&target)
    } else {
        vec![target]
    };
    assert!(!files.is_empty(), "no source under src/{part}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for (n, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f)) {
                let shown = file.strip_prefix(&root).unwrap_or(&file).display();
                found.push(format!("src/{shown}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_domain_uses_no_other_layer() {
    let layers = [
        "crate::db",
        "crate::app",
        "crate::web",
        "crate::config",
        "crate::transfer",
    ];
    assert_eq!(offenders("domain", &layers), Vec::<String>::new());
}

#[test]
fn the_database_layer_knows_no_use_case_nor_http() {
    let layers = ["crate::app", "crate::web", "crate::transfer", "actix"];
    assert_eq!(offenders("db", &layers), Vec::<String>::new());
}

#[test]
fn use_cases_know_no_http() {
    assert_eq!(
        offenders("app", &["crate::web", "actix"]),
        Vec::<String>::new()
    );
}

#[test]
fn the_configuration_knows_no_http() {
    assert_eq!(offenders("config", &["crate::web"]), Vec::<String>::new());
}

#[test]
fn the_shared_state_names_no_feature() {
    let features = [
        "web::pages",
        "web::marks",
        "web::feeds",
        "web::sitemap",
        "web::api",
        "web::admin",
        "PageKey",
        "MarkKey",
        "FeedKey",
        "SitemapKey",
        "StatsQuery",
    ];
    for part in ["web/state.rs", "web/render_cache.rs", "web/compression.rs"] {
        assert_eq!(
            offenders(part, &features),
            Vec::<String>::new(),
            "src/{part}"
        );
    }
}

#[test]
fn feeds_import_no_page_module() {
    assert_eq!(offenders("web/feeds", &["pages::"]), Vec::<String>::new());
}

#[test]
fn web_and_the_cli_neither_open_transactions_nor_build_audit_entries() {
    let writes = [
        "transaction(",
        "AuditEntry {",
        "append_audit",
        "bump_revision(",
        "write_transaction",
    ];
    for part in ["web", "main.rs"] {
        let found: Vec<String> = offenders(part, &writes)
            .into_iter()
            // A doc line may name the function it explains.
            .filter(|line| !line.split(": ").nth(1).is_some_and(|l| l.starts_with("//")))
            .collect();
        assert_eq!(found, Vec::<String>::new(), "src/{part}");
    }
}
