//! The import's rules: the sample file, re-runs, dry runs, and every error by line with nothing
//! written.

use super::*;
use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use sqe_registry::db::certificates::find_detail;
use sqe_registry::db::models::CertificateEvent;
use sqe_registry::domain::record::RawRecord;
use sqe_registry::transfer::csv_rows::CsvWriter;

/// CSV text of these records, with the header.
fn csv_of(rows: &[RawRecord]) -> String {
    let mut w = CsvWriter::new(Vec::new()).expect("header");
    for r in rows {
        w.write(r).expect("row");
    }
    String::from_utf8(w.finish().expect("flush")).expect("utf-8")
}

/// A valid record of a new company and platform.
fn row(number: &str, code: &str, domain: &str) -> RawRecord {
    RawRecord::default()
        .with(Column::Number, number)
        .with(Column::CreditCode, code)
        .with(Column::CompanyNameZh, format!("{number}公司"))
        .with(Column::ProvinceCode, "440000")
        .with(Column::City, "市辖区")
        .with(Column::Address, "测试路 1 号")
        .with(Column::PlatformName, format!("{number}平台"))
        .with(Column::PlatformType, "b2c")
        .with(Column::Domains, domain)
        .with(Column::BodyCode, "CQM")
        .with(Column::SchemeSlug, "31526-2015")
        .with(Column::Score, "85")
        .with(Column::Status, "valid")
        .with(Column::FirstIssuedOn, "2025-01-10")
        .with(Column::IssuedOn, "2025-01-10")
        .with(Column::ExpiresOn, "2028-01-09")
        .with(Column::LastAssessedOn, "2025-01-10")
        .with(Column::LastAssessmentKind, "initial")
}

fn issued_events(conn: &mut DbConnection, number: &str) -> Vec<CertificateEvent> {
    find_detail(conn, number)
        .expect("query")
        .expect("certificate")
        .events
}

both_backends!(the_sample_file_imports, |db| {
    with_conn(&db, seed_reference);
    let before = with_conn(&db, counts);
    let summary = import(&db, SAMPLE, false).expect("the sample imports");
    assert_eq!(summary.imported.len(), 6);
    assert!(summary.unchanged.is_empty());
    assert_eq!(summary.imported[0], (2, "CQM-SQE-2024-900101".to_owned()));
    with_conn(&db, |conn| {
        let after = counts(conn);
        assert_eq!(after.certificates, 6);
        assert_eq!(
            after.companies, 5,
            "two rows share a credit code: one company"
        );
        assert_eq!(after.platforms, 6);
        assert_eq!(after.domains, 7);
        assert_eq!(after.events, 6);
        assert_eq!(
            after.audit,
            6 + 5,
            "one entry per certificate and per new company"
        );
        assert_eq!(
            after.revision,
            before.revision + 1,
            "one bump for the whole import"
        );
        let d = find_detail(conn, "CQM-SQE-2021-900102")
            .expect("query")
            .expect("imported");
        assert_eq!(d.certificate.grade, 2, "78.25 earns two stars");
        assert_eq!(d.certificate.sort_name, "示例优选网络科技有限公司（虚构）");
        assert_eq!(d.platform.apps(), ["示例优选到家", "示例到家极速版"]);
        assert_eq!(d.domains, ["youxuan-daojia.example"]);
        assert!(d
            .certificate
            .scope_zh
            .starts_with("示例优选到家（youxuan-daojia.example）"));
        assert_eq!(d.events.len(), 1);
        assert_eq!(d.events[0].kind.as_str(), "issued");
        assert_eq!(d.events[0].occurred_on, date(2021, 4, 1));
        assert_eq!(
            d.events[0].grade_after, None,
            "renewed since: the first grade is unknown"
        );
        let first = issued_events(conn, "CQM-SQE-2026-900104");
        assert_eq!(
            first[0].grade_after,
            Some(5),
            "nothing assessed since the first issue"
        );
        let default_scope = find_detail(conn, "CQM-SQE-2024-900101")
            .expect("query")
            .expect("imported")
            .certificate
            .scope_zh;
        assert_eq!(
            default_scope,
            "示例优选商城（m.youxuan.example、youxuan.example、示例优选）的电子商务平台服务"
        );
        let audit = sqe_registry::db::accounts::latest_audit(conn, 1).expect("audit");
        assert_eq!(audit[0].actor, "cli:import");
        assert_eq!(audit[0].action, "certificate.import");
        let json: serde_json::Value =
            serde_json::from_str(audit[0].after_json.as_deref().expect("after")).expect("json");
        assert_eq!(json["number"], "CQM-SQE-2022-900106");
        assert_eq!(json["grade"], 3);
    });
});

both_backends!(a_second_run_changes_nothing, |db| {
    with_conn(&db, seed_reference);
    import(&db, SAMPLE, false).expect("first run");
    let before = with_conn(&db, counts);
    let again = import(&db, SAMPLE, false).expect("second run");
    assert!(again.imported.is_empty());
    assert_eq!(again.unchanged.len(), 6);
    assert_eq!(again.unchanged[5], (7, "CQM-SQE-2022-900106".to_owned()));
    assert!(again
        .to_string()
        .contains("line 7: CQM-SQE-2022-900106 unchanged"));
    assert_eq!(
        with_conn(&db, counts),
        before,
        "no row and no revision bump"
    );
    // One new line among known ones: only it is written.
    let new_row = csv_of(&[row(
        "NEW-1",
        &credit_code("91440300MA5F00901"),
        "new.example",
    )]);
    let mut text = SAMPLE.to_owned();
    text.push_str(new_row.lines().nth(1).expect("the row"));
    text.push('\n');
    let mixed = import(&db, &text, false).expect("mixed run");
    assert_eq!(mixed.imported, [(8, "NEW-1".to_owned())]);
    assert_eq!(mixed.unchanged.len(), 6);
    let after = with_conn(&db, counts);
    assert_eq!(after.certificates, before.certificates + 1);
    assert_eq!(after.revision, before.revision + 1);
});

both_backends!(a_dry_run_writes_nothing, |db| {
    with_conn(&db, seed_reference);
    let before = with_conn(&db, counts);
    let summary = import(&db, SAMPLE, true).expect("dry run");
    assert!(summary.dry_run);
    assert_eq!(summary.imported.len(), 6);
    assert!(summary
        .to_string()
        .ends_with("dry run: nothing was written"));
    assert_eq!(with_conn(&db, counts), before);
    let bad = SAMPLE.replace("91.5,valid", "101,valid");
    let errors = rejected(import(&db, &bad, true));
    assert_eq!(
        errors,
        ["line 2: score: a score must be between 0 and 100, got 101"]
    );
});

both_backends!(
    every_error_is_reported_by_line_and_nothing_is_written,
    |db| {
        with_conn(&db, seed_reference);
        let before = with_conn(&db, counts);
        let c1 = credit_code("91440300MA5F00101");
        let mut other_name = row("R-5", &c1, "e.example");
        other_name.set(Column::CompanyNameZh, "另一个名字有限公司");
        let text = csv_of(&[
            row("R-1", &c1, "a.example"),
            row("R-2", "91371323760038087X", "b.example")
                .with(Column::Score, "150")
                .with(Column::ExpiresOn, "2024-12-31"),
            row("R-1", &credit_code("91440300MA5F00102"), "c.example"),
            row(
                "R-4",
                &credit_code("91440300MA5F00103"),
                "https://www.A.example/x",
            ),
            other_name,
            row("R-6", &credit_code("91440300MA5F00104"), "f.example")
                .with(Column::BodyCode, "XYZ")
                .with(Column::SchemeSlug, "31526-1999"),
        ]);
        let errors = rejected(import(&db, &text, false));
        let expected_prefixes = [
        "line 3: credit_code: the check character should be",
        "line 3: score: a score must be between 0 and 100, got 150",
        "line 3: expires_on: 2024-12-31 must be after issued_on (2025-01-10)",
        "line 3: expires_on: 2024-12-31 must be on or after last_assessed_on (2025-01-10)",
        "line 4: number: R-1 is also on line 2",
        "line 5: domains: a.example is also bound on line 2",
        "line 6: credit_code: line 2 has the same credit code with other values in: company_name_zh",
        "line 7: body_code: no certification body with code \"XYZ\" in the registry (known: CQM)",
        "line 7: scheme_slug: no scheme version \"31526-1999\" in the registry (known: 31526-2015, 31526-2025)",
    ];
        assert_eq!(errors.len(), expected_prefixes.len(), "{errors:#?}");
        for (e, p) in errors.iter().zip(expected_prefixes) {
            assert!(e.starts_with(p), "{e:?} should start with {p:?}");
        }
        assert_eq!(
            with_conn(&db, counts),
            before,
            "the valid lines are not written either"
        );
    }
);

both_backends!(the_file_is_checked_against_the_registry, |db| {
    let refs = with_conn(&db, seed_reference);
    let p1 = credit_code("91440300MA5F00201");
    with_conn(&db, |conn| {
        CertificateBuilder::new("OLD-1")
            .company("OLD-1公司", None, &p1)
            .domains(&["old.example"])
            .insert(conn, &refs)
    });
    let before = with_conn(&db, counts);
    let stored_company =
        row("OLD-2", &p1, "reuse.example").with(Column::CompanyNameZh, "OLD-1公司");
    let text = csv_of(&[
        row("OLD-1", &p1, "old.example").with(Column::Score, "99"),
        row("N-2", &credit_code("91440300MA5F00202"), "WWW.old.example"),
        row("N-3", &p1, "n3.example"),
        stored_company.clone(),
        row("N-5", &credit_code("91440300MA5F00203"), "n5.example")
            .with(Column::SchemeSlug, "31526-2025")
            .with(Column::LastAssessedOn, "2025-06-01"),
    ]);
    let errors = rejected(import(&db, &text, false));
    assert_eq!(
        errors,
        [
            "line 2: number: certificate OLD-1 is already in the registry with other values in: \
             platform_name, score, scope_zh, scope_en; change it in the back office",
            "line 3: domains: old.example is also bound on line 2: a domain belongs to one platform",
            "line 3: domains: old.example is already bound to certificate OLD-1",
            "line 4: credit_code: line 2 has the same credit code with other values in: \
             company_name_zh; one credit code is one company",
            "line 4: credit_code: the registry holds this credit code for a company with other \
             values in: company_name_zh; the stored company is reused, so the row must match it",
            "line 6: scheme_slug: 31526-2025 took effect on 2025-12-01, after the last assessment \
             (2025-06-01)",
        ]
    );
    assert_eq!(with_conn(&db, counts), before);
    // The row whose company matches the stored one reuses it.
    let summary = import(&db, &csv_of(&[stored_company]), false).expect("imports");
    assert_eq!(summary.imported.len(), 1);
    let after = with_conn(&db, counts);
    assert_eq!(
        after.companies, before.companies,
        "the stored company is reused"
    );
    assert_eq!(after.certificates, before.certificates + 1);
});
