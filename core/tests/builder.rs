//! The typed Rust API gives the same bytes as the JSON shape (the seed vector).
#![allow(clippy::unwrap_used)]

use impact_conversions::{allocate_discount, prepare, Conversion, Item};
use rust_decimal::Decimal;

#[test]
fn builder_matches_the_seed_vector() {
    let conversion = Conversion::builder()
        .campaign_id(1000u64)
        .event_type_id(9876u64)
        .event_date("2024-08-01T23:55:24-08:00")
        .order_id("O1234567")
        .click_id("QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0")
        .customer_id("BCZ2WVSH674563PDPYOTM3AXDQ")
        .order_promo_code("15BUCKSOFF")
        .currency_code("USD")
        .order_discount(Decimal::new(1500, 2))
        .item(
            Item::builder()
                .sku("1ABC2345")
                .name("Product Name 1")
                .category("Hardware")
                .quantity(2u64)
                .sub_total(Decimal::new(2800, 2))
                .build(),
        )
        .item(
            Item::builder()
                .sku("9ZXY7654")
                .name("Product Name 2")
                .category("Gardening")
                .quantity(3u64)
                .sub_total(Decimal::new(9900, 2))
                .build(),
        )
        .build();
    let vector: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/conversions/001-seed-example.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        prepare(&conversion).unwrap().body,
        vector["expect"]["body"].as_str().unwrap()
    );
    let shares: Vec<String> = allocate_discount(&conversion)
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.share)
        .collect();
    assert_eq!(shares, ["3.31", "11.69"]);
    let with_custom = Conversion::builder()
        .text(3, "x")
        .money(1, Decimal::ONE)
        .extra("NewParam", "y")
        .build();
    assert_eq!(with_custom.custom.text[&3], "x");
    assert_eq!(with_custom.extra["NewParam"], "y");
}
