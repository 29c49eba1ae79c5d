//! Registering one checked certificate record, imported or issued by an initial evaluation: its
//! company (unless stored already), platform with domains, certificate with search tokens, and
//! for the commit path its public "issued" event and audit entries. Runs inside the caller's
//! use case.

use diesel::QueryResult;

use super::{Changes, PublicEvent};
use crate::db::models::{NewCertificate, NewCompany, NewPlatform};
use crate::db::{write, DbConnection};
use crate::domain::event::EventKind;
use crate::domain::record::{CertificateRecord, Column};
use crate::domain::surveillance::AssessmentKind;

/// A record to insert, with the ids it points to.
pub struct Planned {
    /// The line of the import file (0 for a form).
    pub line: u64,
    pub record: CertificateRecord,
    pub body_id: i32,
    pub scheme_id: i32,
    /// The stored company with the record's credit code, when there is one.
    pub company_id: Option<i32>,
}

/// Where a record comes from: its audit actions and the note on its "issued" event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// From earlier records: its history before the import is not known here.
    Import,
    /// Issued here after an initial evaluation.
    Issue,
}

impl Origin {
    fn action(self, entity: &str) -> String {
        match self {
            Origin::Import => format!("{entity}.import"),
            Origin::Issue => format!("{entity}.create"),
        }
    }
}

/// Why an imported certificate's history starts with it: earlier events are not known here.
const IMPORTED_ZH: &str = "自原有登记记录导入；此前的变更未在此列出。";
const IMPORTED_EN: &str =
    "Imported from earlier records; changes before the import are not listed here.";

/// The record as JSON for the audit log: every column in canonical text, and the grade.
fn record_json(r: &CertificateRecord) -> serde_json::Value {
    let raw = r.to_raw();
    let mut map = serde_json::Map::new();
    for c in Column::ALL {
        map.insert(c.name().to_owned(), raw.get(c).into());
    }
    map.insert("grade".to_owned(), r.grade.stars().into());
    serde_json::Value::Object(map)
}

/// Inserts the company of `p` when it has no id yet; returns the company id.
pub fn company(
    conn: &mut DbConnection,
    changes: &mut Changes<'_>,
    p: &Planned,
    origin: Origin,
) -> QueryResult<i32> {
    if let Some(id) = p.company_id {
        return Ok(id);
    }
    let c = &p.record.company;
    let id = write::insert_company(conn, &new_company(&p.record))?;
    let after = serde_json::json!({
        "credit_code": c.credit_code.as_str(),
        "name_zh": c.name_zh,
        "name_en": c.name_en,
        "province_code": c.province_code,
        "city": c.city,
        "address": c.address,
    });
    changes.audit(
        origin.action("company"),
        "company",
        c.credit_code.as_str(),
        None,
        Some(&after),
    );
    Ok(id)
}

fn new_company(r: &CertificateRecord) -> NewCompany {
    let c = &r.company;
    NewCompany {
        credit_code: c.credit_code.to_string(),
        name_zh: c.name_zh.clone(),
        name_en: c.name_en.clone(),
        province_code: c.province_code.to_owned(),
        city: c.city.clone(),
        address: c.address.clone(),
    }
}

/// Inserts the platform, certificate, "issued" event and audit entry of `p` for the company
/// `company_id`; returns the certificate id.
pub fn certificate(
    conn: &mut DbConnection,
    changes: &mut Changes<'_>,
    p: &Planned,
    company_id: i32,
    origin: Origin,
) -> QueryResult<i32> {
    let r = &p.record;
    let platform = NewPlatform {
        company_id,
        name: r.platform.name.clone(),
        platform_type: r.platform.platform_type,
        app_names: r.platform.app_names.join("\n"),
    };
    let domains: Vec<String> = r
        .platform
        .domains
        .iter()
        .map(|d| d.as_str().to_owned())
        .collect();
    let platform_id = write::insert_platform(conn, &platform, &domains)?;
    let grade = i16::from(r.grade.stars());
    let cert = NewCertificate {
        number: r.number.clone(),
        platform_id,
        company_id,
        body_id: p.body_id,
        scheme_version_id: p.scheme_id,
        score: r.score.value(),
        grade,
        status: r.status,
        first_issued_on: r.first_issued_on,
        issued_on: r.issued_on,
        expires_on: r.expires_on,
        last_assessed_on: r.last_assessed_on,
        last_assessment_kind: r.last_assessment_kind,
        scope_zh: r.scope_zh.clone(),
        scope_en: r.scope_en.clone(),
        sort_name: r.company.name_zh.clone(),
        search_text: String::new(),
        updated_at: changes.actor().now,
    };
    let text = write::searchable_text(&new_company(r), &platform);
    let id = write::insert_certificate(conn, &cert, &text)?;
    // The grade at first issue is known only when nothing has been assessed since.
    let first_grade = (r.issued_on == r.first_issued_on
        && r.last_assessment_kind == AssessmentKind::Initial)
        .then_some(grade);
    changes.publish(PublicEvent {
        certificate_id: id,
        kind: EventKind::Issued,
        occurred_on: r.first_issued_on,
        grade_before: None,
        grade_after: first_grade,
        reason_zh: (origin == Origin::Import).then(|| IMPORTED_ZH.to_owned()),
        reason_en: (origin == Origin::Import).then(|| IMPORTED_EN.to_owned()),
    });
    changes.audit(
        origin.action("certificate"),
        "certificate",
        r.number.clone(),
        None,
        Some(&record_json(r)),
    );
    Ok(id)
}
