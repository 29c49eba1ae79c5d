//! Name search over Chinese and Latin text: normalisation for substring checks, index tokens
//! (CJK bigrams and whole words) and query tokens ordered most selective first.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

/// Longest word token, in characters; longer words are truncated.
pub const MAX_WORD_CHARS: usize = 32;

/// Bigrams so common in Chinese company names that they narrow a search very little.
pub const COMMON_BIGRAMS: [&str; 22] = [
    "有限", "限公", "公司", "股份", "份有", "科技", "技有", "网络", "信息", "技术", "电子", "商务",
    "贸易", "集团", "发展", "服务", "中国", "北京", "上海", "广东", "深圳", "杭州",
];

/// Whether `c` is a CJK letter tokenised as bigrams: an alphanumeric character among the Han
/// ideographs (Unified, Ext A, the supplementary-plane extensions, Compatibility, 々〆〇),
/// Hiragana, Katakana and Hangul syllables. Marks and punctuation such as "・" are not.
pub fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3005}'..='\u{3007}'   // 々 〆 〇
        | '\u{3040}'..='\u{309F}' // Hiragana
        | '\u{30A0}'..='\u{30FF}' // Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK Unified Ideographs Extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK Unified Ideographs
        | '\u{AC00}'..='\u{D7AF}' // Hangul Syllables
        | '\u{F900}'..='\u{FAFF}' // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{323AF}' // Extensions B–H and Compatibility Supplement
    ) && c.is_alphanumeric()
}

/// NFKC, lower case, traditional Chinese as simplified, then only letters of any script and
/// digits: whitespace and punctuation are dropped. Use it to verify a match:
/// `normalize(doc).contains(&normalize(query))`.
pub fn normalize(s: &str) -> String {
    let kept: String = folded(s).nfkc().filter(|c| c.is_alphanumeric()).collect();
    // Dropping punctuation can bring combining marks together; normalise again so that the
    // result is stable (normalize(normalize(s)) == normalize(s)).
    kept.nfkc().filter(|c| c.is_alphanumeric()).collect()
}

/// NFKC and lower case (full-width and compatibility forms, case), then traditional Chinese
/// written as simplified (OpenCC's tables through `zhconv`): 優選 and 优选, 長沙 and 长沙 are
/// the same text to the search, in the index and in the query alike.
fn folded(s: &str) -> String {
    let lower: String = s
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfkc()
        .collect();
    if lower.chars().any(is_cjk) {
        zhconv::zhconv(&lower, zhconv::Variant::ZhHans)
            .nfkc()
            .collect()
    } else {
        lower
    }
}

/// A maximal run of characters of one kind.
#[derive(Debug, PartialEq, Eq)]
enum Run {
    Cjk(Vec<char>),
    Word(String),
}

/// Splits [`folded`] text into CJK runs and word runs.
fn runs(s: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut cur: Option<Run> = None;
    for c in folded(s).chars() {
        let cjk = is_cjk(c);
        let word = !cjk && c.is_alphanumeric();
        match (&mut cur, cjk, word) {
            (Some(Run::Cjk(v)), true, _) => v.push(c),
            (Some(Run::Word(w)), _, true) => w.push(c),
            _ => {
                out.extend(cur.take());
                if cjk {
                    cur = Some(Run::Cjk(vec![c]));
                } else if word {
                    cur = Some(Run::Word(c.to_string()));
                }
            }
        }
    }
    out.extend(cur);
    out
}

fn truncate_word(w: &str) -> String {
    w.chars().take(MAX_WORD_CHARS).collect()
}

fn bigrams(v: &[char]) -> impl Iterator<Item = String> + '_ {
    v.windows(2).map(|p| p.iter().collect())
}

/// Tokens to store in the search index for a name: a one-character CJK run gives that character,
/// a longer CJK run every overlapping bigram, and a word run the whole word (at most 32 characters).
pub fn index_tokens(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for run in runs(s) {
        match run {
            Run::Cjk(v) if v.len() == 1 => {
                out.extend(v.iter().map(char::to_string));
            }
            Run::Cjk(v) => out.extend(bigrams(&v)),
            Run::Word(w) => {
                out.insert(truncate_word(&w));
            }
        }
    }
    out
}

/// One token of a search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryToken {
    /// Token text, normalised like the index tokens.
    pub text: String,
    /// Whether it matches index tokens that start with `text` (else only equal ones).
    pub prefix: bool,
}

/// Tokens of a query, distinct, most selective first: words (longer first), then CJK bigrams
/// not in [`COMMON_BIGRAMS`], then common bigrams, then one-character CJK prefix tokens.
/// Bigrams match exactly; words and single CJK characters match as prefixes.
pub fn query_tokens(q: &str) -> Vec<QueryToken> {
    // (rank, token): rank orders the groups; stable sort keeps the query order within a group.
    let mut ranked: Vec<((u8, usize), QueryToken)> = Vec::new();
    let mut push = |rank: (u8, usize), text: String, prefix: bool| {
        if !ranked.iter().any(|(_, t)| t.text == text) {
            ranked.push((rank, QueryToken { text, prefix }));
        }
    };
    for run in runs(q) {
        match run {
            Run::Cjk(v) if v.len() == 1 => {
                for c in v {
                    push((3, 0), c.to_string(), true);
                }
            }
            Run::Cjk(v) => {
                for b in bigrams(&v) {
                    let rank = if COMMON_BIGRAMS.contains(&b.as_str()) {
                        2
                    } else {
                        1
                    };
                    push((rank, 0), b, false);
                }
            }
            Run::Word(w) => {
                let w = truncate_word(&w);
                let len = w.chars().count();
                push((0, MAX_WORD_CHARS - len), w, true);
            }
        }
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked.into_iter().map(|(_, t)| t).collect()
}

/// Whether a query is long enough to search for: at least two characters after [`normalize`].
pub fn query_is_searchable(q: &str) -> bool {
    normalize(q).chars().nth(1).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact(s: &str) -> QueryToken {
        QueryToken {
            text: s.into(),
            prefix: false,
        }
    }

    fn prefix(s: &str) -> QueryToken {
        QueryToken {
            text: s.into(),
            prefix: true,
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalize_examples() {
        assert_eq!(normalize("ＪＤ"), "jd");
        assert_eq!(normalize(" JD.com  Mall! "), "jdcommall");
        assert_eq!(normalize("京东（JD）商城"), "京东jd商城");
        assert_eq!(normalize("Ⅻ ½"), "xii12");
        assert_eq!(normalize("Café"), "café");
        assert_eq!(normalize("—·、。"), "");
        assert!(normalize("北京京东世纪贸易有限公司").contains(&normalize("京东 世纪")));
    }

    #[test]
    fn traditional_chinese_is_folded_to_simplified() {
        assert_eq!(normalize("優選"), "优选");
        assert_eq!(normalize("長沙果甄"), "长沙果甄");
        assert_eq!(normalize("京東（ＪＤ）商城"), "京东jd商城");
        assert_eq!(index_tokens("長沙果甄網絡"), index_tokens("长沙果甄网络"));
        assert_eq!(query_tokens("京東"), query_tokens("京东"));
        // Simplified text and Latin words are left as they are.
        assert_eq!(normalize("头发 Hair"), "头发hair");
    }

    #[test]
    fn index_tokens_of_a_company_name() {
        let t = index_tokens("北京京东世纪贸易有限公司");
        assert!(t.contains("京东"));
        assert!(t.contains("北京") && t.contains("公司") && t.contains("东世"));
        assert_eq!(t.len(), 11);
        assert!(!t.contains("京"));
    }

    #[test]
    fn index_tokens_runs_and_words() {
        assert_eq!(index_tokens("JD.com Mall"), set(&["jd", "com", "mall"]));
        assert_eq!(index_tokens("京东JD"), set(&["京东", "jd"]));
        assert_eq!(index_tokens("京 东"), set(&["京", "东"]));
        assert_eq!(index_tokens("ＪＤ商城"), set(&["jd", "商城"]));
        assert_eq!(
            index_tokens("ヨドバシ.com"),
            set(&["ヨド", "ドバ", "バシ", "com"])
        );
        assert_eq!(index_tokens("二〇二六"), set(&["二〇", "〇二", "二六"]));
        assert_eq!(
            index_tokens("ソニー・ストア"),
            set(&["ソニ", "ニー", "スト", "トア"])
        );
        assert_eq!(index_tokens("  ,.!  \u{3099}"), BTreeSet::new());
        let long = "a".repeat(40);
        assert_eq!(index_tokens(&long), set(&[&"a".repeat(32)]));
    }

    #[test]
    fn query_tokens_examples() {
        assert_eq!(query_tokens("京东"), vec![exact("京东")]);
        assert_eq!(
            query_tokens("JD.com Mall"),
            vec![prefix("mall"), prefix("com"), prefix("jd")]
        );
        assert_eq!(query_tokens("京东JD"), vec![prefix("jd"), exact("京东")]);
        assert_eq!(query_tokens("京"), vec![prefix("京")]);
        assert_eq!(query_tokens("ＪＤ jd"), vec![prefix("jd")]);
        assert_eq!(query_tokens(""), vec![]);
    }

    #[test]
    fn query_tokens_put_common_bigrams_late() {
        let t = query_tokens("京东有限公司 a 汇");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["a", "京东", "东有", "有限", "限公", "公司", "汇"]);
        assert!(t[1..6].iter().all(|t| !t.prefix));
        assert!(t[6].prefix);
        // Distinct: a repeated bigram appears once.
        assert_eq!(query_tokens("京东京东"), vec![exact("京东"), exact("东京")]);
    }

    #[test]
    fn searchable() {
        assert!(query_is_searchable("京东"));
        assert!(query_is_searchable("jd"));
        assert!(!query_is_searchable("京"));
        assert!(!query_is_searchable(" j . "));
        assert!(!query_is_searchable(""));
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn index_tokens_are_short(s in "\\PC{0,80}") {
            for t in index_tokens(&s) {
                let n = t.chars().count();
                prop_assert!((1..=MAX_WORD_CHARS).contains(&n));
                if t.chars().any(is_cjk) {
                    prop_assert!(n <= 2 && t.chars().all(is_cjk));
                }
                prop_assert!(t.chars().all(char::is_alphanumeric), "{:?}", t);
            }
        }

        #[test]
        fn query_tokens_find_their_document(s in "[a-z京东商城世纪贸易 .]{1,30}") {
            let index = index_tokens(&s);
            for t in query_tokens(&s) {
                let hit = if t.prefix {
                    index.iter().any(|i| i.starts_with(&t.text))
                } else {
                    index.contains(&t.text)
                };
                prop_assert!(hit, "{:?} not found in {:?}", t, index);
            }
        }
    }
}
