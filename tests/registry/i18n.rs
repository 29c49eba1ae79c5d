//! Every message the code and templates use exists in both languages, and both Fluent files
//! define the same keys.

use std::collections::BTreeSet;
use std::path::Path;

use sqe_registry::db::search::SortOrder;
use sqe_registry::domain::event::EventKind;
use sqe_registry::domain::grade::Grade;
use sqe_registry::domain::platform_type::PlatformType;
use sqe_registry::domain::status::CertificateStatus;
use sqe_registry::domain::surveillance::AssessmentKind;
use sqe_registry::web::i18n::Lang;

fn files(dir: &Path, ext: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(std::fs::read_to_string(&path).expect("read"));
        }
    }
}

/// Literal keys passed to `t(`, `t1(`, `tn(` and `tv(`, and error-message keys.
fn used_keys() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("templates"), "html", &mut sources);
    files(&root.join("src"), "rs", &mut sources);
    let mut keys = BTreeSet::new();
    for src in &sources {
        for call in [
            ".t(",
            ".t1(",
            ".tn(",
            ".tv(",
            "UserMessage::new(",
            "UserMessage::with(",
            "bad_request(",
            "bad_request_with(",
        ] {
            // The key may follow on the next line when rustfmt breaks the call.
            for (i, _) in src.match_indices(call) {
                let Some(rest) = src[i + call.len()..].trim_start().strip_prefix('"') else {
                    continue;
                };
                if let Some(end) = rest.find('"') {
                    keys.insert(rest[..end].to_owned());
                }
            }
        }
    }
    keys
}

/// Keys built at run time from enumerations.
fn dynamic_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for g in Grade::ALL {
        keys.insert(format!("grade-{}", g.stars()));
    }
    for s in CertificateStatus::ALL {
        keys.insert(format!("status-{}", s.as_str()));
        keys.insert(format!("verdict-{}", s.as_str()));
        keys.insert(format!("verdict-{}-detail", s.as_str()));
    }
    for t in PlatformType::ALL {
        keys.insert(format!("type-{}", t.as_str()));
    }
    for e in EventKind::ALL {
        keys.insert(format!("event-{}", e.as_str()));
    }
    for a in AssessmentKind::ALL {
        keys.insert(format!("assessment-{}", a.as_str()));
    }
    for o in SortOrder::ALL {
        keys.insert(format!("sort-{}", o.as_str()));
    }
    // The statistics page: a heading and a note per chart, a name per month.
    for c in sqe_registry::web::pages::statistics::tables::ChartKind::ALL {
        if c.slug() != "months" {
            keys.insert(format!("stats-{}-heading", c.slug()));
        }
        keys.insert(format!("stats-{}-note", c.slug()));
    }
    for m in 1..=12 {
        keys.insert(format!("month-{m}"));
    }
    // The back office names roles and actions after their stored values.
    for r in sqe_registry::domain::account::Role::ALL {
        keys.insert(format!("admin-role-{}", r.as_str()));
    }
    for a in sqe_registry::domain::lifecycle::ActionKind::ALL {
        for prefix in ["admin-action", "admin-hint", "admin-refused"] {
            keys.insert(format!("{prefix}-{}", a.as_str()));
        }
    }
    // The downloads page documents every column and its kind.
    for c in sqe_registry::domain::record::Column::ALL {
        keys.insert(format!("downloads-col-{}", c.name()));
    }
    for name in sqe_registry::domain::record::DERIVED_COLUMNS {
        keys.insert(format!("downloads-col-{name}"));
    }
    for kind in ["text", "number", "date", "list", "url"] {
        keys.insert(format!("downloads-kind-{kind}"));
    }
    // The API page describes each route of the API's table.
    for r in sqe_registry::web::api::ROUTES {
        keys.insert(format!("api-doc-{}", r.key));
    }
    // The issue form labels its fields, and their errors, by column name.
    for c in sqe_registry::web::admin::fields::FORM_COLUMNS {
        keys.insert(format!("admin-field-{}", c.name()));
    }
    keys
}

#[test]
fn every_used_message_exists_in_both_languages() {
    let keys: BTreeSet<String> = used_keys().into_iter().chain(dynamic_keys()).collect();
    assert!(
        keys.len() > 100,
        "found only {} keys: the scan is broken",
        keys.len()
    );
    for lang in Lang::ALL {
        let missing: Vec<&String> = keys.iter().filter(|k| !lang.has(k)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
    }
}

#[test]
fn both_languages_define_the_same_keys() {
    let defined = |tag: &str| -> BTreeSet<String> {
        let path = format!("{}/locales/{tag}/main.ftl", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path)
            .expect("ftl")
            .lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(k, _)| k.to_owned())
            .filter(|k| !k.starts_with(' ') && !k.is_empty())
            .collect()
    };
    assert_eq!(defined("zh-CN"), defined("en"));
}
