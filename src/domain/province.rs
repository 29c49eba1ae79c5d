//! Province-level divisions of China (GB/T 2260 codes, Chinese and English names) and lookup by
//! code, Chinese name or English name.

/// A province-level division.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Province {
    /// Six-digit GB/T 2260 code, e.g. "440000".
    pub code: &'static str,
    /// Official full Chinese name, e.g. "广东省".
    pub name_zh: &'static str,
    /// Short Chinese name, e.g. "广东".
    pub short_zh: &'static str,
    /// Conventional English name, e.g. "Guangdong".
    pub name_en: &'static str,
}

const fn p(
    code: &'static str,
    name_zh: &'static str,
    short_zh: &'static str,
    name_en: &'static str,
) -> Province {
    Province {
        code,
        name_zh,
        short_zh,
        name_en,
    }
}

/// The 31 mainland province-level divisions, then Taiwan, Hong Kong and Macao, by code.
pub static PROVINCES: [Province; 34] = [
    p("110000", "北京市", "北京", "Beijing"),
    p("120000", "天津市", "天津", "Tianjin"),
    p("130000", "河北省", "河北", "Hebei"),
    p("140000", "山西省", "山西", "Shanxi"),
    p("150000", "内蒙古自治区", "内蒙古", "Inner Mongolia"),
    p("210000", "辽宁省", "辽宁", "Liaoning"),
    p("220000", "吉林省", "吉林", "Jilin"),
    p("230000", "黑龙江省", "黑龙江", "Heilongjiang"),
    p("310000", "上海市", "上海", "Shanghai"),
    p("320000", "江苏省", "江苏", "Jiangsu"),
    p("330000", "浙江省", "浙江", "Zhejiang"),
    p("340000", "安徽省", "安徽", "Anhui"),
    p("350000", "福建省", "福建", "Fujian"),
    p("360000", "江西省", "江西", "Jiangxi"),
    p("370000", "山东省", "山东", "Shandong"),
    p("410000", "河南省", "河南", "Henan"),
    p("420000", "湖北省", "湖北", "Hubei"),
    p("430000", "湖南省", "湖南", "Hunan"),
    p("440000", "广东省", "广东", "Guangdong"),
    p("450000", "广西壮族自治区", "广西", "Guangxi"),
    p("460000", "海南省", "海南", "Hainan"),
    p("500000", "重庆市", "重庆", "Chongqing"),
    p("510000", "四川省", "四川", "Sichuan"),
    p("520000", "贵州省", "贵州", "Guizhou"),
    p("530000", "云南省", "云南", "Yunnan"),
    p("540000", "西藏自治区", "西藏", "Tibet"),
    p("610000", "陕西省", "陕西", "Shaanxi"),
    p("620000", "甘肃省", "甘肃", "Gansu"),
    p("630000", "青海省", "青海", "Qinghai"),
    p("640000", "宁夏回族自治区", "宁夏", "Ningxia"),
    p("650000", "新疆维吾尔自治区", "新疆", "Xinjiang"),
    p("710000", "台湾省", "台湾", "Taiwan"),
    p("810000", "香港特别行政区", "香港", "Hong Kong"),
    p("820000", "澳门特别行政区", "澳门", "Macao"),
];

/// Other English spellings accepted by [`find_province`] (pinyin and common variants).
const ENGLISH_ALIASES: [(&str, &str); 6] = [
    ("xizang", "540000"),
    ("neimongol", "150000"),
    ("neimenggu", "150000"),
    ("macau", "820000"),
    ("xianggang", "810000"),
    ("aomen", "820000"),
];

/// Lower case without spaces, hyphens, underscores or dots, for comparing English names.
fn fold_en(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The province with a six-digit GB/T 2260 code such as "440000".
pub fn province_by_code(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

/// Finds a province by its six-digit code ("440000"), two-digit prefix ("44"), full or short
/// Chinese name ("广东省", "广东") or English name in any case ("guangdong", "Inner Mongolia").
pub fn find_province(input: &str) -> Option<&'static Province> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.len() {
            6 => province_by_code(s),
            2 => PROVINCES.iter().find(|p| p.code.starts_with(s)),
            _ => None,
        };
    }
    if let Some(p) = PROVINCES.iter().find(|p| p.name_zh == s || p.short_zh == s) {
        return Some(p);
    }
    let folded = fold_en(s);
    PROVINCES
        .iter()
        .find(|p| fold_en(p.name_en) == folded)
        .or_else(|| {
            ENGLISH_ALIASES
                .iter()
                .find(|(alias, _)| *alias == folded)
                .and_then(|(_, code)| province_by_code(code))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_consistent() {
        let codes: HashSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), 34);
        for p in &PROVINCES {
            assert_eq!(p.code.len(), 6);
            assert!(p.code.ends_with("0000"), "{}", p.code);
            assert!(p.name_zh.starts_with(p.short_zh), "{}", p.name_zh);
            assert!(p.name_zh.len() > p.short_zh.len());
            assert_eq!(find_province(p.code), Some(p));
            assert_eq!(find_province(&p.code[..2]), Some(p));
            assert_eq!(find_province(p.name_zh), Some(p));
            assert_eq!(find_province(p.short_zh), Some(p));
            assert_eq!(find_province(p.name_en), Some(p));
            assert_eq!(find_province(&p.name_en.to_uppercase()), Some(p));
        }
        let mut sorted: Vec<_> = PROVINCES.iter().map(|p| p.code).collect();
        sorted.sort_unstable();
        assert_eq!(sorted, PROVINCES.iter().map(|p| p.code).collect::<Vec<_>>());
    }

    #[test]
    fn known_codes_and_names() {
        let gd = province_by_code("440000").expect("Guangdong");
        assert_eq!(
            (gd.name_zh, gd.short_zh, gd.name_en),
            ("广东省", "广东", "Guangdong")
        );
        assert_eq!(
            province_by_code("150000").map(|p| p.name_zh),
            Some("内蒙古自治区")
        );
        assert_eq!(
            province_by_code("450000").map(|p| p.name_zh),
            Some("广西壮族自治区")
        );
        assert_eq!(
            province_by_code("650000").map(|p| p.name_zh),
            Some("新疆维吾尔自治区")
        );
        assert_eq!(
            province_by_code("810000").map(|p| p.name_zh),
            Some("香港特别行政区")
        );
        assert_eq!(province_by_code("820000").map(|p| p.short_zh), Some("澳门"));
        assert_eq!(province_by_code("710000").map(|p| p.short_zh), Some("台湾"));
        assert_eq!(
            province_by_code("500000").map(|p| p.name_zh),
            Some("重庆市")
        );
        assert_eq!(
            province_by_code("610000").map(|p| p.name_en),
            Some("Shaanxi")
        );
        assert_eq!(
            province_by_code("140000").map(|p| p.name_en),
            Some("Shanxi")
        );
    }

    #[test]
    fn find_variants() {
        let code = |s: &str| find_province(s).map(|p| p.code);
        assert_eq!(code("guangdong"), Some("440000"));
        assert_eq!(code(" 44 "), Some("440000"));
        assert_eq!(code("Inner Mongolia"), Some("150000"));
        assert_eq!(code("inner-mongolia"), Some("150000"));
        assert_eq!(code("Nei Mongol"), Some("150000"));
        assert_eq!(code("hongkong"), Some("810000"));
        assert_eq!(code("Macau"), Some("820000"));
        assert_eq!(code("Xizang"), Some("540000"));
        assert_eq!(code("shaanxi"), Some("610000"));
        assert_eq!(code("SHANXI"), Some("140000"));
        assert_eq!(code("内蒙古"), Some("150000"));
        assert_eq!(code("黑龙江省"), Some("230000"));
    }

    #[test]
    fn find_rejects_unknown() {
        for s in [
            "",
            " ",
            "00",
            "99",
            "4",
            "440",
            "440300",
            "4400000",
            "广",
            "广东省省",
            "Canton",
            "guang",
        ] {
            assert_eq!(find_province(s), None, "{s:?}");
        }
        assert_eq!(province_by_code("44"), None);
        assert_eq!(province_by_code("440300"), None);
    }
}
