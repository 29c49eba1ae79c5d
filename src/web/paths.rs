//! Every internal URL the site links to, built in one place: a page, image or feed of a
//! certificate or company, the search, the statistics' CSV files, and the back office's pages.
//! Segments are percent-encoded here. `tests/registry/paths.rs` requests each path built here and checks
//! that a route answers it.

pub use crate::domain::url_path::encode_segment;

/// A certificate number as part of a file name.
pub fn file_safe(number: &str) -> String {
    number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The verification page of a certificate (what its mark and QR code link to).
pub fn certificate(number: &str) -> String {
    format!("/certificates/{}", encode_segment(number))
}

/// The Atom feed of a certificate's public events.
pub fn certificate_feed(number: &str) -> String {
    format!("{}/events.atom", certificate(number))
}

/// The certificate's current signed credential.
pub fn credential(number: &str) -> String {
    format!("{}/credential.json", certificate(number))
}

/// The certificate's small signed status document.
pub fn status_json(number: &str) -> String {
    format!("{}/status.json", certificate(number))
}

/// The print-ready PNG badge with the certificate's credential baked in; `query` is `""` or
/// `?lang=…&theme=…`.
pub fn baked_badge(number: &str, query: &str) -> String {
    format!("{}/baked-badge.png{query}", certificate(number))
}

/// The file name of a downloaded print badge.
pub fn badge_file(
    number: &str,
    lang: crate::domain::mark::MarkLang,
    theme: crate::domain::mark::Theme,
) -> String {
    format!(
        "sqe-badge-{}-{}-{}.png",
        file_safe(number),
        lang.tag(),
        theme.tag()
    )
}

/// Where the log proof of the certificate's current credential is (a redirect to it).
pub fn credential_proof(number: &str) -> String {
    format!("{}/credential-proof", certificate(number))
}

/// The embed kit of a certificate's mark.
pub fn embed(number: &str) -> String {
    format!("{}/embed", certificate(number))
}

/// The printable copy of a certificate.
pub fn print(number: &str) -> String {
    format!("{}/print", certificate(number))
}

/// The public page of a certificate holder.
pub fn company(credit_code: &str) -> String {
    format!("/companies/{}", encode_segment(credit_code))
}

/// The Atom feed of a holder's public events.
pub fn company_feed(credit_code: &str) -> String {
    format!("{}/events.atom", company(credit_code))
}

/// The Atom feed of the whole registry's public events.
pub const REGISTRY_FEED: &str = "/feeds/events.atom";

/// The badge of a certificate as SVG or PNG (`ext`), with its query string (`""` or `?…`).
pub fn badge(number: &str, ext: &str, query: &str) -> String {
    format!("/badge/{}.{ext}{query}", encode_segment(number))
}

/// The QR code of a certificate as SVG or PNG (`ext`), with its query string (`""` or `?…`).
pub fn qr(number: &str, ext: &str, query: &str) -> String {
    format!("/qr/{}.{ext}{query}", encode_segment(number))
}

/// The public report form, with what is known prefilled (`kind`, `number`, `site`; empty
/// values are left out).
pub fn report_new(kind: &str, number: &str, site: &str) -> String {
    let pairs: Vec<(&str, &str)> = [("kind", kind), ("number", number), ("site", site)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    with_query(
        "/reports/new",
        &serde_urlencoded::to_string(pairs).unwrap_or_default(),
    )
}

/// A reporter's private follow-up page.
pub fn report_follow(token: &str) -> String {
    format!("/reports/follow/{}", encode_segment(token))
}

/// One entry of the transparency log (canonical JSON).
pub fn log_entry(index: i64) -> String {
    format!("/log/entries/{index}")
}

/// A C2SP tlog-proof of one entry of the transparency log.
pub fn log_proof(index: i64) -> String {
    format!("/log/proof/{index}")
}

/// The privacy notice of the report form.
pub const PRIVACY: &str = "/privacy";

/// The back office's queue of report cases, with its filters (`a=b&…` or `""`).
pub fn admin_cases(query: &str) -> String {
    with_query("/admin/reports", query)
}

/// The back office's page of one report case.
pub fn admin_case(id: i32) -> String {
    format!("/admin/reports/{id}")
}

/// The back office's list of webhook endpoints, of the certificate or company `target` when
/// not empty.
pub fn admin_webhooks(target: &str) -> String {
    if target.is_empty() {
        "/admin/webhooks".to_owned()
    } else {
        format!(
            "/admin/webhooks?{}",
            serde_urlencoded::to_string([("for", target)]).unwrap_or_default()
        )
    }
}

/// The back office's page of one webhook endpoint.
pub fn admin_webhook(id: i32) -> String {
    format!("/admin/webhooks/{id}")
}

/// `path` with the query string `query` (`a=b&…`), or alone when `query` is empty.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A statistics chart's data as CSV, with the page's filters (`""` or `a=b&…`).
pub fn statistics_csv(chart: &str, filters: &str) -> String {
    with_query(&format!("/statistics/{chart}.csv"), filters)
}

/// A sitemap file of the index (`pages`, `certificates-1`, …).
pub fn sitemap_file(name: &str) -> String {
    format!("/sitemaps/{name}.xml")
}

/// The search with its filters as a query string (`""` or `a=b&…`).
pub fn search(query: &str) -> String {
    with_query("/search", query)
}

/// A page of the list of confirmed misuse (the first has no parameter).
pub fn misuse(page: i64) -> String {
    if page <= 1 {
        "/misuse".to_owned()
    } else {
        format!("/misuse?page={page}")
    }
}

/// The back office's page of a certificate.
pub fn admin_certificate(number: &str) -> String {
    format!("/admin{}", certificate(number))
}

/// The back office's evaluation form of a certificate.
pub fn admin_evaluate(number: &str) -> String {
    format!("{}/evaluate", admin_certificate(number))
}

/// The back office's page of a company.
pub fn admin_company(credit_code: &str) -> String {
    format!("/admin{}", company(credit_code))
}

/// The back office's audit log, filtered by a query string (`""` or `a=b&…`).
pub fn admin_audit(query: &str) -> String {
    with_query("/admin/audit", query)
}

/// The back office's audit log of one entity (a certificate number, a credit code, …).
pub fn admin_audit_of(entity_id: &str) -> String {
    admin_audit(&format!("entity_id={}", encode_segment(entity_id)))
}

/// Where the back office confirms a sighting as misuse.
pub fn admin_sighting_confirm(id: i32) -> String {
    format!("/admin/sightings/{id}/confirm")
}

/// Where the back office dismisses a sighting.
pub fn admin_sighting_dismiss(id: i32) -> String {
    format!("/admin/sightings/{id}/dismiss")
}

/// Where the back office edits a certification body.
pub fn admin_body(code: &str) -> String {
    format!("/admin/reference/bodies/{}", encode_segment(code))
}

/// Where the back office edits a scheme version.
pub fn admin_scheme(slug: &str) -> String {
    format!("/admin/reference/schemes/{}", encode_segment(slug))
}

/// Where the back office changes a staff account.
pub fn admin_account(id: i32) -> String {
    format!("/admin/accounts/{id}")
}

/// The back office's audit log as CSV, with the same filters.
pub fn admin_audit_csv(query: &str) -> String {
    with_query("/admin/audit.csv", query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_once() {
        assert_eq!(
            certificate("CQM-SQE-2024-000001"),
            "/certificates/CQM-SQE-2024-000001"
        );
        assert_eq!(certificate("A B/C?"), "/certificates/A%20B%2FC%3F");
        assert_eq!(print("A B"), "/certificates/A%20B/print");
        assert_eq!(admin_company("9111/X"), "/admin/companies/9111%2FX");
        assert_eq!(badge("N 1", "svg", "?lang=en"), "/badge/N%201.svg?lang=en");
        assert_eq!(statistics_csv("grades", ""), "/statistics/grades.csv");
        assert_eq!(
            statistics_csv("grades", "year=2025"),
            "/statistics/grades.csv?year=2025"
        );
        assert_eq!(search(""), "/search");
        assert_eq!(search("q=jd&page=2"), "/search?q=jd&page=2");
        assert_eq!(misuse(1), "/misuse");
        assert_eq!(misuse(3), "/misuse?page=3");
        assert_eq!(admin_audit_of("A B&C"), "/admin/audit?entity_id=A%20B%26C");
        assert_eq!(admin_sighting_confirm(7), "/admin/sightings/7/confirm");
        assert_eq!(admin_body("C/Q"), "/admin/reference/bodies/C%2FQ");
    }
}
