//! Pinyin spellings of names, so that `jingdong` and `jd` find 京东: the full pinyin and the
//! initials of a platform's name and of its company's name after the place (`pinyin`, the
//! crate's readings of every common character). Every reading of a polyphonic character
//! counts (重庆 is `chongqing` as well as `zhongqing`), up to [`MAX_SPELLINGS`] a name.

use std::collections::BTreeSet;

use pinyin::ToPinyinMulti;

use super::search_text::is_cjk;

/// Most spellings of one name (full pinyin and initials each): the readings of its first
/// polyphonic characters are combined while they fit.
pub const MAX_SPELLINGS: usize = 4;
/// Longest spelling kept, in characters: a search types the start of a name.
pub const MAX_SPELLING_CHARS: usize = 32;

/// The full-pinyin and initials spellings of a name folded by `search_text::normalize`; none
/// for a name without Chinese characters (its letters are searched as they are). Letters and
/// digits in the name are kept as they are.
pub fn spellings(folded: &str) -> BTreeSet<String> {
    if !folded.chars().any(is_cjk) {
        return BTreeSet::new();
    }
    // (full, initials) of each combination of readings so far.
    let mut variants: Vec<(String, String)> = vec![(String::new(), String::new())];
    for (c, readings) in folded.chars().zip(folded.to_pinyin_multi()) {
        let mut plain: Vec<String> = Vec::new();
        if let Some(multi) = readings {
            for reading in multi {
                // ü is typed v (lv for 绿) on a keyboard, or u: both spell it.
                for typed in typed_forms(reading.plain()) {
                    if !plain.contains(&typed) {
                        plain.push(typed);
                    }
                }
            }
        }
        if plain.is_empty() {
            if c.is_ascii_alphanumeric() {
                for (full, initials) in &mut variants {
                    full.push(c);
                    initials.push(c);
                }
            }
            continue;
        }
        if variants.len() * plain.len() > MAX_SPELLINGS {
            plain.truncate(1);
        }
        variants = variants
            .iter()
            .flat_map(|(full, initials)| {
                plain.iter().map(move |p| {
                    let mut f = full.clone();
                    f.push_str(p);
                    let mut i = initials.clone();
                    i.extend(p.chars().next());
                    (f, i)
                })
            })
            .collect();
    }
    variants
        .into_iter()
        .flat_map(|(full, initials)| [full, initials])
        .map(|s| s.chars().take(MAX_SPELLING_CHARS).collect::<String>())
        .filter(|s| s.chars().nth(1).is_some())
        .collect()
}

/// How a reading is typed: as it is, or with ü as v and as u.
fn typed_forms(plain: &str) -> Vec<String> {
    if plain.contains('ü') {
        vec![plain.replace('ü', "v"), plain.replace('ü', "u")]
    } else {
        vec![plain.to_owned()]
    }
}

/// Whether a query (folded) is spelled in Latin letters, so it may be pinyin.
pub fn may_be_pinyin(folded_query: &str) -> bool {
    folded_query.chars().nth(1).is_some() && folded_query.chars().all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn full_pinyin_and_initials() {
        assert_eq!(spellings("京东"), set(&["jingdong", "jd"]));
        assert_eq!(spellings("禾云直供"), set(&["heyunzhigong", "hyzg"]));
        // Letters and digits stay; names without Chinese characters have no spellings.
        assert_eq!(spellings("优选mall"), set(&["youxuanmall", "yxmall"]));
        assert!(spellings("jdcom").is_empty());
        // ü is typed v or u; every spelling is plain ASCII.
        let green = spellings("绿洲");
        assert!(
            green.contains("lvzhou") && green.contains("luzhou"),
            "{green:?}"
        );
        assert!(spellings("重庆绿洲女装").iter().all(|s| s.is_ascii()));
    }

    #[test]
    fn every_reading_of_a_polyphonic_character() {
        let chongqing = spellings("重庆");
        assert!(chongqing.contains("chongqing"), "{chongqing:?}");
        assert!(chongqing.contains("zhongqing"));
        assert!(chongqing.contains("cq") && chongqing.contains("zq"));
        let changsha = spellings("长沙");
        assert!(changsha.contains("changsha"), "{changsha:?}");
        // Bounded however many polyphonic characters a name has.
        assert!(spellings("重长乐行重长乐行").len() <= 2 * MAX_SPELLINGS);
    }

    #[test]
    fn queries_that_may_be_pinyin() {
        assert!(may_be_pinyin("jd"));
        assert!(may_be_pinyin("jingdong"));
        assert!(!may_be_pinyin("j"));
        assert!(!may_be_pinyin("京东"));
        assert!(!may_be_pinyin("jd2"));
    }
}
