//! validate + encode cost: the seed example and a 100-item order, against what an integrator
//! writes by hand (format the pairs with `{:.2}` floats and url-encode them, no checks).
//! Run: `cargo bench -p impact-conversions --bench encode`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use impact_conversions::{prepare, Conversion};
use serde_json::json;

fn order(items: usize) -> serde_json::Value {
    let items: Vec<_> = (0..items)
        .map(|i| json!({"sku": format!("SKU-{i:05}"), "name": format!("Product {i}"), "category": "Hardware",
                        "quantity": 1 + i % 4, "sub_total": format!("{}.{:02}", 10 + i, i % 100)}))
        .collect();
    json!({"CampaignId": 1000, "EventTypeId": 9876, "EventDate": "2024-08-01T23:55:24-08:00",
           "ClickId": "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0", "CustomerId": "BCZ2WVSH674563PDPYOTM3AXDQ",
           "CurrencyCode": "USD", "OrderId": "O1234567", "OrderDiscount": "15.00", "OrderPromoCode": "15BUCKSOFF",
           "items": items})
}

/// What a hand-written integration does: no validation, floats formatted with two decimals.
struct HandItem {
    sku: String,
    name: String,
    category: String,
    quantity: u32,
    sub_total: f64,
}

fn hand_encode(items: &[HandItem]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("CampaignId", "1000")
        .append_pair("EventDate", "2024-08-01T23:55:24-08:00")
        .append_pair("OrderId", "O1234567")
        .append_pair("EventTypeId", "9876")
        .append_pair("ClickId", "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0")
        .append_pair("CustomerId", "BCZ2WVSH674563PDPYOTM3AXDQ")
        .append_pair("OrderPromoCode", "15BUCKSOFF")
        .append_pair("CurrencyCode", "USD")
        .append_pair("OrderDiscount", &format!("{:.2}", 15.0));
    for (i, it) in items.iter().enumerate() {
        let n = i + 1;
        s.append_pair(&format!("ItemSku{n}"), &it.sku)
            .append_pair(&format!("ItemName{n}"), &it.name)
            .append_pair(&format!("ItemCategory{n}"), &it.category)
            .append_pair(&format!("ItemQuantity{n}"), &it.quantity.to_string())
            .append_pair(&format!("ItemSubTotal{n}"), &format!("{:.2}", it.sub_total));
    }
    s.finish()
}

fn hand_items(n: usize) -> Vec<HandItem> {
    (0..n)
        .map(|i| HandItem {
            sku: format!("SKU-{i:05}"),
            name: format!("Product {i}"),
            category: "Hardware".into(),
            quantity: 1 + (i % 4) as u32,
            sub_total: (10 + i) as f64 + (i % 100) as f64 / 100.0,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for n in [2usize, 100] {
        let json = order(n);
        let conv = Conversion::from_json(&json).unwrap();
        assert!(prepare(&conv).is_ok());
        let mut g = c.benchmark_group(format!("items_{n}"));
        g.bench_function("validate_encode", |b| {
            b.iter(|| prepare(black_box(&conv)).unwrap())
        });
        g.bench_function("from_json_validate_encode", |b| {
            b.iter(|| prepare(&Conversion::from_json(black_box(&json)).unwrap()).unwrap())
        });
        let hand = hand_items(n);
        g.bench_function("hand_written_no_checks", |b| {
            b.iter(|| hand_encode(black_box(&hand)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
