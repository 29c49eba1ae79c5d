//! The certificate as a signed credential: a W3C Verifiable Credential 2.0 shaped as a 1EdTech
//! Open Badges 3.0 `OpenBadgeCredential`. Issuer: the certification body, under the registry's
//! did:web; subject: the certified platform's operator (unified social credit code and name as
//! identifiers), the platform and its bound domains; achievement: the SQE grade under its scheme
//! version; result: the score; evidence: the transparency-log entry of the event it reflects;
//! status: its entries in the revocation and suspension lists. Built from the facts stored
//! when the credential was issued, so the same credential id always reads the same.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

use super::status_list::{self, StatusPurpose};
use crate::domain::grade::Grade;

/// The Open Badges 3.0 context, after the VC 2.0 one.
pub const CONTEXT: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];

/// What a credential states, as stored when it was issued.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialFacts {
    /// The credential's number in this registry: its URL and its index in the status lists.
    pub id: i64,
    pub certificate_number: String,
    /// When it was issued (UTC): the proof's `created`.
    pub issued_at: NaiveDateTime,
    /// First and last day of validity (Beijing days, inclusive).
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub grade: Grade,
    pub score: f64,
    pub scheme_slug: String,
    pub scheme_code: String,
    pub body_name_zh: String,
    pub body_name_en: String,
    pub operator_name: String,
    pub credit_code: String,
    pub platform_name: String,
    pub domains: Vec<String>,
    /// The log entry of the event it reflects, once the log holds it.
    pub log_index: Option<u64>,
}

/// Where the registry is: its public URL (no trailing slash) and its DID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry<'a> {
    pub public_url: &'a str,
    pub did: &'a str,
}

impl Registry<'_> {
    /// The URL (and id) of credential `id`.
    pub fn credential_url(&self, id: i64) -> String {
        format!("{}/credentials/{id}", self.public_url)
    }

    /// The verification page of a certificate.
    pub fn certificate_url(&self, number: &str) -> String {
        format!(
            "{}/certificates/{}",
            self.public_url,
            crate::domain::url_path::encode_segment(number)
        )
    }
}

/// Beijing midnight at the start of `day`, as an XML Schema dateTime.
pub fn start_of(day: NaiveDate) -> String {
    format!("{}T00:00:00+08:00", day.format("%Y-%m-%d"))
}

/// The last second of `day` in Beijing.
pub fn end_of(day: NaiveDate) -> String {
    format!("{}T23:59:59+08:00", day.format("%Y-%m-%d"))
}

/// A UTC time as an XML Schema dateTime (`…Z`).
pub fn utc(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The score as text with at most one decimal (`92.5`, `90`), as Open Badges results are.
pub fn score_text(score: f64) -> String {
    let tenths = (score * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}")
    } else {
        format!("{tenths:.1}")
    }
}

/// The unsigned credential.
pub fn credential(facts: &CredentialFacts, registry: &Registry<'_>) -> Value {
    let stars = facts.grade.stars();
    let achievement_id = format!(
        "{}/about#sqe-{}-{}-stars",
        registry.public_url, facts.scheme_slug, stars
    );
    let mut identifiers = vec![
        identifier("ext:UnifiedSocialCreditCode", &facts.credit_code),
        identifier("name", &facts.operator_name),
    ];
    identifiers.extend(facts.domains.iter().map(|d| identifier("ext:Domain", d)));
    let status = |purpose: StatusPurpose| {
        let list = status_list::list_url(registry.public_url, purpose, facts.id);
        let (_, entry) = status_list::position(facts.id);
        json!({
            "id": format!("{list}#{entry}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose.as_str(),
            "statusListIndex": entry.to_string(),
            "statusListCredential": list,
        })
    };
    let mut credential = json!({
        "@context": CONTEXT,
        "id": registry.credential_url(facts.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!(
            "SQE {} {} · {}",
            facts.grade.name_zh(),
            "★".repeat(usize::from(stars)),
            facts.platform_name
        ),
        "issuer": {
            "id": registry.did,
            "type": ["Profile"],
            "name": facts.body_name_zh,
            "description": facts.body_name_en,
            "url": format!("{}/", registry.public_url),
        },
        "validFrom": start_of(facts.valid_from),
        "validUntil": end_of(facts.valid_until),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "platform": facts.platform_name,
            "domains": facts.domains,
            "certificate": {
                "number": facts.certificate_number,
                "url": registry.certificate_url(&facts.certificate_number),
            },
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "ext:ServiceQualityGrade",
                "name": format!(
                    "电子商务服务质量认证（SQE）{} / SQE e-commerce service quality, {stars} stars",
                    facts.grade.name_zh()
                ),
                "description": format!(
                    "{}星级电子商务服务质量认证，依据 GB/T 31524 与 {} 评价。 \
                     A {stars}-star SQE service-quality certificate, evaluated under GB/T 31524 and {}.",
                    stars, facts.scheme_code, facts.scheme_code
                ),
                "criteria": {
                    "narrative": format!(
                        "评价得分不低于 {} 分（满分 100）。 A score of at least {} out of 100 under {}.",
                        score_text(facts.grade.min_score()),
                        score_text(facts.grade.min_score()),
                        facts.scheme_code
                    ),
                },
                "resultDescription": [{
                    "id": format!("{achievement_id}-score"),
                    "type": ["ResultDescription"],
                    "name": "评价得分 / Score",
                    "resultType": "RawScore",
                    "valueMin": "0",
                    "valueMax": "100",
                }],
            },
            "result": [{
                "type": ["Result"],
                "resultDescription": format!("{achievement_id}-score"),
                "value": score_text(facts.score),
            }],
        },
        "credentialStatus": [status(StatusPurpose::Revocation), status(StatusPurpose::Suspension)],
    });
    if let Some(index) = facts.log_index {
        credential["evidence"] = json!([{
            "id": format!("{}/log/proof/{index}", registry.public_url),
            "type": ["Evidence"],
            "name": format!("透明日志条目 {index} / Transparency log entry {index}"),
            "narrative": "The registry's public transparency log records the event this credential reflects; the proof shows the entry is in the signed log.",
        }]);
        credential["logIndex"] = json!(index);
    }
    credential
}

fn identifier(kind: &str, value: &str) -> Value {
    json!({
        "type": "IdentityObject",
        "identityType": kind,
        "hashed": false,
        "identityHash": value,
    })
}

#[cfg(test)]
#[path = "badge_tests.rs"]
mod tests;
