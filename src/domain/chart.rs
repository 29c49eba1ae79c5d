//! Chart geometry: round axis ticks, bar and line positions inside a plot area, and the WCAG
//! contrast ratio of two colours. Numbers only; `web::charts` turns them into SVG.

/// A value axis from 0 to `max` in steps of `step` (1, 2 or 5 × 10ᵏ, never below 1: the
/// charts count things).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub max: f64,
    pub step: f64,
}

impl Axis {
    /// The axis for values up to `largest` with at most `max_intervals` intervals. Zero,
    /// negative or non-finite data gives the axis 0–1, so an empty chart divides by nothing.
    pub fn for_counts(largest: f64, max_intervals: usize) -> Axis {
        let intervals = max_intervals.max(1) as f64;
        if !largest.is_finite() || largest <= 0.0 {
            return Axis {
                max: 1.0,
                step: 1.0,
            };
        }
        let raw = largest / intervals;
        let magnitude = 10f64.powf(raw.log10().floor()).max(1.0);
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        Axis {
            max: (largest / step).ceil() * step,
            step,
        }
    }

    /// The tick values 0, step, 2·step, …, max.
    pub fn ticks(&self) -> Vec<f64> {
        let n = (self.max / self.step).round() as usize;
        (0..=n).map(|i| i as f64 * self.step).collect()
    }

    /// Where `value` lies along the axis, 0–1 (clamped, so a bar never leaves the plot).
    pub fn fraction(&self, value: f64) -> f64 {
        if !value.is_finite() || self.max <= 0.0 {
            return 0.0;
        }
        (value / self.max).clamp(0.0, 1.0)
    }
}

/// A tick: its value and its position (x for a horizontal axis, y for a vertical one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub pos: f64,
}

/// A rectangle in chart coordinates (y grows downwards, as in SVG).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }
}

/// Sizes of a horizontal bar chart: a label column on the left, one band per bar, an axis at
/// the bottom, room on the right for each bar's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarFrame {
    pub width: f64,
    pub label_width: f64,
    pub value_width: f64,
    pub top: f64,
    pub axis_height: f64,
    /// Height of one bar's band.
    pub band: f64,
    /// Share of the band the bar fills (0–1).
    pub fill: f64,
    pub max_intervals: usize,
}

impl Default for BarFrame {
    fn default() -> Self {
        BarFrame {
            width: 640.0,
            label_width: 150.0,
            value_width: 64.0,
            top: 8.0,
            axis_height: 28.0,
            band: 28.0,
            fill: 0.7,
            max_intervals: 5,
        }
    }
}

/// One horizontal bar: its rectangle, the baseline of its label (left of the plot) and where
/// its value is written (just right of the bar).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HBar {
    pub rect: Rect,
    pub label_y: f64,
    pub value_x: f64,
}

/// A laid-out horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct HBars {
    pub width: f64,
    pub height: f64,
    pub plot: Rect,
    pub bars: Vec<HBar>,
    /// Ticks along the bottom axis (positions are x).
    pub ticks: Vec<Tick>,
}

/// Lays out one horizontal bar per value, top to bottom.
pub fn horizontal_bars(values: &[f64], frame: &BarFrame) -> HBars {
    let largest = values.iter().copied().fold(0.0, f64::max);
    let axis = Axis::for_counts(largest, frame.max_intervals);
    let plot_width = (frame.width - frame.label_width - frame.value_width).max(1.0);
    let plot = Rect {
        x: frame.label_width,
        y: frame.top,
        width: plot_width,
        height: frame.band * values.len() as f64,
    };
    let thickness = frame.band * frame.fill.clamp(0.05, 1.0);
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let band_top = plot.y + frame.band * i as f64;
            let width = axis.fraction(v) * plot.width;
            HBar {
                rect: Rect {
                    x: plot.x,
                    y: band_top + (frame.band - thickness) / 2.0,
                    width,
                    height: thickness,
                },
                label_y: band_top + frame.band / 2.0,
                value_x: plot.x + width + 4.0,
            }
        })
        .collect();
    let ticks = axis
        .ticks()
        .into_iter()
        .map(|value| Tick {
            value,
            pos: plot.x + axis.fraction(value) * plot.width,
        })
        .collect();
    HBars {
        width: frame.width,
        height: plot.bottom() + frame.axis_height,
        plot,
        bars,
        ticks,
    }
}

/// Sizes of a line chart: the plot inside margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineFrame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub max_intervals: usize,
}

impl Default for LineFrame {
    fn default() -> Self {
        LineFrame {
            width: 640.0,
            height: 260.0,
            left: 48.0,
            right: 12.0,
            top: 12.0,
            bottom: 32.0,
            max_intervals: 5,
        }
    }
}

/// A laid-out line chart: one x per category, one polyline per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    pub width: f64,
    pub height: f64,
    pub plot: Rect,
    /// The centre of each category's band, where its label goes.
    pub x: Vec<f64>,
    /// Points of each series, one per category.
    pub series: Vec<Vec<(f64, f64)>>,
    /// Ticks along the left axis (positions are y).
    pub ticks: Vec<Tick>,
}

/// Lays out `series` (each with one value per category; shorter series stop early) over
/// `categories` evenly spaced bands, on one shared axis.
pub fn line_chart(series: &[Vec<f64>], categories: usize, frame: &LineFrame) -> Lines {
    let largest = series.iter().flatten().copied().fold(0.0, f64::max);
    let axis = Axis::for_counts(largest, frame.max_intervals);
    let plot = Rect {
        x: frame.left,
        y: frame.top,
        width: (frame.width - frame.left - frame.right).max(1.0),
        height: (frame.height - frame.top - frame.bottom).max(1.0),
    };
    let band = plot.width / categories.max(1) as f64;
    let x: Vec<f64> = (0..categories)
        .map(|i| plot.x + band * (i as f64 + 0.5))
        .collect();
    let y_of = |v: f64| plot.bottom() - axis.fraction(v) * plot.height;
    let series = series
        .iter()
        .map(|values| x.iter().zip(values).map(|(&x, &v)| (x, y_of(v))).collect())
        .collect();
    let ticks = axis
        .ticks()
        .into_iter()
        .map(|value| Tick {
            value,
            pos: y_of(value),
        })
        .collect();
    Lines {
        width: frame.width,
        height: frame.height,
        plot,
        x,
        series,
        ticks,
    }
}

/// The WCAG 2 contrast ratio (1–21) of two sRGB colours.
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

fn relative_luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let s = f64::from(c) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// `#rrggbb` as three bytes.
pub fn parse_hex_colour(hex: &str) -> Option<[u8; 3]> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_round(step: f64) -> bool {
        let magnitude = 10f64.powf(step.log10().floor());
        [1.0, 2.0, 5.0]
            .iter()
            .any(|m| (step / magnitude - m).abs() < 1e-9)
    }

    #[test]
    fn ticks_are_round_numbers_covering_the_data() {
        for largest in [
            1.0,
            3.0,
            7.0,
            9.0,
            10.0,
            11.0,
            42.0,
            99.0,
            100.0,
            101.0,
            999.0,
            1234.0,
            56_789.0,
            999_999.0,
            1_000_000.0,
        ] {
            let axis = Axis::for_counts(largest, 5);
            assert!(is_round(axis.step), "{largest}: step {}", axis.step);
            assert!(axis.step >= 1.0);
            assert!(axis.max >= largest, "{largest}: max {}", axis.max);
            let ticks = axis.ticks();
            assert!(ticks.len() >= 2 && ticks.len() <= 6, "{largest}: {ticks:?}");
            assert_eq!(ticks[0], 0.0);
            assert_eq!(*ticks.last().expect("ticks"), axis.max);
            for t in ticks {
                assert_eq!(t % axis.step, 0.0, "{t} is a multiple of {}", axis.step);
            }
        }
        assert_eq!(
            Axis::for_counts(42.0, 5),
            Axis {
                max: 50.0,
                step: 10.0
            }
        );
        assert_eq!(
            Axis::for_counts(3.0, 5),
            Axis {
                max: 3.0,
                step: 1.0
            }
        );
        assert_eq!(Axis::for_counts(1234.0, 5).step, 500.0);
    }

    #[test]
    fn zero_or_odd_data_draws_an_empty_axis() {
        for v in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            let axis = Axis::for_counts(v, 5);
            assert_eq!(
                axis,
                Axis {
                    max: 1.0,
                    step: 1.0
                }
            );
            assert_eq!(axis.fraction(0.0), 0.0);
        }
        let chart = horizontal_bars(&[0.0, 0.0, 0.0], &BarFrame::default());
        assert!(chart.bars.iter().all(|b| b.rect.width == 0.0));
        assert!(chart.bars.iter().all(|b| b.rect.x.is_finite()));
        let none = horizontal_bars(&[], &BarFrame::default());
        assert!(none.bars.is_empty());
        assert!(none.height > 0.0);
        let lines = line_chart(&[vec![0.0; 12]], 12, &LineFrame::default());
        assert!(lines.series[0]
            .iter()
            .all(|(_, y)| *y == lines.plot.bottom()));
        let empty = line_chart(&[], 0, &LineFrame::default());
        assert!(empty.x.is_empty() && empty.series.is_empty());
    }

    #[test]
    fn bars_stay_inside_the_plot() {
        let frame = BarFrame::default();
        let values = [0.0, 1.0, 57.0, 1234.0, 999.0, 1.0e6, -3.0];
        let chart = horizontal_bars(&values, &frame);
        assert_eq!(chart.bars.len(), values.len());
        let mut longest = 0.0f64;
        for bar in &chart.bars {
            assert!(bar.rect.x >= chart.plot.x);
            assert!(bar.rect.width >= 0.0);
            assert!(bar.rect.right() <= chart.plot.right() + 1e-9);
            assert!(bar.rect.y >= chart.plot.y && bar.rect.bottom() <= chart.plot.bottom());
            assert!(bar.label_y > bar.rect.y && bar.label_y < bar.rect.bottom());
            assert!(bar.value_x + frame.value_width <= chart.width + 4.0 + 1e-9);
            longest = longest.max(bar.rect.width);
        }
        // The largest value reaches at most the end of the axis, which is a round number.
        assert!(longest <= chart.plot.width);
        assert!(chart.height >= chart.plot.bottom());
        // Bars are in the order given, top to bottom, and proportional to their values.
        assert!(chart.bars.windows(2).all(|w| w[0].rect.y < w[1].rect.y));
        let ratio = chart.bars[3].rect.width / chart.bars[4].rect.width;
        assert!((ratio - 1234.0 / 999.0).abs() < 1e-9);
        // Ticks run left to right across the plot.
        assert_eq!(chart.ticks[0].pos, chart.plot.x);
        assert!((chart.ticks.last().expect("tick").pos - chart.plot.right()).abs() < 1e-9);
    }

    #[test]
    fn lines_stay_inside_the_plot() {
        let frame = LineFrame::default();
        let series = vec![
            vec![0.0, 5.0, 17.0, 3.0],
            vec![2.0, 2.0],
            vec![-1.0, 1e9, 0.0, 0.0],
        ];
        let chart = line_chart(&series, 4, &frame);
        assert_eq!(chart.x.len(), 4);
        assert!(chart.x.windows(2).all(|w| w[0] < w[1]));
        assert!(chart.x[0] > chart.plot.x && chart.x[3] < chart.plot.right());
        assert_eq!(chart.series[1].len(), 2, "a shorter series stops early");
        for points in &chart.series {
            for &(x, y) in points {
                assert!(x >= chart.plot.x && x <= chart.plot.right());
                assert!(y >= chart.plot.y - 1e-9 && y <= chart.plot.bottom() + 1e-9);
            }
        }
        // The y axis is shared: higher values are higher up.
        assert!(chart.series[0][2].1 < chart.series[0][1].1);
        assert!(chart.ticks.windows(2).all(|w| w[0].pos > w[1].pos));
    }

    #[test]
    fn contrast_ratios_match_wcag() {
        let white = [255, 255, 255];
        assert!((contrast_ratio(white, [0, 0, 0]) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
        // #767676 is the classic lightest grey that passes 4.5:1 on white.
        assert!(contrast_ratio(white, [0x76, 0x76, 0x76]) >= 4.5);
        assert!(contrast_ratio(white, [0x77, 0x77, 0x77]) < 4.5);
        assert_eq!(parse_hex_colour("#0b5cad"), Some([0x0b, 0x5c, 0xad]));
        assert_eq!(parse_hex_colour("0b5cad"), None);
        assert_eq!(parse_hex_colour("#0b5ca"), None);
    }
}
