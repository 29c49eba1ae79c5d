//! Cold render times of the mark images (what a cache miss costs on top of the database read):
//! badge SVG and PNG, QR SVG and PNG. Prints the median and 95th percentile of each.
//! Run: `cargo bench --bench marks` (figures go to docs/PERFORMANCE.md).

use std::hint::black_box;
use std::time::{Duration, Instant};

use sqe_registry::domain::mark::qr::{QrMatrix, QrSize};
use sqe_registry::domain::mark::raster::{badge_png, svg_to_png};
use sqe_registry::domain::mark::{Badge, BadgeSize, BadgeState, MarkLang, Theme};
use sqe_registry::web::sightings::network_digest;

const RUNS: usize = 400;

fn measure(name: &str, mut f: impl FnMut() -> usize) {
    // Warm up: fonts, option structs and allocator pools are made once per process.
    let mut bytes = 0;
    for _ in 0..20 {
        bytes = f();
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "{name:<34} median {:>7.3} ms   p95 {:>7.3} ms   {bytes:>6} bytes",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
    );
}

/// The cost a badge request pays for binding checks and sighting counting, per request.
fn sightings() {
    use actix_web::test::TestRequest;
    use sqe_registry::domain::hostname::Hostname;
    use sqe_registry::web::sightings::{MarkBinding, SightingBuffer};
    let binding = MarkBinding::new(1, &["yunhe.com".to_owned(), "yunhe-mall.cn".to_owned()]);
    let buffer = SightingBuffer::default();
    let own = [Hostname::parse("sqe-registry.example.cn").expect("host")];
    let at = chrono::Utc::now().naive_utc();
    let with = |referer: Option<&str>| {
        let mut req = TestRequest::get().insert_header(("Host", "sqe-registry.example.cn"));
        if let Some(r) = referer {
            req = req.insert_header(("Referer", r));
        }
        req.to_http_request()
    };
    for (label, req) in [
        ("no Referer", with(None)),
        ("bound Referer", with(Some("https://www.yunhe.com/item/1"))),
        (
            "foreign Referer (counted)",
            with(Some("https://fake-shop.example.com/")),
        ),
    ] {
        const N: u32 = 200_000;
        let secret = sqe_registry::config::SessionSecret::random();
        let start = Instant::now();
        for _ in 0..N {
            if let Some(host) = binding.foreign_host(black_box(&req), &own) {
                let network = network_digest(&secret, black_box("203.0.113.9"));
                buffer.record(1, host, network, at);
            }
        }
        println!(
            "binding check + sighting, {label:<26} {:>7.0} ns per request",
            start.elapsed().as_secs_f64() * 1e9 / f64::from(N)
        );
    }
}

fn main() {
    sightings();
    let url = "https://sqe-registry.example.cn/certificates/CQM-SQE-2025-000123";
    let badge = |size, lang, theme| Badge {
        state: BadgeState::Valid { stars: 4 },
        number: "CQM-SQE-2025-000123",
        size,
        lang,
        theme,
    };
    let m = badge(BadgeSize::Medium, MarkLang::Zh, Theme::Light);
    measure("badge SVG m", || m.svg().len());
    // What the server does on a cache miss: a new certificate number each time, over a base
    // layer rasterised once per look.
    let looks = [
        (
            "m (220x64)",
            BadgeSize::Medium,
            MarkLang::Zh,
            Theme::Light,
            1u8,
        ),
        (
            "m scale=2 (440x128)",
            BadgeSize::Medium,
            MarkLang::Zh,
            Theme::Light,
            2,
        ),
        (
            "s en dark (150x40)",
            BadgeSize::Small,
            MarkLang::En,
            Theme::Dark,
            1,
        ),
        (
            "l scale=2 (660x192)",
            BadgeSize::Large,
            MarkLang::Zh,
            Theme::Light,
            2,
        ),
    ];
    for (label, size, lang, theme, zoom) in looks {
        let mut serial = 0u32;
        measure(&format!("badge PNG {label}"), || {
            serial += 1;
            let number = format!("CQM-SQE-2025-{serial:06}");
            let b = Badge {
                number: &number,
                ..badge(size, lang, theme)
            };
            badge_png(&b, zoom).map(|p| p.len()).unwrap_or(0)
        });
    }
    // The first badge of a look also rasterises the base layer: the whole drawing.
    for (label, size, lang, theme, zoom) in looks {
        let b = badge(size, lang, theme);
        measure(&format!("badge PNG whole {label}"), || {
            svg_to_png(&b.svg(), f32::from(zoom))
                .map(|p| p.len())
                .unwrap_or(0)
        });
    }
    measure("QR SVG m", || {
        QrMatrix::encode(url)
            .map(|q| q.svg(QrSize::Medium.pixels(), url).len())
            .unwrap_or(0)
    });
    for size in QrSize::ALL {
        for scale in [1, 2] {
            let px = size.pixels() * scale;
            measure(
                &format!("QR PNG {} scale={scale} (~{px}px)", size.tag()),
                || {
                    QrMatrix::encode(url)
                        .and_then(|q| q.png(px))
                        .map(|p| p.len())
                        .unwrap_or(0)
                },
            );
        }
    }
}
