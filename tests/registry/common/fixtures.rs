//! Builders for registry records: `CertificateBuilder::new("N").stars(4).suspended()…insert()`.

use chrono::NaiveDate;
use sqe_registry::db::models::*;
use sqe_registry::db::write;
use sqe_registry::db::DbConnection;
use sqe_registry::domain::credit_code::check_character;
use sqe_registry::domain::event::EventKind;
use sqe_registry::domain::hostname::Hostname;
use sqe_registry::domain::platform_type::PlatformType;
use sqe_registry::domain::surveillance::AssessmentKind;

/// A certificate of 云禾商城, the platform of 杭州云禾网络科技有限公司, the holder most tests use
/// (`code17`: the first 17 characters of its credit code, to tell holders apart).
pub fn yunhe(number: &str, code17: &str) -> CertificateBuilder {
    CertificateBuilder::new(number)
        .company("杭州云禾网络科技有限公司", None, &credit_code(code17))
        .platform("云禾商城", "b2c")
}

/// The same holder with its English name.
pub fn yunhe_bilingual(number: &str, code17: &str) -> CertificateBuilder {
    CertificateBuilder::new(number)
        .company(
            "杭州云禾网络科技有限公司",
            Some("Hangzhou Yunhe Network Technology Co., Ltd."),
            &credit_code(code17),
        )
        .platform("云禾商城", "b2c")
}

/// A certificate of 京东商城 (jd.com, jd.hk; its app), held by 北京京东世纪贸易有限公司 in Beijing,
/// five stars: the best-known platform, found by its brand, its domains and its number.
pub fn jd(number: &str) -> CertificateBuilder {
    CertificateBuilder::new(number)
        .company(
            "北京京东世纪贸易有限公司",
            Some("Beijing Jingdong Century Trading Co., Ltd."),
            &credit_code("91110302562134916"),
        )
        .province("110000")
        .platform("京东商城", "b2c")
        .domains(&["jd.com", "jd.hk"])
        .apps(&["京东 App"])
        .stars(5)
}

/// A certificate of 淘宝 (taobao.com, C2C) held by 浙江淘宝网络有限公司 in Zhejiang.
pub fn taobao(number: &str) -> CertificateBuilder {
    CertificateBuilder::new(number)
        .company(
            "浙江淘宝网络有限公司",
            None,
            &credit_code("91330100799655058"),
        )
        .province("330000")
        .platform("淘宝", "c2c")
        .domains(&["taobao.com"])
}

/// A two-star certificate of 旧时光优选 (oldtimes.cn) that expired on 2023-02-28.
pub fn old_times(number: &str) -> CertificateBuilder {
    CertificateBuilder::new(number)
        .company(
            "深圳旧时光电子商务有限公司",
            None,
            &credit_code("91440300MA5D00004"),
        )
        .province("440000")
        .platform("旧时光优选", "b2c")
        .domains(&["oldtimes.cn"])
        .stars(2)
        .dates(
            NaiveDate::from_ymd_opt(2020, 3, 1).expect("date"),
            NaiveDate::from_ymd_opt(2023, 2, 28).expect("date"),
        )
}

/// Ids of the reference rows every certificate needs.
#[derive(Debug, Clone, Copy)]
pub struct Refs {
    pub body_id: i32,
    pub scheme_2015: i32,
    pub scheme_2025: i32,
    /// First-level indicators of the 2015 scheme used by fixtures.
    pub indicators: [i32; 3],
}

/// Inserts one certification body and two scheme versions (three indicators on the first).
pub fn seed_reference(conn: &mut DbConnection) -> Refs {
    let body_id = write::insert_body(
        conn,
        &NewCertificationBody {
            code: "CQM".into(),
            name_zh: "中国方圆认证集团".into(),
            name_en: "China Quality Mark Certification Group".into(),
            approval_number: "CNCA-R-2002-002".into(),
            website: None,
        },
    )
    .expect("body");
    let scheme = |slug: &str, code: &str, from: NaiveDate| NewSchemeVersion {
        slug: slug.into(),
        standard_code: code.into(),
        title_zh: "电子商务平台服务质量评价".into(),
        title_en: "Service quality evaluation of e-commerce platforms".into(),
        effective_from: from,
        illustrative: true,
    };
    let scheme_2015 = write::insert_scheme_version(
        conn,
        &scheme("31526-2015", "GB/T 31526-2015", super::date(2016, 1, 1)),
    )
    .expect("scheme");
    let scheme_2025 = write::insert_scheme_version(
        conn,
        &scheme("31526-2025", "GB/T 31526-2025", super::date(2025, 12, 1)),
    )
    .expect("scheme");
    let names = [
        ("技术性能", "Technical performance"),
        ("个人信息保护", "Personal information protection"),
        ("售后保障服务", "After-sales service"),
    ];
    let mut indicators = [0; 3];
    for (i, (zh, en)) in names.iter().enumerate() {
        indicators[i] = write::insert_indicator(
            conn,
            &NewIndicator {
                scheme_version_id: scheme_2015,
                parent_id: None,
                code: (i + 1).to_string(),
                name_zh: (*zh).into(),
                name_en: (*en).into(),
                max_points: 10.0,
                position: i32::try_from(i).expect("small"),
            },
        )
        .expect("indicator");
    }
    Refs {
        body_id,
        scheme_2015,
        scheme_2025,
        indicators,
    }
}

/// A valid unified social credit code built from a 17-character prefix of the code alphabet.
pub fn credit_code(prefix17: &str) -> String {
    let check = check_character(prefix17).expect("prefix of 17 valid characters");
    format!("{prefix17}{check}")
}

/// Builds a company, its platform, a certificate and its history.
#[derive(Debug, Clone)]
pub struct CertificateBuilder {
    number: String,
    company_zh: String,
    company_en: Option<String>,
    credit_code: String,
    province: String,
    platform: String,
    platform_type: String,
    apps: String,
    domains: Vec<String>,
    stars: i16,
    score: f64,
    status: String,
    issued_on: NaiveDate,
    expires_on: NaiveDate,
    last_kind: String,
    last_on: Option<NaiveDate>,
    scheme_2025: bool,
    events: Vec<NewCertificateEvent>,
    indicator_scores: Option<[Option<f64>; 3]>,
}

impl CertificateBuilder {
    pub fn new(number: &str) -> CertificateBuilder {
        CertificateBuilder {
            number: number.into(),
            company_zh: format!("测试{number}有限公司"),
            company_en: None,
            credit_code: credit_code("91440300MA5F00001"),
            province: "440000".into(),
            platform: format!("测试平台{number}"),
            platform_type: "b2c".into(),
            apps: String::new(),
            domains: Vec::new(),
            stars: 3,
            score: 85.0,
            status: "valid".into(),
            issued_on: super::date(2025, 1, 10),
            expires_on: super::date(2028, 1, 9),
            last_kind: "initial".into(),
            last_on: None,
            scheme_2025: false,
            events: Vec::new(),
            indicator_scores: None,
        }
    }

    pub fn company(mut self, zh: &str, en: Option<&str>, credit_code: &str) -> Self {
        self.company_zh = zh.into();
        self.company_en = en.map(Into::into);
        self.credit_code = credit_code.into();
        self
    }

    pub fn province(mut self, code: &str) -> Self {
        self.province = code.into();
        self
    }

    pub fn platform(mut self, name: &str, platform_type: &str) -> Self {
        self.platform = name.into();
        self.platform_type = platform_type.into();
        self
    }

    pub fn apps(mut self, apps: &[&str]) -> Self {
        self.apps = apps.join("\n");
        self
    }

    /// Bound domains, in any form `Hostname::parse` accepts.
    pub fn domains(mut self, domains: &[&str]) -> Self {
        self.domains = domains
            .iter()
            .map(|d| {
                Hostname::parse(d)
                    .expect("valid domain")
                    .as_str()
                    .to_owned()
            })
            .collect();
        self
    }

    pub fn stars(mut self, stars: i16) -> Self {
        self.stars = stars;
        self.score = match stars {
            2 => 75.0,
            3 => 85.0,
            4 => 92.0,
            _ => 97.0,
        };
        self
    }

    pub fn score(mut self, score: f64) -> Self {
        self.score = score;
        self
    }

    pub fn status(mut self, status: &str) -> Self {
        self.status = status.into();
        self
    }

    pub fn suspended(self) -> Self {
        self.status("suspended")
    }

    pub fn dates(mut self, issued_on: NaiveDate, expires_on: NaiveDate) -> Self {
        self.issued_on = issued_on;
        self.expires_on = expires_on;
        self
    }

    pub fn last_assessment(mut self, kind: &str, on: NaiveDate) -> Self {
        self.last_kind = kind.into();
        self.last_on = Some(on);
        self
    }

    pub fn scheme_2025(mut self) -> Self {
        self.scheme_2025 = true;
        self
    }

    pub fn event(
        mut self,
        kind: &str,
        on: NaiveDate,
        grades: (Option<i16>, Option<i16>),
        reason: Option<(&str, &str)>,
    ) -> Self {
        self.events.push(NewCertificateEvent {
            certificate_id: 0,
            kind: EventKind::parse(kind).unwrap_or_else(|| panic!("unknown event kind {kind:?}")),
            occurred_on: on,
            grade_before: grades.0,
            grade_after: grades.1,
            reason_zh: reason.map(|r| r.0.into()),
            reason_en: reason.map(|r| r.1.into()),
            created_at: write::now_utc(),
        });
        self
    }

    /// Per-indicator scores (out of 10 each; `None` = not applicable) of the latest evaluation.
    pub fn indicator_scores(mut self, scores: [Option<f64>; 3]) -> Self {
        self.indicator_scores = Some(scores);
        self
    }

    /// Inserts everything; returns the certificate id.
    fn last_assessment_kind(&self) -> AssessmentKind {
        AssessmentKind::parse(&self.last_kind)
            .unwrap_or_else(|| panic!("unknown assessment kind {:?}", self.last_kind))
    }

    pub fn insert(self, conn: &mut DbConnection, refs: &Refs) -> i32 {
        let last_kind = self.last_assessment_kind();
        let company = NewCompany {
            credit_code: self.credit_code.clone(),
            name_zh: self.company_zh.clone(),
            name_en: self.company_en.clone(),
            province_code: self.province.clone(),
            city: "市辖区".into(),
            address: "测试路 1 号".into(),
        };
        let company_id = write::insert_company(conn, &company).expect("company");
        let platform = NewPlatform {
            company_id,
            name: self.platform.clone(),
            platform_type: PlatformType::parse(&self.platform_type)
                .unwrap_or_else(|| panic!("unknown platform type {:?}", self.platform_type)),
            app_names: self.apps.clone(),
        };
        let platform_id = write::insert_platform(conn, &platform, &self.domains).expect("platform");
        let text = write::searchable_text(&company, &platform);
        let scheme = if self.scheme_2025 {
            refs.scheme_2025
        } else {
            refs.scheme_2015
        };
        let last_on = self.last_on.unwrap_or(self.issued_on);
        let cert = NewCertificate {
            number: self.number.clone(),
            platform_id,
            company_id,
            body_id: refs.body_id,
            scheme_version_id: scheme,
            score: self.score,
            grade: self.stars,
            status: sqe_registry::domain::status::CertificateStatus::parse(&self.status)
                .unwrap_or_else(|| panic!("unknown status {:?}", self.status)),
            first_issued_on: self.issued_on,
            issued_on: self.issued_on,
            expires_on: self.expires_on,
            last_assessed_on: last_on,
            last_assessment_kind: last_kind,
            scope_zh: format!("{}的电子商务平台服务", self.platform),
            scope_en: format!("E-commerce platform services of {}", self.platform),
            sort_name: self.company_zh.clone(),
            search_text: String::new(),
            updated_at: write::now_utc(),
        };
        let id = write::insert_certificate(conn, &cert, &text).expect("certificate");
        for mut e in self.events {
            e.certificate_id = id;
            write::insert_event(conn, &e).expect("event");
        }
        if let Some(scores) = self.indicator_scores {
            let evaluation = NewEvaluation {
                certificate_id: id,
                kind: last_kind,
                assessed_on: last_on,
                total_score: self.score,
                grade: Some(self.stars),
            };
            let rows: Vec<(i32, Option<f64>, f64)> = refs
                .indicators
                .iter()
                .zip(scores)
                .map(|(&ind, s)| (ind, s, 10.0))
                .collect();
            write::insert_evaluation(conn, &evaluation, &rows).expect("evaluation");
        }
        id
    }
}
