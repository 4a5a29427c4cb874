//! Click-id capture cost on a normal landing request and on a hostile one (1 MB query,
//! 1 MB cookie header, 1 MB referer): the scan limits keep the second close to the first.
//! Run: `cargo bench -p impact-conversions --bench clickid`.
#![allow(clippy::unwrap_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use impact_conversions::clickid::{capture, CaptureRequest, ClickIdConfig, Consent};

fn request(query: String, cookie: Option<String>, referer: Option<String>) -> CaptureRequest {
    CaptureRequest {
        scheme: "https".into(),
        host: "www.example.com".into(),
        url: None,
        query: Some(query),
        cookie,
        referer,
        forwarded_proto: None,
        consent: Consent::Granted,
        now: 1_700_000_000_000,
    }
}

fn bench(c: &mut Criterion) {
    let cfg = ClickIdConfig::default();
    let normal = request(
        "utm_source=x&irclickid=Wbv3sJ2a1xyz".into(),
        Some("session=abc; impact_irclickid=1.1699999999000.OldId".into()),
        None,
    );
    let big = "a=b&".repeat(1 << 18);
    let huge = request(
        format!("{big}irclickid=Wbv3sJ2a1xyz"),
        Some("c=d; ".repeat(1 << 18)),
        Some(format!("https://www.example.com/?{big}")),
    );
    let mut g = c.benchmark_group("capture");
    g.bench_function("normal_request", |b| {
        b.iter(|| capture(&cfg, black_box(&normal)).unwrap())
    });
    g.bench_function("hostile_1mb_inputs", |b| {
        b.iter(|| capture(&cfg, black_box(&huge)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
