//! Reference data of the demo registry: the certification bodies, the two versions of
//! GB/T 31526 and their first-level indicators (names and weights are illustrative).

use anyhow::Context;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::evaluation::{IndicatorRef, SchemeRef};
use crate::db::models::{NewCertificationBody, NewIndicator, NewSchemeVersion};
use crate::db::schema::{certification_bodies, indicators, scheme_versions};
use crate::db::{write, DbConnection};

/// A certification body and its share of the demo certificates.
pub struct BodyDef {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub approval_number: &'static str,
    pub website: Option<&'static str>,
    /// Relative share of the certificates it issues.
    pub share: u32,
}

/// The body named in the source article, and a fictitious second one.
pub static BODIES: [BodyDef; 2] = [
    BodyDef {
        code: "CQM",
        name_zh: "中国方圆认证集团",
        name_en: "China Quality Mark Certification Group",
        approval_number: "CNCA-R-2002-002",
        website: Some("https://www.cqm.com.cn"),
        share: 85,
    },
    BodyDef {
        code: "DEMO",
        name_zh: "示例质量认证中心（演示）",
        name_en: "Example Quality Certification Centre (demo)",
        approval_number: "CNCA-R-0000-000 (demo)",
        website: None,
        share: 15,
    },
];

/// A first-level indicator: code, Chinese and English names, points, and whether it may not
/// apply to a platform (then left out of the score).
type IndicatorDef = (&'static str, &'static str, &'static str, f64, bool);

/// A version of the scheme and its indicators.
pub struct SchemeDef {
    pub slug: &'static str,
    pub standard_code: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// Year, month, day.
    pub effective_from: (i32, u32, u32),
    pub indicators: &'static [IndicatorDef],
}

/// The 13 first-level indicators of the 2015 version (placeholders; the real ones are not public).
#[rustfmt::skip]
const INDICATORS_2015: [IndicatorDef; 13] = [
    ("1", "技术性能", "Technical performance", 8.0, false),
    ("2", "管理机制", "Management mechanisms", 6.0, false),
    ("3", "个人信息保护", "Personal information protection", 9.0, false),
    ("4", "营销推广服务", "Marketing and promotion services", 6.0, true),
    ("5", "产品信息披露", "Product information disclosure", 9.0, false),
    ("6", "经营者身份认证", "Seller identity authentication", 7.0, false),
    ("7", "订单处理服务", "Order processing services", 7.0, false),
    ("8", "支付结算服务", "Payment and settlement services", 8.0, false),
    ("9", "物流配送服务", "Logistics and delivery services", 8.0, false),
    ("10", "售后保障服务", "After-sales services", 9.0, false),
    ("11", "顾客咨询服务", "Customer enquiry services", 6.0, false),
    ("12", "投诉处理与纠纷调解", "Complaint handling and dispute mediation", 9.0, false),
    ("13", "顾客满意度", "Customer satisfaction", 8.0, false),
];

/// The 18 first-level indicators of the 2025 version, in three groups of six: 基础保障
/// (foundations, 1–6), 交易服务 (transaction services, 7–12), 权益保障 (consumer rights, 13–18).
/// The schema has no group level, so the groups show only in the order. Illustrative.
#[rustfmt::skip]
const INDICATORS_2025: [IndicatorDef; 18] = [
    ("1", "技术性能", "Technical performance", 6.0, false),
    ("2", "系统与数据安全", "System and data security", 6.0, false),
    ("3", "个人信息保护", "Personal information protection", 7.0, false),
    ("4", "经营者身份核验", "Operator identity verification", 5.0, false),
    ("5", "管理制度", "Management system", 4.0, false),
    ("6", "合规经营", "Compliant operation", 5.0, false),
    ("7", "商品与服务信息披露", "Disclosure of goods and service information", 7.0, false),
    ("8", "营销推广", "Marketing and promotion", 5.0, false),
    ("9", "订单处理", "Order processing", 5.0, false),
    ("10", "支付结算", "Payment and settlement", 6.0, false),
    ("11", "物流配送", "Logistics and delivery", 6.0, false),
    ("12", "售后保障", "After-sales assurance", 7.0, false),
    ("13", "咨询服务", "Customer enquiries", 4.0, false),
    ("14", "投诉处理", "Complaint handling", 6.0, false),
    ("15", "纠纷调解", "Dispute mediation", 5.0, false),
    ("16", "知识产权保护", "Intellectual property protection", 5.0, false),
    ("17", "特殊群体保护", "Protection of vulnerable consumers", 4.0, true),
    ("18", "顾客满意度", "Customer satisfaction", 7.0, false),
];

/// Both versions, oldest first.
pub static SCHEMES: [SchemeDef; 2] = [
    SchemeDef {
        slug: "31526-2015",
        standard_code: "GB/T 31526-2015",
        title_zh: "电子商务平台服务质量评价与等级划分",
        title_en: "Service quality evaluation and grading of e-commerce platforms",
        effective_from: (2016, 1, 1),
        indicators: &INDICATORS_2015,
    },
    SchemeDef {
        slug: "31526-2025",
        standard_code: "GB/T 31526-2025",
        title_zh: "电子商务平台服务质量评价",
        title_en: "Service quality evaluation of e-commerce platforms",
        effective_from: (2025, 12, 1),
        indicators: &INDICATORS_2025,
    },
];

/// A body as the generator uses it.
pub struct BodyRef {
    pub id: i32,
    pub code: &'static str,
    pub share: u32,
}

/// The reference data in the database, with the ids the generated rows point to.
pub struct Reference {
    pub bodies: Vec<BodyRef>,
    /// Oldest first.
    pub schemes: Vec<SchemeRef>,
}

/// Finds the bodies and scheme versions by code and slug, inserting the missing ones (with
/// their indicators), in one transaction.
pub fn load_or_insert(conn: &mut DbConnection) -> anyhow::Result<Reference> {
    conn.transaction(|conn| {
        let mut bodies = Vec::new();
        for b in &BODIES {
            let found = certification_bodies::table
                .filter(certification_bodies::code.eq(b.code))
                .select(certification_bodies::id)
                .first::<i32>(conn)
                .optional()?;
            let id = match found {
                Some(id) => id,
                None => write::insert_body(conn, &new_body(b))?,
            };
            bodies.push(BodyRef {
                id,
                code: b.code,
                share: b.share,
            });
        }
        let mut schemes = Vec::new();
        for s in &SCHEMES {
            schemes.push(scheme(conn, s)?);
        }
        Ok(Reference { bodies, schemes })
    })
}

fn new_body(b: &BodyDef) -> NewCertificationBody {
    NewCertificationBody {
        code: b.code.to_owned(),
        name_zh: b.name_zh.to_owned(),
        name_en: b.name_en.to_owned(),
        approval_number: b.approval_number.to_owned(),
        website: b.website.map(str::to_owned),
    }
}

/// One scheme version: the stored one with its first-level indicators, or a new one.
fn scheme(conn: &mut DbConnection, s: &SchemeDef) -> anyhow::Result<SchemeRef> {
    let (y, m, d) = s.effective_from;
    let effective_from = NaiveDate::from_ymd_opt(y, m, d).context("bad effective date")?;
    let found = scheme_versions::table
        .filter(scheme_versions::slug.eq(s.slug))
        .select(scheme_versions::id)
        .first::<i32>(conn)
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => write::insert_scheme_version(
            conn,
            &NewSchemeVersion {
                slug: s.slug.to_owned(),
                standard_code: s.standard_code.to_owned(),
                title_zh: s.title_zh.to_owned(),
                title_en: s.title_en.to_owned(),
                effective_from,
                illustrative: true,
            },
        )?,
    };
    let stored: Vec<(i32, String, f64)> = indicators::table
        .filter(indicators::scheme_version_id.eq(id))
        .filter(indicators::parent_id.is_null())
        .order_by(indicators::position.asc())
        .select((indicators::id, indicators::code, indicators::max_points))
        .load(conn)?;
    let indicators = if stored.is_empty() {
        let mut out = Vec::new();
        for (position, &(code, name_zh, name_en, max_points, optional)) in
            (1..).zip(s.indicators.iter())
        {
            let row = NewIndicator {
                scheme_version_id: id,
                parent_id: None,
                code: code.to_owned(),
                name_zh: name_zh.to_owned(),
                name_en: name_en.to_owned(),
                max_points,
                position,
            };
            let id = write::insert_indicator(conn, &row)?;
            out.push(IndicatorRef {
                id,
                max_points,
                optional,
            });
        }
        out
    } else {
        let optional = |code: &str| s.indicators.iter().any(|i| i.0 == code && i.4);
        stored
            .into_iter()
            .map(|(id, code, max_points)| IndicatorRef {
                id,
                max_points,
                optional: optional(&code),
            })
            .collect()
    };
    Ok(SchemeRef {
        id,
        effective_from,
        indicators,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_points_sum_to_100() {
        for s in &SCHEMES {
            let sum: f64 = s.indicators.iter().map(|i| i.3).sum();
            assert!((sum - 100.0).abs() < 1e-9, "{}: {sum}", s.slug);
        }
        assert_eq!(SCHEMES[0].indicators.len(), 13);
        assert_eq!(SCHEMES[1].indicators.len(), 18);
        assert_eq!(BODIES.iter().map(|b| b.share).sum::<u32>(), 100);
    }
}
