//! Key rotation: the log's published keys with their periods (`SQE_LOG_KEYS_FILE`) — the
//! retired key stays on /log/keys, the /log/ page and the downloads' README, each with its
//! period — and a registry that signs with a key its keys file does not list, or lists as
//! retired, does not start.

use crate::common;

use sqe_registry::config::log_key::{demo_signer, load_keys};
use sqe_registry::domain::tlog::keyring;
use sqe_registry::domain::tlog::note::{NoteSigner, TYPE_ED25519};

use common::beijing;

/// The key the demo registry used before its current one (a rotation on 2026-12-01).
fn old_vkey() -> String {
    NoteSigner::from_seed("demo.sqe-registry.invalid/log", TYPE_ED25519, [9; 32])
        .expect("key")
        .verifier()
        .vkey()
}

fn keys_file() -> String {
    format!(
        "# rotated on 2026-12-01\n{} 2025-06-01 2026-11-30\n{} 2026-12-01\n",
        old_vkey(),
        demo_signer().verifier().vkey()
    )
}

both_backends_async!(a_rotated_key_stays_published_with_its_period, |db| {
    let keys = keyring::parse(&keys_file()).expect("keys");
    let app = common::TestApp::with_config(&db, beijing(2026, 12, 7, 10, 0), |c| {
        c.log_keys = Some(keys)
    })
    .await;
    let served = app.get("/log/keys").await;
    assert_eq!(served.status, 200);
    let bare: Vec<&str> = served
        .body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert_eq!(bare, [demo_signer().verifier().vkey(), old_vkey()]);
    served
        .assert_contains("# 2026-12-01 – now: in use\n")
        .assert_contains("# 2025-06-01 – 2026-11-30: retired\n");

    let page = app.get("/log/?lang=en").await;
    page.assert_contains(&old_vkey())
        .assert_contains("Retired")
        .assert_contains("signing since 2025-06-01")
        .assert_contains("until 2026-11-30")
        .assert_contains("signing since 2026-12-01");
    let zh = app.get("/log/?lang=zh-CN").await;
    zh.assert_contains("已停用")
        .assert_contains("自 2026-12-01 起签名");

    let readme = app.get("/downloads/README.txt").await;
    readme
        .assert_contains(&format!("  {}\n", old_vkey()))
        .assert_contains("(signed 2025-06-01 – 2026-11-30, retired)");
});

#[test]
fn the_signing_key_must_be_listed_and_in_use() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("keys.txt");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("day");
    std::fs::write(&path, keys_file()).expect("written");
    let keys = load_keys(&path, Some(&demo_signer()), today).expect("listed and in use");
    assert_eq!(keys.len(), 2);

    // Signing with the retired key.
    let old =
        NoteSigner::from_seed("demo.sqe-registry.invalid/log", TYPE_ED25519, [9; 32]).expect("key");
    let err = load_keys(&path, Some(&old), today).expect_err("retired");
    assert!(
        err.to_string().contains("was retired on 2026-11-30"),
        "{err}"
    );

    // Signing with a key nobody was told about.
    let stranger =
        NoteSigner::from_seed("demo.sqe-registry.invalid/log", TYPE_ED25519, [4; 32]).expect("key");
    let err = load_keys(&path, Some(&stranger), today).expect_err("unlisted");
    assert!(
        err.to_string().contains("does not list the signing key"),
        "{err}"
    );

    std::fs::write(&path, "not a key 2026-01-01\n").expect("written");
    let err = load_keys(&path, Some(&demo_signer()), today).expect_err("malformed");
    assert!(err.to_string().contains("line 1"), "{err}");
}
