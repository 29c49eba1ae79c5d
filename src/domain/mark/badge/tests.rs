use super::*;
use crate::domain::mark::raster::{decode_rgba, svg_to_png};

const NUMBER: &str = "CQM-SQE-2025-000123";

fn badge(state: BadgeState, size: BadgeSize, lang: MarkLang, theme: Theme) -> Badge<'static> {
    Badge {
        state,
        number: NUMBER,
        size,
        lang,
        theme,
    }
}

fn states() -> Vec<BadgeState> {
    let mut states: Vec<BadgeState> = (2..=5).map(|stars| BadgeState::Valid { stars }).collect();
    states.extend(
        [
            CertificateStatus::Suspended,
            CertificateStatus::Revoked,
            CertificateStatus::Cancelled,
            CertificateStatus::Expired,
        ]
        .map(BadgeState::NotValid),
    );
    states.push(BadgeState::Unknown);
    states.push(BadgeState::Unverifiable);
    states
}

fn filled_stars(svg: &str, theme: Theme) -> usize {
    let p = if theme == Theme::Light { &LIGHT } else { &DARK };
    // The emblem's small star is filled too but has no stroke.
    svg.matches(&format!(r#"fill="{}" stroke="#, p.star))
        .count()
}

#[test]
fn valid_badges_show_their_grade_in_filled_stars() {
    for theme in Theme::ALL {
        for stars in 2..=5 {
            let svg = badge(
                BadgeState::Valid { stars },
                BadgeSize::Medium,
                MarkLang::Zh,
                theme,
            )
            .svg();
            assert_eq!(
                filled_stars(&svg, theme),
                usize::from(stars),
                "{stars} stars, {theme:?}"
            );
            assert!(svg.contains(">有效<"));
            assert!(svg.contains(NUMBER));
        }
    }
}

#[test]
fn badges_that_are_not_valid_show_no_stars_and_say_why() {
    for state in states()
        .into_iter()
        .filter(|s| !matches!(s, BadgeState::Valid { .. }))
    {
        for lang in MarkLang::ALL {
            for size in BadgeSize::ALL {
                let svg = badge(state, size, lang, Theme::Light).svg();
                assert_eq!(filled_stars(&svg, Theme::Light), 0, "{state:?}");
                assert!(
                    !svg.contains("fill=\"none\" stroke=\"#9aa3ad\""),
                    "no hollow stars either"
                );
                assert!(
                    !svg.contains(&format!(">{}<", lang.valid())),
                    "no valid pill"
                );
                let word = match state {
                    BadgeState::NotValid(s) => lang.not_valid(s),
                    BadgeState::Unverifiable => lang.unverifiable(),
                    _ => lang.unknown(),
                };
                assert!(svg.contains(word), "{state:?} {lang:?} says {word}");
            }
        }
    }
}

#[test]
fn an_unknown_number_is_never_printed() {
    let b = Badge {
        state: BadgeState::Unknown,
        number: "TRUSTED-FIVE-STARS",
        size: BadgeSize::Large,
        lang: MarkLang::En,
        theme: Theme::Light,
    };
    let svg = b.svg();
    assert!(!svg.contains("TRUSTED"), "{svg}");
    assert!(svg.contains("Do not trust this mark"));
}

#[test]
fn a_badge_that_cannot_be_checked_names_no_certificate_and_no_status() {
    for lang in MarkLang::ALL {
        for size in BadgeSize::ALL {
            let b = Badge {
                state: BadgeState::Unverifiable,
                number: "CQM-SQE-2026-000001",
                size,
                lang,
                theme: Theme::Light,
            };
            let svg = b.svg();
            assert!(!svg.contains("CQM-SQE"), "{svg}");
            for status in CertificateStatus::ALL {
                assert!(!svg.contains(lang.not_valid(status)), "{svg}");
            }
            assert!(!svg.contains(lang.unknown()), "{svg}");
            assert!(svg.contains(lang.unverifiable()), "{svg}");
            // Neutral: the plain border, not the alarm colour of a bad mark.
            assert!(
                svg.contains(&format!(r#"stroke="{}""#, LIGHT.border)),
                "{svg}"
            );
        }
    }
}

#[test]
fn the_label_states_grade_and_status_in_the_title_and_aria_label() {
    let b = badge(
        BadgeState::Valid { stars: 4 },
        BadgeSize::Small,
        MarkLang::Zh,
        Theme::Light,
    );
    let label = b.label();
    assert!(
        label.contains("四星级") && label.contains("有效") && label.contains(NUMBER),
        "{label}"
    );
    let svg = b.svg();
    assert!(svg.contains(&format!("<title>{label}</title>")));
    assert!(svg.contains(&format!("aria-label=\"{label}\"")));
    assert!(svg.contains("role=\"img\""));
    let en = badge(
        BadgeState::NotValid(CertificateStatus::Revoked),
        BadgeSize::Medium,
        MarkLang::En,
        Theme::Dark,
    );
    assert_eq!(
        en.label(),
        format!("SQE service quality mark: certificate revoked, the mark is not valid, certificate {NUMBER}")
    );
}

#[test]
fn numbers_are_escaped_and_long_or_exotic_ones_give_way_to_a_hint() {
    let odd = Badge {
        number: "A&B<C>",
        ..badge(
            BadgeState::Valid { stars: 3 },
            BadgeSize::Medium,
            MarkLang::Zh,
            Theme::Light,
        )
    };
    let svg = odd.svg();
    assert!(svg.contains("A&amp;B&lt;C&gt;") && !svg.contains("A&B"));
    let cjk = Badge {
        number: "京-SQE-001",
        ..odd
    };
    assert!(
        cjk.svg().contains(">点击核验<"),
        "a glyph the font lacks is not printed"
    );
    let long = "X".repeat(60);
    let long = Badge {
        number: &long,
        ..odd
    };
    assert!(long.svg().contains(">点击核验<"));
}

#[test]
fn sizes_set_the_dimensions() {
    for size in BadgeSize::ALL {
        let (w, h) = size.dimensions();
        let svg = badge(
            BadgeState::Valid { stars: 5 },
            size,
            MarkLang::En,
            Theme::Light,
        )
        .svg();
        assert!(svg.starts_with(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}""#
        )));
    }
    assert_eq!(BadgeSize::Large.dimensions(), (330, 96));
}

#[test]
fn text_stays_inside_the_badge() {
    for state in states() {
        for lang in MarkLang::ALL {
            for size in BadgeSize::ALL {
                let b = badge(state, size, lang, Theme::Light);
                let svg = b.svg();
                let vw = if size == BadgeSize::Small {
                    COMPACT.0
                } else {
                    FULL.0
                };
                for t in svg.split("<text ").skip(1) {
                    let attr = |name: &str| -> f64 {
                        let start = t.find(&format!("{name}=\"")).expect("attr") + name.len() + 2;
                        t[start..]
                            .split('"')
                            .next()
                            .and_then(|v| v.parse().ok())
                            .expect("number")
                    };
                    let content = t
                        .split('>')
                        .nth(1)
                        .and_then(|c| c.split('<').next())
                        .unwrap_or("");
                    let content = content.replace("&amp;", "&");
                    let bold = t.contains("font-weight");
                    let x = attr("x");
                    let left = if t.contains("text-anchor=\"middle\"") {
                        x - text_width(&content, attr("font-size"), bold) / 2.0
                    } else {
                        x
                    };
                    let right = left + text_width(&content, attr("font-size"), bold);
                    assert!(
                        right <= vw - 4.0,
                        "{state:?} {lang:?} {size:?}: {content:?} ends at {right}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_badge_rasterises_to_its_size() {
    for state in [
        BadgeState::Valid { stars: 4 },
        BadgeState::NotValid(CertificateStatus::Expired),
        BadgeState::Unknown,
    ] {
        for size in BadgeSize::ALL {
            let (w, h) = size.dimensions();
            let svg = badge(state, size, MarkLang::Zh, Theme::Dark).svg();
            for zoom in [1u32, 2] {
                let png = svg_to_png(&svg, zoom as f32).expect("rasterises");
                let (width, height, rgba) = decode_rgba(&png);
                assert_eq!((width, height), (w * zoom, h * zoom));
                // The dark theme's background fills the middle of the badge.
                let at = ((h * zoom / 2) * width + (w * zoom - 4 * zoom)) as usize * 4;
                let mid = &rgba[at..at + 4];
                assert_eq!(mid[3], 255);
                assert!(mid[0] < 60, "{mid:?}");
            }
        }
    }
}

#[test]
fn chinese_text_is_drawn_in_the_png() {
    // The title's pixels: with the font, the area right of the emblem has dark ink on white.
    let svg = badge(
        BadgeState::Valid { stars: 5 },
        BadgeSize::Medium,
        MarkLang::Zh,
        Theme::Light,
    )
    .svg();
    let (width, _, rgba) = decode_rgba(&svg_to_png(&svg, 1.0).expect("png"));
    let inked = (64..150)
        .flat_map(|x| (10..25).map(move |y| (x, y)))
        .filter(|&(x, y)| rgba[((y * width + x) * 4) as usize] < 100)
        .count();
    assert!(
        inked > 100,
        "only {inked} dark pixels where 服务质量评价 is drawn"
    );
}

fn snapshot_name(b: &Badge<'_>) -> String {
    let state = match b.state {
        BadgeState::Valid { stars } => format!("valid{stars}"),
        BadgeState::NotValid(s) => s.as_str().to_owned(),
        BadgeState::Unknown => "unknown".to_owned(),
        BadgeState::Unverifiable => "unverifiable".to_owned(),
    };
    format!(
        "{state}-{}-{}-{}",
        b.size.tag(),
        b.lang.tag(),
        b.theme.tag()
    )
}

#[test]
fn svg_snapshots() {
    // Every state in the default variant…
    let mut badges: Vec<Badge<'_>> = states()
        .into_iter()
        .map(|s| badge(s, BadgeSize::Medium, MarkLang::Zh, Theme::Light))
        .collect();
    // …and every variant of a valid, a revoked and an unknown badge.
    for state in [
        BadgeState::Valid { stars: 4 },
        BadgeState::NotValid(CertificateStatus::Revoked),
        BadgeState::Unknown,
    ] {
        for size in BadgeSize::ALL {
            for lang in MarkLang::ALL {
                for theme in Theme::ALL {
                    let b = badge(state, size, lang, theme);
                    if !badges.contains(&b) {
                        badges.push(b);
                    }
                }
            }
        }
    }
    for b in badges {
        insta::assert_snapshot!(snapshot_name(&b), b.svg());
    }
}
