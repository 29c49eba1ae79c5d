//! The history file read and compared with entries: the header, duplicates, unlogged events,
//! and which entries and claims are allowed to go unmatched (newer than the file or the log,
//! or entries that are not events).

use super::*;

fn entry(index: u64, certificate: &str, kind: &str, reason: Option<&str>) -> LogEntry {
    LogEntry {
        version: 1,
        index,
        kind: kind.into(),
        certificate: certificate.into(),
        holder: "91440300MA5F000010".into(),
        platform: "P".into(),
        domains: vec![],
        grade_before: None,
        grade_after: Some(4),
        date: "2026-12-02".into(),
        reason_zh: reason.map(Into::into),
        reason_en: None,
        site: None,
        previous: None,
    }
}

/// A file of `log_size` with one certificate "C-1" whose events are (index, kind, reason_zh).
fn file(log_size: u64, events: &[(Option<u64>, &str, Option<&str>)]) -> String {
    let history: Vec<String> = events
        .iter()
        .map(|(i, kind, reason)| {
            format!(
                r#"{{"log_index":{},"kind":"{kind}","date":"2026-12-02","stars_before":null,"stars_after":4,"reason_zh":{},"reason_en":null}}"#,
                i.map_or("null".to_string(), |i| i.to_string()),
                reason.map_or("null".to_string(), |r| format!("\"{r}\""))
            )
        })
        .collect();
    format!(
        "{{\"format\":\"sqe-registry-history\",\"version\":1,\"log_size\":{log_size}}}\n\
         {{\"number\":\"C-1\",\"history\":[{}]}}\n",
        history.join(",")
    )
}

fn read(text: &str) -> Result<Claims, HistoryError> {
    Claims::read(text.as_bytes())
}

#[test]
fn matching_events_pass_and_are_counted() {
    let mut claims = read(&file(
        2,
        &[
            (Some(0), "issued", None),
            (Some(1), "suspended", Some("原因")),
        ],
    ))
    .expect("read");
    assert_eq!(claims.certificates, 1);
    claims
        .entry(0, &entry(0, "C-1", "issued", None))
        .expect("0");
    claims
        .entry(1, &entry(1, "C-1", "suspended", Some("原因")))
        .expect("1");
    assert_eq!(claims.compared, 2);
}

#[test]
fn any_public_field_that_differs_is_caught() {
    let differs = |e: LogEntry| {
        let mut claims = read(&file(1, &[(Some(0), "suspended", Some("原因"))])).expect("read");
        claims.entry(0, &e)
    };
    let expected = Err(HistoryError::Differs {
        index: 0,
        certificate: "C-1".into(),
    });
    assert_eq!(
        differs(entry(0, "C-1", "suspended", Some("别的"))),
        expected
    );
    assert_eq!(differs(entry(0, "C-1", "revoked", Some("原因"))), expected);
    let mut later = entry(0, "C-1", "suspended", Some("原因"));
    later.date = "2026-12-03".into();
    assert_eq!(differs(later), expected);
    let mut stars = entry(0, "C-1", "suspended", Some("原因"));
    stars.grade_after = Some(5);
    assert_eq!(differs(stars), expected);
    assert_eq!(
        differs(entry(0, "C-2", "suspended", Some("原因"))),
        Err(HistoryError::Differs {
            index: 0,
            certificate: "C-2".into()
        })
    );
}

#[test]
fn an_empty_reason_is_no_reason() {
    let mut claims = read(&file(1, &[(Some(0), "issued", Some(""))])).expect("read");
    claims
        .entry(0, &entry(0, "C-1", "issued", None))
        .expect("same");
}

#[test]
fn an_event_entry_the_file_covers_must_be_in_a_history() {
    let mut claims = read(&file(3, &[(Some(0), "issued", None)])).expect("read");
    claims
        .entry(0, &entry(0, "C-1", "issued", None))
        .expect("0");
    // Not an event (no history line shows it): fine.
    claims
        .entry(1, &entry(1, "C-1", "domains_changed", None))
        .expect("1");
    assert_eq!(
        claims.entry(2, &entry(2, "C-1", "revoked", None)),
        Err(HistoryError::Missing {
            index: 2,
            certificate: "C-1".into()
        })
    );
    // Beyond the file's log size: newer than the file.
    claims
        .entry(3, &entry(3, "C-1", "revoked", None))
        .expect("3");
}

#[test]
fn claims_beyond_the_log_are_newer_events() {
    let mut claims = read(&file(
        1,
        &[(Some(0), "issued", None), (Some(7), "revoked", None)],
    ))
    .expect("read");
    claims
        .entry(0, &entry(0, "C-1", "issued", None))
        .expect("0");
    assert_eq!(claims.compared, 1);
}

#[test]
fn a_claim_on_a_non_event_entry_differs() {
    let mut claims = read(&file(1, &[(Some(0), "issued", None)])).expect("read");
    assert!(matches!(
        claims.entry(0, &entry(0, "C-1", "domains_changed", None)),
        Err(HistoryError::Differs { index: 0, .. })
    ));
}

#[test]
fn unlogged_events_duplicates_and_foreign_files_are_refused() {
    assert_eq!(
        read(&file(1, &[(None, "issued", None)])).map(|_| ()),
        Err(HistoryError::Unlogged {
            certificate: "C-1".into(),
            kind: "issued".into(),
            date: "2026-12-02".into()
        })
    );
    assert_eq!(
        read(&file(
            2,
            &[(Some(1), "issued", None), (Some(1), "revoked", None)]
        ))
        .map(|_| ()),
        Err(HistoryError::Duplicate(1))
    );
    for bad in [
        "",
        "{\"format\":\"other\",\"version\":1,\"log_size\":0}\n",
        "{\"format\":\"sqe-registry-history\",\"version\":2,\"log_size\":0}\n",
        "{\"format\":\"sqe-registry-history\",\"version\":1,\"log_size\":0}\n{\"number\":1}\n",
    ] {
        assert!(
            matches!(read(bad), Err(HistoryError::Malformed(_))),
            "{bad:?}"
        );
    }
    let empty = read("{\"format\":\"sqe-registry-history\",\"version\":1,\"log_size\":0}\n")
        .expect("an empty registry");
    assert_eq!(empty.certificates, 0);
}
