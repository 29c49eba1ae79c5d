//! The credential's exact shape, written out by hand: a change of it changes what every holder
//! of a saved credential can compare, so it must be deliberate.

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use serde_json::json;

use super::*;
use crate::domain::credentials::data_integrity::{self, ProofOptions};

fn facts() -> CredentialFacts {
    CredentialFacts {
        id: 1_048_580,
        certificate_number: "SQE-2025-0001".into(),
        issued_at: NaiveDate::from_ymd_opt(2025, 3, 1)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .expect("time"),
        valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).expect("day"),
        valid_until: NaiveDate::from_ymd_opt(2028, 2, 29).expect("day"),
        grade: Grade::Four,
        score: 92.46,
        scheme_slug: "31526-2025".into(),
        scheme_code: "GB/T 31526-2025".into(),
        body_name_zh: "示例认证中心".into(),
        body_name_en: "Example Certification Centre".into(),
        operator_name: "示例网络科技有限公司".into(),
        credit_code: "91310000MA1FL0001X".into(),
        platform_name: "示例商城".into(),
        domains: vec!["m.shop.example.cn".into(), "shop.example.cn".into()],
        log_index: Some(41),
    }
}

const REGISTRY: Registry<'static> = Registry {
    public_url: "https://registry.example.cn",
    did: "did:web:registry.example.cn",
};

#[test]
fn the_credential_reads_exactly_so() {
    let expected = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "https://registry.example.cn/credentials/1048580",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "SQE 四星级 ★★★★ · 示例商城",
        "issuer": {
            "id": "did:web:registry.example.cn",
            "type": ["Profile"],
            "name": "示例认证中心",
            "description": "Example Certification Centre",
            "url": "https://registry.example.cn/"
        },
        "validFrom": "2025-03-01T00:00:00+08:00",
        "validUntil": "2028-02-29T23:59:59+08:00",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "ext:UnifiedSocialCreditCode",
                 "hashed": false, "identityHash": "91310000MA1FL0001X"},
                {"type": "IdentityObject", "identityType": "name",
                 "hashed": false, "identityHash": "示例网络科技有限公司"},
                {"type": "IdentityObject", "identityType": "ext:Domain",
                 "hashed": false, "identityHash": "m.shop.example.cn"},
                {"type": "IdentityObject", "identityType": "ext:Domain",
                 "hashed": false, "identityHash": "shop.example.cn"}
            ],
            "platform": "示例商城",
            "domains": ["m.shop.example.cn", "shop.example.cn"],
            "certificate": {
                "number": "SQE-2025-0001",
                "url": "https://registry.example.cn/certificates/SQE-2025-0001"
            },
            "achievement": {
                "id": "https://registry.example.cn/about#sqe-31526-2025-4-stars",
                "type": ["Achievement"],
                "achievementType": "ext:ServiceQualityGrade",
                "name": "电子商务服务质量认证（SQE）四星级 / SQE e-commerce service quality, 4 stars",
                "description": "4星级电子商务服务质量认证，依据 GB/T 31524 与 GB/T 31526-2025 评价。 A 4-star SQE service-quality certificate, evaluated under GB/T 31524 and GB/T 31526-2025.",
                "criteria": {
                    "narrative": "评价得分不低于 90 分（满分 100）。 A score of at least 90 out of 100 under GB/T 31526-2025."
                },
                "resultDescription": [{
                    "id": "https://registry.example.cn/about#sqe-31526-2025-4-stars-score",
                    "type": ["ResultDescription"],
                    "name": "评价得分 / Score",
                    "resultType": "RawScore",
                    "valueMin": "0",
                    "valueMax": "100"
                }]
            },
            "result": [{
                "type": ["Result"],
                "resultDescription": "https://registry.example.cn/about#sqe-31526-2025-4-stars-score",
                "value": "92.5"
            }]
        },
        "credentialStatus": [
            {
                "id": "https://registry.example.cn/status/revocation/1#4",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "4",
                "statusListCredential": "https://registry.example.cn/status/revocation/1"
            },
            {
                "id": "https://registry.example.cn/status/suspension/1#4",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "suspension",
                "statusListIndex": "4",
                "statusListCredential": "https://registry.example.cn/status/suspension/1"
            }
        ],
        "evidence": [{
            "id": "https://registry.example.cn/log/proof/41",
            "type": ["Evidence"],
            "name": "透明日志条目 41 / Transparency log entry 41",
            "narrative": "The registry's public transparency log records the event this credential reflects; the proof shows the entry is in the signed log."
        }],
        "logIndex": 41
    });
    assert_eq!(credential(&facts(), &REGISTRY), expected);
}

#[test]
fn without_a_log_entry_there_is_no_evidence() {
    let mut f = facts();
    f.log_index = None;
    let c = credential(&f, &REGISTRY);
    assert!(c.get("evidence").is_none());
    assert!(c.get("logIndex").is_none());
}

#[test]
fn a_number_with_a_slash_is_one_path_segment() {
    assert_eq!(
        REGISTRY.certificate_url("SQE/2025 01"),
        "https://registry.example.cn/certificates/SQE%2F2025%2001"
    );
}

#[test]
fn scores_read_with_at_most_one_decimal() {
    assert_eq!(score_text(90.0), "90");
    assert_eq!(score_text(92.46), "92.5");
    assert_eq!(score_text(99.95), "100");
    assert_eq!(score_text(70.04), "70");
}

#[test]
fn signed_it_verifies_and_any_change_is_caught() {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let options = ProofOptions {
        created: utc(facts().issued_at),
        verification_method: "did:web:registry.example.cn#key-01020304".into(),
        proof_purpose: "assertionMethod".into(),
    };
    assert_eq!(options.created, "2025-03-01T02:30:00Z");
    let signed =
        data_integrity::sign(&credential(&facts(), &REGISTRY), &options, &key).expect("signs");
    let public = key.verifying_key();
    let key_for = |m: &str| (m == "did:web:registry.example.cn#key-01020304").then_some(public);
    assert!(data_integrity::verify(&signed, key_for).is_ok());
    let mut upgraded = signed.clone();
    upgraded["credentialSubject"]["result"][0]["value"] = json!("96");
    assert_eq!(
        data_integrity::verify(&upgraded, key_for),
        Err(data_integrity::ProofError::Signature)
    );
    let mut prolonged = signed;
    prolonged["validUntil"] = json!("2030-02-28T23:59:59+08:00");
    assert_eq!(
        data_integrity::verify(&prolonged, key_for),
        Err(data_integrity::ProofError::Signature)
    );
}
