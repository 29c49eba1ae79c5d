//! Server-rendered SVG charts (no script): a horizontal bar chart and a line chart, drawn
//! from `domain::chart`'s geometry. Each SVG is an image with a title and a description for
//! assistive technology; the page puts the same data in a table after it.

use std::fmt::Write;

use crate::domain::chart::{horizontal_bars, line_chart, BarFrame, LineFrame};
use crate::domain::mark::xml_escape as esc;
use crate::web::view::grouped;

/// Bar fill: the site's brand blue (6.6:1 on white).
pub const BAR_COLOUR: &str = "#0b5cad";
/// Axis and grid lines.
const AXIS_COLOUR: &str = "#6b7580";
const GRID_COLOUR: &str = "#d5dae0";
/// Text: the site's ink colour.
const TEXT_COLOUR: &str = "#1a1d21";

/// One line of a line chart: colours are told apart by dash pattern too.
pub const SERIES_STYLES: [(&str, &str); 5] = [
    ("#0b5cad", "none"),
    ("#0b6b35", "8 4"),
    ("#8a4600", "2 3"),
    ("#a3121f", "10 3 2 3"),
    ("#5c2d91", "4 4"),
];

/// What an SVG chart says about itself.
pub struct ChartText<'a> {
    /// Unique within the page (used for the title's and description's ids).
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

/// Rounds a coordinate to one decimal: shorter markup, no visible difference.
fn r(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn open(out: &mut String, text: &ChartText<'_>, width: f64, height: f64) {
    let id = esc(text.id);
    let _ = write!(
        out,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        w = r(width),
        h = r(height),
        title = esc(text.title),
        desc = esc(text.description),
    );
}

/// An axis tick as people read it: whole numbers in digit groups.
fn tick_label(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        grouped(value as i64)
    } else {
        value.to_string()
    }
}

/// A horizontal bar chart: one labelled bar per (label, value), its value written after it.
pub fn bar_chart(text: &ChartText<'_>, data: &[(String, i64)]) -> String {
    let frame = BarFrame::default();
    let values: Vec<f64> = data.iter().map(|(_, v)| *v as f64).collect();
    let chart = horizontal_bars(&values, &frame);
    let mut out = String::with_capacity(512 + 256 * data.len());
    open(&mut out, text, chart.width, chart.height);
    let (top, bottom) = (chart.plot.y, chart.plot.bottom());
    for tick in &chart.ticks {
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{GRID_COLOUR}"/><text x="{x}" y="{y}" text-anchor="middle" fill="{TEXT_COLOUR}">{v}</text>"#,
            x = r(tick.pos),
            top = r(top),
            bottom = r(bottom),
            y = r(bottom + 18.0),
            v = tick_label(tick.value),
        );
    }
    for ((label, value), bar) in data.iter().zip(&chart.bars) {
        let _ = write!(
            out,
            r#"<text x="{lx}" y="{ly}" text-anchor="end" dominant-baseline="middle" fill="{TEXT_COLOUR}">{label}</text><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{BAR_COLOUR}"/><text x="{vx}" y="{ly}" dominant-baseline="middle" fill="{TEXT_COLOUR}">{value}</text>"#,
            lx = r(chart.plot.x - 6.0),
            ly = r(bar.label_y),
            label = esc(label),
            x = r(bar.rect.x),
            y = r(bar.rect.y),
            w = r(bar.rect.width),
            h = r(bar.rect.height),
            vx = r(bar.value_x),
            value = grouped(*value),
        );
    }
    let _ = write!(
        out,
        r#"<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{AXIS_COLOUR}"/></svg>"#,
        x = r(chart.plot.x),
        top = r(top),
        bottom = r(bottom),
    );
    out
}

/// A line chart of several series over the same categories, with a legend above.
pub fn line_chart_svg(
    text: &ChartText<'_>,
    categories: &[String],
    series: &[(String, Vec<i64>)],
) -> String {
    let legend_height = 24.0;
    let frame = LineFrame {
        top: 12.0 + legend_height,
        height: 260.0 + legend_height,
        ..LineFrame::default()
    };
    let values: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, v)| v.iter().map(|n| *n as f64).collect())
        .collect();
    let chart = line_chart(&values, categories.len(), &frame);
    let mut out = String::with_capacity(4096);
    open(&mut out, text, chart.width, chart.height);
    // The legend: a sample of each line and its name, in one row.
    let step = chart.plot.width / series.len().max(1) as f64;
    for (i, (name, _)) in series.iter().enumerate() {
        let (colour, dash) = SERIES_STYLES[i % SERIES_STYLES.len()];
        let x = chart.plot.x + step * i as f64;
        let _ = write!(
            out,
            r#"<line x1="{x1}" y1="12" x2="{x2}" y2="12" stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/><text x="{tx}" y="12" dominant-baseline="middle" fill="{TEXT_COLOUR}">{name}</text>"#,
            x1 = r(x),
            x2 = r(x + 24.0),
            tx = r(x + 30.0),
            name = esc(name),
        );
    }
    let (left, right) = (chart.plot.x, chart.plot.right());
    for tick in &chart.ticks {
        let _ = write!(
            out,
            r#"<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{GRID_COLOUR}"/><text x="{tx}" y="{y}" text-anchor="end" dominant-baseline="middle" fill="{TEXT_COLOUR}">{v}</text>"#,
            left = r(left),
            right = r(right),
            y = r(tick.pos),
            tx = r(left - 6.0),
            v = tick_label(tick.value),
        );
    }
    for (x, label) in chart.x.iter().zip(categories) {
        let _ = write!(
            out,
            r#"<text x="{x}" y="{y}" text-anchor="middle" fill="{TEXT_COLOUR}">{label}</text>"#,
            x = r(*x),
            y = r(chart.plot.bottom() + 20.0),
            label = esc(label),
        );
    }
    for (i, points) in chart.series.iter().enumerate() {
        let (colour, dash) = SERIES_STYLES[i % SERIES_STYLES.len()];
        let mut path = String::new();
        for (x, y) in points {
            let _ = write!(path, "{},{} ", r(*x), r(*y));
        }
        let _ = write!(
            out,
            r#"<polyline points="{p}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/>"#,
            p = path.trim_end(),
        );
        for (x, y) in points {
            let _ = write!(
                out,
                r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#,
                x = r(*x),
                y = r(*y),
            );
        }
    }
    let _ = write!(
        out,
        r#"<line x1="{left}" y1="{b}" x2="{right}" y2="{b}" stroke="{AXIS_COLOUR}"/></svg>"#,
        left = r(left),
        right = r(right),
        b = r(chart.plot.bottom()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::chart::{contrast_ratio, parse_hex_colour};

    /// The page background and the card background charts are drawn on.
    const BACKGROUNDS: [&str; 2] = ["#ffffff", "#f5f7fa"];

    #[test]
    fn colours_pass_wcag_aa_on_the_backgrounds() {
        let colours = SERIES_STYLES
            .iter()
            .map(|(c, _)| *c)
            .chain([BAR_COLOUR, TEXT_COLOUR]);
        for colour in colours {
            for bg in BACKGROUNDS {
                let ratio = contrast_ratio(
                    parse_hex_colour(colour).expect("colour"),
                    parse_hex_colour(bg).expect("background"),
                );
                assert!(ratio >= 4.5, "{colour} on {bg}: {ratio:.2}");
            }
        }
        // Axis lines are non-text graphics: 3:1 is the AA threshold.
        for bg in BACKGROUNDS {
            let ratio = contrast_ratio(
                parse_hex_colour(AXIS_COLOUR).expect("colour"),
                parse_hex_colour(bg).expect("background"),
            );
            assert!(ratio >= 3.0, "axis on {bg}: {ratio:.2}");
        }
    }

    #[test]
    fn charts_are_accessible_images_with_escaped_labels() {
        let text = ChartText {
            id: "c1",
            title: "Certificates <by> grade",
            description: "a & b",
        };
        let svg = bar_chart(&text, &[("A&B".into(), 3), ("<script>".into(), 0)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="c1-t c1-d""#));
        assert!(svg.contains("<title id=\"c1-t\">Certificates &lt;by&gt; grade</title>"));
        assert!(svg.contains("A&amp;B") && !svg.contains("<script>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        let empty = bar_chart(&text, &[]);
        assert!(empty.contains("</svg>") && !empty.contains("NaN"));
        let lines = line_chart_svg(
            &text,
            &["1".into(), "2".into(), "3".into()],
            &[("x".into(), vec![0, 0, 0]), ("y".into(), vec![1, 5])],
        );
        assert_eq!(lines.matches("<polyline").count(), 2);
        assert_eq!(lines.matches("<circle").count(), 5);
        assert!(!lines.contains("NaN") && !lines.contains("inf"));
    }

    #[test]
    fn counts_and_ticks_are_written_in_digit_groups() {
        let text = ChartText {
            id: "c2",
            title: "t",
            description: "d",
        };
        let svg = bar_chart(&text, &[("a".into(), 726_917), ("b".into(), 8_608)]);
        assert!(
            svg.contains(">726,917</text>") && svg.contains(">8,608</text>"),
            "{svg}"
        );
        assert!(svg.contains(">200,000</text>"), "a tick: {svg}");
        assert!(!svg.contains("726917"));
        assert_eq!(tick_label(2.5), "2.5");
    }
}
