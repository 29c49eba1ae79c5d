use chrono::NaiveDate;

use super::*;
use crate::domain::credit_code::check_character;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

const TODAY: (i32, u32, u32) = (2026, 11, 29);

fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn good() -> RawRecord {
    RawRecord::default()
        .with(Column::Number, "CQM-SQE-2025-000001")
        .with(Column::CreditCode, "91371323760038087M")
        .with(Column::CompanyNameZh, "示例网络科技有限公司")
        .with(
            Column::CompanyNameEn,
            "Example Network Technology Co., Ltd.",
        )
        .with(Column::ProvinceCode, "370000")
        .with(Column::City, "临沂市")
        .with(Column::Address, "示例路 1 号")
        .with(Column::PlatformName, "示例商城")
        .with(Column::PlatformType, "b2c")
        .with(Column::Domains, "shop.example.cn; www.example.com")
        .with(Column::AppNames, "示例商城 App")
        .with(Column::BodyCode, "CQM")
        .with(Column::SchemeSlug, "31526-2015")
        .with(Column::Score, "87.5")
        .with(Column::Status, "valid")
        .with(Column::FirstIssuedOn, "2025-01-10")
        .with(Column::IssuedOn, "2025-01-10")
        .with(Column::ExpiresOn, "2028-01-09")
        .with(Column::LastAssessedOn, "2025-07-08")
        .with(Column::LastAssessmentKind, "surveillance")
}

fn problems(raw: &RawRecord) -> Vec<(Column, FieldProblem)> {
    match validate(raw, today()) {
        Ok(r) => panic!("expected errors, got {r:?}"),
        Err(errors) => errors.into_iter().map(|e| (e.column, e.problem)).collect(),
    }
}

fn columns(raw: &RawRecord) -> Vec<Column> {
    problems(raw).into_iter().map(|(c, _)| c).collect()
}

#[test]
fn a_good_record_validates_and_derives_the_grade() {
    let r = validate(&good(), today()).expect("valid");
    assert_eq!(r.grade, crate::domain::grade::Grade::Three);
    assert_eq!(r.company.province_code, "370000");
    assert_eq!(
        r.platform
            .domains
            .iter()
            .map(Hostname::as_str)
            .collect::<Vec<_>>(),
        ["example.com", "shop.example.cn"],
        "normalised (www. dropped) and sorted"
    );
    assert_eq!(r.platform.app_names, ["示例商城 App"]);
    assert_eq!(
        r.scope_zh,
        "示例商城（example.com、shop.example.cn、示例商城 App）的电子商务平台服务"
    );
    assert!(r
        .scope_en
        .starts_with("E-commerce platform services of 示例商城"));
}

#[test]
fn canonical_text_validates_back_to_the_same_record() {
    let loose = good()
        .with(Column::CreditCode, " 91371323760038087m ")
        .with(Column::ProvinceCode, "山东")
        .with(Column::PlatformType, " B2C ")
        .with(
            Column::Domains,
            "https://WWW.Example.com/shop、shop.example.cn example.com",
        )
        .with(Column::Status, "有效")
        .with(Column::IssuedOn, "2025/1/10")
        .with(Column::LastAssessmentKind, "Surveillance");
    let r = validate(&loose, today()).expect("valid");
    let raw = r.to_raw();
    assert_eq!(raw.get(Column::CreditCode), "91371323760038087M");
    assert_eq!(raw.get(Column::ProvinceCode), "370000");
    assert_eq!(raw.get(Column::Domains), "example.com;shop.example.cn");
    assert_eq!(raw.get(Column::Status), "valid");
    assert_eq!(raw.get(Column::IssuedOn), "2025-01-10");
    assert_eq!(raw.get(Column::Score), "87.5");
    let again = validate(&raw, today()).expect("canonical text is valid");
    assert_eq!(again, r);
    assert_eq!(again.to_raw(), raw);
}

#[test]
fn every_error_is_listed_not_just_the_first() {
    let bad = good()
        .with(Column::Number, "CQM/1")
        .with(Column::CreditCode, "91371323760038087X")
        .with(Column::ProvinceCode, "990000")
        .with(Column::PlatformType, "p2p")
        .with(Column::Domains, "ok.example.com; 127.0.0.1; localhost")
        .with(Column::Score, "abc")
        .with(Column::Status, "withdrawn")
        .with(Column::LastAssessmentKind, "audit");
    let found = problems(&bad);
    assert!(matches!(
        found[0],
        (Column::Number, FieldProblem::Number(_))
    ));
    assert!(matches!(
        found[1],
        (Column::CreditCode, FieldProblem::CreditCode(_))
    ));
    let cols: Vec<Column> = found.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        cols,
        [
            Column::Number,
            Column::CreditCode,
            Column::ProvinceCode,
            Column::PlatformType,
            Column::Domains,
            Column::Domains,
            Column::Score,
            Column::Status,
            Column::LastAssessmentKind,
        ]
    );
    let text = FieldError {
        column: found[1].0,
        problem: found[1].1.clone(),
    }
    .to_string();
    assert!(
        text.starts_with("credit_code: the check character should be 'M'"),
        "{text}"
    );
}

#[test]
fn required_fields() {
    let mut raw = RawRecord::default();
    raw.set(Column::AppNames, "App");
    let cols = columns(&raw);
    for c in Column::ALL {
        let optional = c.optional() || c == Column::Domains;
        assert_eq!(cols.contains(&c), !optional, "{c}");
    }
}

#[test]
fn a_platform_covers_a_domain_or_an_app() {
    let raw = good().with(Column::Domains, " ").with(Column::AppNames, "");
    assert_eq!(
        problems(&raw),
        [(Column::Domains, FieldProblem::NoDomainOrApp)]
    );
    let app_only = good()
        .with(Column::Domains, "")
        .with(Column::AppNames, "甲；乙;甲");
    let r = validate(&app_only, today()).expect("an app is enough");
    assert_eq!(r.platform.app_names, ["甲", "乙"]);
}

#[test]
fn score_and_grade() {
    for (score, stars) in [
        ("70", 2),
        ("79.99", 2),
        ("80", 3),
        ("94.999", 4),
        ("95", 5),
        ("100", 5),
    ] {
        let r = validate(&good().with(Column::Score, score), today()).expect(score);
        assert_eq!(r.grade.stars(), stars, "{score}");
    }
    assert_eq!(
        problems(&good().with(Column::Score, "69.99")),
        [(Column::Score, FieldProblem::NoGrade(69.99))]
    );
    for bad in ["100.5", "-1", "NaN", "inf", "八十"] {
        assert_eq!(
            columns(&good().with(Column::Score, bad)),
            [Column::Score],
            "{bad}"
        );
    }
}

#[test]
fn dates_in_order_and_not_in_the_future() {
    let raw = good()
        .with(Column::FirstIssuedOn, "2025-02-01")
        .with(Column::IssuedOn, "2025-01-10")
        .with(Column::ExpiresOn, "2025-01-10");
    let found = problems(&raw);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().any(|(c, p)| *c == Column::IssuedOn
        && p.to_string() == "2025-01-10 must be on or after first_issued_on (2025-02-01)"));
    let on_expiry: Vec<String> = found
        .iter()
        .filter(|(c, _)| *c == Column::ExpiresOn)
        .map(|(_, p)| p.to_string())
        .collect();
    assert_eq!(
        on_expiry,
        [
            "2025-01-10 must be after issued_on (2025-01-10)",
            "2025-01-10 must be on or after last_assessed_on (2025-07-08)"
        ]
    );
    let future = good().with(Column::LastAssessedOn, "2026-11-30");
    assert_eq!(
        problems(&future),
        [(
            Column::LastAssessedOn,
            FieldProblem::InFuture(d(2026, 11, 30))
        )]
    );
    assert_eq!(
        columns(&good().with(Column::IssuedOn, "2025-02-30")),
        [Column::IssuedOn]
    );
    assert_eq!(
        columns(&good().with(Column::IssuedOn, "10/01/2025")),
        [Column::IssuedOn]
    );
}

#[test]
fn stored_expired_needs_a_past_expiry() {
    let raw = good().with(Column::Status, "expired");
    assert_eq!(
        problems(&raw),
        [(Column::Status, FieldProblem::ExpiredTooEarly(d(2028, 1, 9)))]
    );
    let past = good()
        .with(Column::Status, "过期")
        .with(Column::ExpiresOn, "2026-11-28");
    assert!(validate(&past, today()).is_ok());
}

#[test]
fn text_limits() {
    let long = "长".repeat(201);
    assert_eq!(
        problems(&good().with(Column::CompanyNameZh, long)),
        [(Column::CompanyNameZh, FieldProblem::TooLong(200))]
    );
    assert_eq!(
        problems(&good().with(Column::City, "临沂\u{7}市")),
        [(Column::City, FieldProblem::ControlCharacter)]
    );
    let empty_en = validate(&good().with(Column::CompanyNameEn, "  "), today()).expect("ok");
    assert_eq!(empty_en.company.name_en, None);
}

#[test]
fn columns_by_name() {
    for c in Column::ALL {
        assert_eq!(Column::parse(c.name()), Some(c));
        assert_eq!(
            Column::parse(&format!(" {} ", c.name().to_uppercase())),
            Some(c)
        );
    }
    assert_eq!(Column::parse("grade"), None);
    let a = good();
    let b = good()
        .with(Column::Score, "90")
        .with(Column::City, "济南市");
    assert_eq!(a.differences(&b), [Column::City, Column::Score]);
}

#[test]
fn generated_credit_codes_are_accepted() {
    let prefix = "91440300MA5F00001";
    let code = format!("{prefix}{}", check_character(prefix).expect("valid prefix"));
    assert!(validate(&good().with(Column::CreditCode, code), today()).is_ok());
}

#[test]
fn company_fields_alone_follow_the_same_rules() {
    let company = validate_company(&good()).expect("valid company");
    assert_eq!(company.credit_code.as_str(), "91371323760038087M");
    assert_eq!(company.province_code, "370000");
    // The other columns are not read: a company form has none of them.
    let only = RawRecord::default()
        .with(Column::CreditCode, " 91371323760038087m ")
        .with(Column::CompanyNameZh, "示例网络科技有限公司")
        .with(Column::ProvinceCode, "山东")
        .with(Column::City, "临沂市");
    let company = validate_company(&only).expect("valid company");
    assert_eq!(company.name_en, None);
    assert_eq!(company.address, "");
    let bad = RawRecord::default()
        .with(Column::CreditCode, "91371323760038087A")
        .with(Column::CompanyNameZh, "甲\u{7}")
        .with(Column::ProvinceCode, "999999")
        .with(Column::Address, "路".repeat(MAX_ADDRESS_CHARS + 1));
    let errors: Vec<Column> = validate_company(&bad)
        .expect_err("invalid")
        .into_iter()
        .map(|e| e.column)
        .collect();
    assert_eq!(
        errors,
        [
            Column::CreditCode,
            Column::CompanyNameZh,
            Column::ProvinceCode,
            Column::City,
            Column::Address
        ]
    );
}

#[test]
fn platform_fields_alone_follow_the_same_rules() {
    let raw = RawRecord::default()
        .with(Column::PlatformName, " 示例商城 ")
        .with(Column::PlatformType, "Cross_Border")
        .with(Column::AppNames, "甲 App\r\n乙\n\n甲 App");
    let p = validate_platform(&raw).expect("valid platform");
    assert_eq!(p.name, "示例商城");
    assert_eq!(
        p.platform_type,
        crate::domain::platform_type::PlatformType::CrossBorder
    );
    assert_eq!(p.app_names, ["甲 App", "乙"]);
    let bad = RawRecord::default()
        .with(Column::PlatformType, "b2b2c")
        .with(Column::AppNames, "a".repeat(MAX_APP_CHARS + 1));
    let errors: Vec<(Column, FieldProblem)> = validate_platform(&bad)
        .expect_err("invalid")
        .into_iter()
        .map(|e| (e.column, e.problem))
        .collect();
    assert_eq!(
        errors,
        [
            (Column::PlatformName, FieldProblem::Missing),
            (
                Column::PlatformType,
                FieldProblem::UnknownPlatformType("b2b2c".into())
            ),
            (Column::AppNames, FieldProblem::TooLong(MAX_APP_CHARS)),
        ]
    );
}
