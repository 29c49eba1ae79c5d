//! Each certificate's signed Open Badges 3.0 credential, its status lists and its `status.json`,
//! through the real app on both backends: issued at start-up to the certificates recorded
//! before; a new one at a renewal or a change of bound domains, the old one still served with
//! its revocation bit set; a suspension sets and a restoration clears the suspension bit; a
//! revocation sets the revocation bit; every document verifies with the published key.

use crate::common;

use serde_json::Value;
use sqe_registry::app::certificates::{change_binding, BindingChange};
use sqe_registry::app::{credentials, transparency};
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::domain::credentials::data_integrity;
use sqe_registry::domain::credentials::status_list::{decode, is_set};
use sqe_registry::domain::lifecycle::ActionKind;

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, cli_actor, date, with_conn, TestApp};

/// The verification method of the demo key under the tests' public URL.
fn method() -> String {
    let id: String = demo_signer()
        .verifier()
        .id
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("did:web:127.0.0.1%3A8080#key-{id}")
}

/// The document, after checking its proof with the demo key.
fn verified(body: &str) -> Value {
    let doc: Value = serde_json::from_str(body).expect("json");
    let key = demo_signer().verifier().key;
    let method = method();
    let checked = data_integrity::verify(&doc, |m| (m == method).then_some(key));
    assert_eq!(checked, Ok(method), "{body}");
    doc
}

/// Whether credential `id`'s entry is set in list 0 of `purpose`, as the app serves it.
async fn bit(app: &TestApp, purpose: &str, id: u64) -> bool {
    // What each instance does within a second of a change made elsewhere.
    app.state.revision.force_check();
    let page = app.get(&format!("/status/{purpose}/0")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let list = verified(&page.body);
    assert_eq!(
        list["type"],
        serde_json::json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    assert_eq!(list["credentialSubject"]["statusPurpose"], purpose);
    let bits = decode(
        list["credentialSubject"]["encodedList"]
            .as_str()
            .expect("list"),
    )
    .expect("a list");
    is_set(&bits, id).expect("in the list")
}

fn id_of(credential: &Value) -> u64 {
    let url = credential["id"].as_str().expect("id");
    url.rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

both_backends_async!(a_credential_follows_its_certificate, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .company(
                "示例网络科技有限公司",
                None,
                &credit_code("91310000MA1FL0001"),
            )
            .domains(&["shop.example.cn", "m.shop.example.cn"])
            .event("issued", date(2025, 1, 10), (None, Some(3)), None)
            .insert(conn, &refs);
        CertificateBuilder::new("C-2")
            .company("第二公司", None, &credit_code("91330100MA2B00002"))
            .event("issued", date(2025, 2, 1), (None, Some(3)), None)
            .insert(conn, &refs);
        transparency::start(conn, &demo_signer(), |_| {}).expect("log");
        let started = credentials::start(conn).expect("credentials");
        assert_eq!(started.issued, 2, "one each");
        // A second start issues nothing more.
        assert_eq!(credentials::start(conn).expect("again").issued, 0);
    });
    let app = TestApp::new(&db, beijing(2026, 12, 7, 10, 0)).await;

    // The credential: a signed Open Badges 3.0 credential of the certificate as issued.
    let page = app.get("/certificates/C-1/credential.json").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("application/vc")
    );
    assert_eq!(
        page.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        page.header("cache-control").as_deref(),
        Some("public, max-age=300")
    );
    assert!(page
        .header("content-disposition")
        .is_some_and(|d| d.contains("sqe-credential-C-1.json")));
    let first = verified(&page.body);
    assert_eq!(
        first["type"],
        serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(first["issuer"]["id"], "did:web:127.0.0.1%3A8080");
    let subject = &first["credentialSubject"];
    assert_eq!(
        subject["identifier"][0]["identityHash"],
        credit_code("91310000MA1FL0001")
    );
    assert_eq!(
        subject["identifier"][1]["identityHash"],
        "示例网络科技有限公司"
    );
    assert_eq!(
        subject["domains"],
        serde_json::json!(["m.shop.example.cn", "shop.example.cn"])
    );
    assert_eq!(subject["result"][0]["value"], "85");
    assert!(subject["achievement"]["name"]
        .as_str()
        .expect("name")
        .contains("三星级"));
    assert_eq!(first["validFrom"], "2025-01-10T00:00:00+08:00");
    assert_eq!(first["validUntil"], "2028-01-09T23:59:59+08:00");
    assert_eq!(first["logIndex"], 0, "C-1's issue is the log's first entry");
    let first_id = id_of(&first);
    assert_eq!(
        first["credentialStatus"][0]["statusListIndex"],
        first_id.to_string(),
        "a string, as the specification asks"
    );
    assert_eq!(
        first["credentialStatus"][1]["statusListCredential"],
        "http://127.0.0.1:8080/status/suspension/0"
    );
    // The same document at its own URL, and 304 for a client that holds it.
    let by_id = app.get(&format!("/credentials/{first_id}")).await;
    assert_eq!(by_id.body, page.body);
    let etag = page.header("etag").expect("etag");
    assert!(
        !etag.starts_with("W/"),
        "strong: the same bytes on every instance"
    );
    let again = app
        .get_with(
            "/certificates/C-1/credential.json",
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(!bit(&app, "revocation", first_id).await);
    assert!(!bit(&app, "suspension", first_id).await);

    // status.json: small, signed, conditional.
    let status = app.get("/certificates/C-1/status.json").await;
    assert_eq!(status.status, 200);
    let doc = verified(&status.body);
    assert_eq!(doc["status"], "valid");
    assert_eq!(doc["stars"], 3);
    assert_eq!(doc["credential"], first["id"]);
    assert_eq!(doc["logIndex"], 0);
    let tag = status.header("etag").expect("etag");
    let unchanged = app
        .get_with("/certificates/C-1/status.json", &[("if-none-match", &tag)])
        .await;
    assert_eq!(unchanged.status, 304);

    // A suspension sets the suspension bit at once; a restoration clears it.
    common::act(&db, "C-1", ActionKind::Suspend);
    assert!(bit(&app, "suspension", first_id).await);
    assert!(!bit(&app, "revocation", first_id).await);
    let suspended = app
        .get_with("/certificates/C-1/status.json", &[("if-none-match", &tag)])
        .await;
    assert_eq!(suspended.status, 200, "changed: a new ETag");
    let doc = verified(&suspended.body);
    assert_eq!(doc["status"], "suspended");
    assert_eq!(doc["logIndex"], 2, "the suspension's entry");
    common::act(&db, "C-1", ActionKind::Restore);
    assert!(!bit(&app, "suspension", first_id).await);

    // A renewal issues a new credential; the first is superseded (revoked) yet still served.
    common::act(&db, "C-1", ActionKind::Renew);
    let renewed = verified(&app.get("/certificates/C-1/credential.json").await.body);
    let renewed_id = id_of(&renewed);
    assert!(renewed_id > first_id);
    assert_eq!(renewed["validFrom"], "2026-12-07T00:00:00+08:00");
    assert_eq!(renewed["validUntil"], "2029-12-06T23:59:59+08:00");
    assert_eq!(renewed["logIndex"], 4, "the renewal's entry");
    assert!(bit(&app, "revocation", first_id).await, "superseded");
    assert!(!bit(&app, "revocation", renewed_id).await);
    let old = app.get(&format!("/credentials/{first_id}")).await;
    assert_eq!(old.status, 200);
    assert_eq!(old.body, page.body, "an issued credential never changes");

    // New bound domains: a new credential naming them.
    with_conn(&db, |conn| {
        change_binding(
            conn,
            &cli_actor("ops", beijing(2026, 12, 7, 11, 0)),
            "C-1",
            &BindingChange {
                domains: vec!["shop.example.cn".into(), "new.example.cn".into()],
                scope_zh: "网上零售".into(),
                scope_en: "Online retail".into(),
            },
        )
        .expect("bound");
    });
    let rebound = verified(&app.get("/certificates/C-1/credential.json").await.body);
    assert_eq!(
        rebound["credentialSubject"]["domains"],
        serde_json::json!(["new.example.cn", "shop.example.cn"])
    );
    let rebound_id = id_of(&rebound);
    assert!(bit(&app, "revocation", renewed_id).await);

    // A revocation revokes the current credential for good.
    common::act(&db, "C-1", ActionKind::Revoke);
    assert!(bit(&app, "revocation", rebound_id).await);
    let doc = verified(&app.get("/certificates/C-1/status.json").await.body);
    assert_eq!(doc["status"], "revoked");
    assert_eq!(doc["credential"], rebound["id"]);
    // C-2 was never touched.
    let other = verified(&app.get("/certificates/C-2/credential.json").await.body);
    assert!(!bit(&app, "revocation", id_of(&other)).await);
});

both_backends_async!(unknown_credentials_and_lists_are_not_found, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .event("issued", date(2025, 1, 10), (None, Some(3)), None)
            .insert(conn, &refs);
        transparency::start(conn, &demo_signer(), |_| {}).expect("log");
        credentials::start(conn).expect("credentials");
    });
    let app = TestApp::new(&db, beijing(2026, 12, 7, 10, 0)).await;
    for path in [
        "/credentials/0",
        "/credentials/999999",
        "/credentials/abc",
        "/credentials/99999999999999999999",
        "/status/revocation/1",
        "/status/refresh/0",
        "/status/revocation/-1",
        "/certificates/NOPE/credential.json",
        "/certificates/NOPE/status.json",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
});

/// Runs the independent Python verifier (docs/verify) on files; its exit status and verdict.
/// `None` when Python or its two packages are missing here (CI installs them and sets
/// `SQE_TEST_REQUIRE_PYTHON=1`, which makes their absence a failure).
fn python_verdict(args: &[&std::path::Path]) -> Option<(bool, String)> {
    let ready = std::process::Command::new("python3")
        .args(["-c", "import rfc8785, cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("SQE_TEST_REQUIRE_PYTHON").is_none(),
            "python3 with rfc8785 and cryptography is required (pip install -r docs/verify/requirements.txt)"
        );
        eprintln!("skipped: python3 with rfc8785 and cryptography is not installed");
        return None;
    }
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify/verify_credential.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

both_backends_async!(an_independent_python_verifier_agrees, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .domains(&["shop.example.cn"])
            .event("issued", date(2025, 1, 10), (None, Some(3)), None)
            .insert(conn, &refs);
        transparency::start(conn, &demo_signer(), |_| {}).expect("log");
        credentials::start(conn).expect("credentials");
    });
    let app = TestApp::new(&db, beijing(2026, 12, 7, 10, 0)).await;
    let dir = tempfile::tempdir().expect("dir");
    let save = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("written");
        path
    };
    let credential = save(
        "credential.json",
        &app.get("/certificates/C-1/credential.json").await.body,
    );
    let did = save("did.json", &app.get("/.well-known/did.json").await.body);
    let list = save(
        "revocation.json",
        &app.get("/status/revocation/0").await.body,
    );
    let did_flag = std::path::Path::new("--did");
    let list_flag = std::path::Path::new("--status-list");
    let Some((ok, verdict)) = python_verdict(&[&credential, did_flag, &did, list_flag, &list])
    else {
        return;
    };
    assert!(ok, "{verdict}");
    assert!(
        verdict.starts_with("VERIFIED: http://127.0.0.1:8080/credentials/"),
        "{verdict}"
    );

    // One changed star is caught.
    let forged = app
        .get("/certificates/C-1/credential.json")
        .await
        .body
        .replace("三星级", "五星级");
    let forged = save("forged.json", &forged);
    let (ok, verdict) = python_verdict(&[&forged, did_flag, &did]).expect("ready");
    assert!(!ok, "{verdict}");
    assert_eq!(verdict.trim(), "FAILED: the signature does not verify");

    // Revoked: the list the script fetched says so.
    common::act(&db, "C-1", ActionKind::Revoke);
    app.state.revision.force_check();
    let list = save(
        "revocation.json",
        &app.get("/status/revocation/0").await.body,
    );
    let (ok, verdict) =
        python_verdict(&[&credential, did_flag, &did, list_flag, &list]).expect("ready");
    assert!(!ok, "{verdict}");
    assert_eq!(
        verdict.trim(),
        "NOT VALID: the credential is marked revocation"
    );
});

#[test]
fn the_python_verifier_verifies_the_specifications_example() {
    let vectors =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/vc-di-eddsa");
    let signed = vectors.join("signedJCS.json");
    let key = std::path::Path::new("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
    let Some((ok, verdict)) = python_verdict(&[&signed, std::path::Path::new("--key"), key]) else {
        return;
    };
    assert!(ok, "{verdict}");
    assert!(
        verdict.starts_with("VERIFIED: urn:uuid:58172aac"),
        "{verdict}"
    );
}

#[test]
fn sqe_registry_verify_checks_a_credential_online_and_offline() {
    use diesel::prelude::*;
    let mut server = common::DemoServer::start(40);
    // A certificate in force and a revoked one, as the demo generated them.
    let mut db = SqliteConnection::establish(server.file.to_str().expect("path")).expect("db");
    let number_with = |db: &mut SqliteConnection, status: &str, in_force: bool| -> String {
        use sqe_registry::db::schema::certificates;
        let until = if in_force {
            date(2027, 6, 1)
        } else {
            date(2000, 1, 1)
        };
        certificates::table
            .filter(certificates::status.eq(status))
            .filter(certificates::expires_on.gt(until))
            .order(certificates::id)
            .select(certificates::number)
            .first(db)
            .expect("a certificate with that status")
    };
    let valid = number_with(&mut db, "valid", true);
    let revoked = number_with(&mut db, "revoked", false);
    let base = server.base.clone();
    let verify = |args: &[&str]| {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        common::run_bin(&all)
    };
    let credential_url = format!("{base}/certificates/{valid}/credential.json");
    let online = verify(&[&credential_url, "--log-proof"]);
    // Saved for offline use: the credential, the DID document and the two lists.
    let dir = server.dir.path().to_owned();
    let save = |name: &str, body: String| {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("written");
        path.to_str().expect("path").to_owned()
    };
    let credential = save(
        "credential.json",
        server.fetch(&format!("/certificates/{valid}/credential.json")),
    );
    let did = save("did.json", server.fetch("/.well-known/did.json"));
    let revocation = save("revocation.json", server.fetch("/status/revocation/0"));
    let suspension = save("suspension.json", server.fetch("/status/suspension/0"));
    let keys = save("keys.txt", server.fetch("/log/keys"));
    // A baked badge (the embed kit's print PNG) carries the same credential.
    let baked_url = format!("{base}/certificates/{valid}/baked-badge.png?lang=en");
    let baked_bytes = {
        let mut response = ureq::get(&baked_url).call().expect("baked badge");
        response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .expect("bytes")
    };
    let baked = dir.join("badge.png");
    std::fs::write(&baked, &baked_bytes).expect("written");
    let baked = baked.to_str().expect("path").to_owned();
    let baked_online = verify(&[&baked_url]);
    let revoked_online = verify(&[&format!("{base}/certificates/{revoked}/credential.json")]);
    server.stop();
    assert!(server.up, "the server did not start");

    assert!(online.0, "{online:?}");
    assert!(
        online
            .1
            .contains("signature: valid, by did:web:127.0.0.1%3A"),
        "{online:?}"
    );
    assert!(online.1.contains("revocation: not set"), "{online:?}");
    assert!(
        online
            .1
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("VALID: ")
                && l.contains(&format!("of certificate {valid}"))
                && l.contains("not revoked, not suspended; log entry ")),
        "{online:?}"
    );
    assert!(!revoked_online.0, "{revoked_online:?}");
    assert!(
        revoked_online.2.contains(
            "NOT VALID: the credential is marked revocation (the certificate is now revoked"
        ),
        "{revoked_online:?}"
    );

    // Offline, with everything saved: the same verdict, the server gone.
    let offline = verify(&[
        &credential,
        "--offline",
        "--key",
        &did,
        "--status-list",
        &revocation,
        "--status-list",
        &suspension,
    ]);
    assert!(offline.0, "{offline:?}");
    assert!(
        offline.1.contains("not revoked, not suspended"),
        "{offline:?}"
    );
    assert!(baked_online.0, "{baked_online:?}");
    let baked_offline = verify(&[
        &baked,
        "--offline",
        "--key",
        &did,
        "--status-list",
        &revocation,
        "--status-list",
        &suspension,
    ]);
    assert!(baked_offline.0, "{baked_offline:?}");
    assert!(
        baked_offline.1.contains("not revoked, not suspended"),
        "{baked_offline:?}"
    );
    // The log's keys file serves as well; without the lists the status is said unchecked.
    let unchecked = verify(&[&credential, "--offline", "--key", &keys]);
    assert!(unchecked.0, "{unchecked:?}");
    assert!(
        unchecked
            .1
            .contains("status NOT CHECKED (revocation, suspension"),
        "{unchecked:?}"
    );
    // A forged star, or a stranger's key, fails.
    let forged = save(
        "forged.json",
        std::fs::read_to_string(&credential)
            .expect("saved")
            .replace("★", "☆"),
    );
    let refused = verify(&[&forged, "--offline", "--key", &did]);
    assert!(!refused.0, "{refused:?}");
    assert!(
        refused
            .2
            .contains("FAILED: the proof: the signature does not verify"),
        "{refused:?}"
    );
    let stranger = save(
        "stranger.txt",
        sqe_registry::domain::tlog::note::NoteSigner::from_seed(
            "demo.sqe-registry.invalid/log",
            sqe_registry::domain::tlog::note::TYPE_ED25519,
            [3; 32],
        )
        .expect("key")
        .verifier()
        .vkey(),
    );
    let unknown = verify(&[&credential, "--offline", "--key", &stranger]);
    assert!(!unknown.0, "{unknown:?}");
    assert!(
        unknown.2.contains("FAILED: the proof: no published key is"),
        "{unknown:?}"
    );
}

both_backends_async!(
    the_print_badge_carries_the_credential_and_its_log_proof_is_linked,
    |db| {
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            CertificateBuilder::new("C-1")
                .company(
                    "示例网络科技有限公司",
                    None,
                    &credit_code("91310000MA1FL0001"),
                )
                .domains(&["shop.example.cn"])
                .event("issued", date(2025, 1, 10), (None, Some(3)), None)
                .insert(conn, &refs);
            transparency::start(conn, &demo_signer(), |_| {}).expect("log");
            credentials::start(conn).expect("credentials");
        });
        let app = TestApp::new(&db, beijing(2026, 12, 7, 10, 0)).await;
        let baked = app
            .get("/certificates/C-1/baked-badge.png?lang=en&theme=dark")
            .await;
        assert_eq!(baked.status, 200, "{}", baked.body);
        assert_eq!(baked.header("content-type").as_deref(), Some("image/png"));
        assert!(baked
            .header("content-disposition")
            .is_some_and(|d| d.contains("sqe-badge-C-1-en-dark.png")));
        // Read with the png crate: the image is the print badge, the chunk the credential.
        let decoder = png::Decoder::new(std::io::Cursor::new(baked.bytes.to_vec()));
        let reader = decoder.read_info().expect("a PNG");
        let texts: Vec<(String, bool, String)> = reader
            .info()
            .utf8_text
            .iter()
            .map(|t| (t.keyword.clone(), t.compressed, t.get_text().expect("text")))
            .collect();
        assert_eq!(texts.len(), 1);
        assert_eq!(texts[0].0, "openbadgecredential");
        assert!(!texts[0].1, "uncompressed, as Open Badges 3.0 asks");
        let credential = verified(&texts[0].2);
        let current = verified(&app.get("/certificates/C-1/credential.json").await.body);
        assert_eq!(credential, current);
        let plain = app
            .get("/badge/C-1.png?size=l&lang=en&theme=dark&scale=2")
            .await;
        assert_eq!(
            common::decode_png(&baked.bytes),
            common::decode_png(&plain.bytes),
            "the same image as the served badge"
        );
        // Bad parameters and unknown numbers.
        assert_eq!(
            app.get("/certificates/C-1/baked-badge.png?theme=neon")
                .await
                .status,
            400
        );
        assert_eq!(
            app.get("/certificates/C-9/baked-badge.png").await.status,
            404
        );

        // The credential's log proof: a redirect to the proof of the entry it names.
        let proof = app.get("/certificates/C-1/credential-proof").await;
        assert_eq!(proof.status, 303);
        let location = proof.header("location").expect("location");
        assert_eq!(location, format!("/log/proof/{}", current["logIndex"]));
        assert_eq!(app.get(&location).await.status, 200);
        assert_eq!(
            app.get("/certificates/C-9/credential-proof").await.status,
            404
        );
        // Offered on the verification page, the embed kit and the print page.
        for page in [
            "/certificates/C-1",
            "/certificates/C-1/embed",
            "/certificates/C-1/print",
        ] {
            app.get(page)
                .await
                .assert_contains("/certificates/C-1/credential-proof");
        }
        app.get("/certificates/C-1/embed")
            .await
            .assert_contains("/certificates/C-1/baked-badge.png?lang=en&#38;theme=dark");
    }
);
