//! Property test: no input, however malformed, makes reading, validation, encoding or the
//! discount preview panic; and whatever validates also encodes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use impact_conversions::{allocate_discount, prepare, validate::validate_json_str, Conversion};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Keys drawn from real spellings, typos and wire names, so generated objects reach deep code.
const KEYS: &[&str] = &[
    "CampaignId",
    "campaign_id",
    "EventTypeId",
    "ActionTrackerId",
    "EventTypeCode",
    "EventDate",
    "OrderId",
    "ClickId",
    "clickId",
    "CustomerEmail",
    "CurrencyCode",
    "Amount",
    "OrderDiscount",
    "OrderDiscountRate",
    "OrderMargin",
    "MediaId",
    "MediaPartnerId",
    "IpAddress",
    "UniqueUrl",
    "Text1",
    "text_50",
    "Text51",
    "Money3",
    "numeric10",
    "Date1",
    "items",
    "extra",
    "Note",
    "ItemSubTotal",
    "campain_id",
    "",
    "SubId1",
    "GiftPurchase",
    "TrackingConsent",
    "CountryCode",
];
const ITEM_KEYS: &[&str] = &[
    "sku",
    "Sku",
    "ItemSku",
    "quantity",
    "price",
    "sub_total",
    "discount_rate",
    "text1",
    "Money3",
    "date_2",
    "nope",
    "total_discount",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,80}".prop_map(Value::from),
        prop_oneof![
            Just("2024-08-01T23:55:24-08:00"),
            Just("USD"),
            Just("JPY"),
            Just("14.005"),
            Just("-0"),
            Just("99999999999999999999999999999"),
            Just("1e400"),
            Just("a@b.co"),
            Just("::1"),
            Just("https://x.example/"),
            Just("0.30000000000000004"),
        ]
        .prop_map(Value::from),
    ]
}

fn object(
    keys: &'static [&'static str],
    value: impl Strategy<Value = Value>,
) -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(keys), value), 0..16).prop_map(|pairs| {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    })
}

fn conversion() -> impl Strategy<Value = Value> {
    let item = object(ITEM_KEYS, leaf());
    let items = prop::collection::vec(prop_oneof![item, leaf()], 0..5).prop_map(Value::Array);
    let extra = object(&["Foo", "ClickId", "Bad Name", "X_1"], leaf());
    (object(KEYS, leaf()), items, extra).prop_map(|(mut o, items, extra)| {
        if let Value::Object(m) = &mut o {
            if m.contains_key("items") {
                m.insert("items".into(), items);
            }
            if m.contains_key("extra") {
                m.insert("extra".into(), extra);
            }
        }
        o
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_and_valid_means_encodable(input in conversion()) {
        let text = input.to_string();
        let report = validate_json_str(&text);
        match Conversion::from_json(&input) {
            Ok(conv) => {
                let prepared = prepare(&conv);
                prop_assert_eq!(prepared.is_ok(), report.is_valid(), "{}", text);
                let _ = allocate_discount(&conv);
                let _ = conv.to_json();
            }
            Err(e) => prop_assert!(!e.issues.is_empty()),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = validate_json_str(&text);
        let _ = Conversion::from_json_str(&text);
    }
}

#[test]
fn canonical_json_round_trips() {
    let input = json!({"CampaignId": 1000, "EventTypeId": 9876, "EventDate": "2024-08-01T23:55:24-08:00",
        "OrderId": "O1", "ClickId": "c", "CurrencyCode": "USD", "Amount": 14.0, "Text3": "t",
        "items": [{"sku": "A", "quantity": 2, "price": "1.50", "money1": "2"}], "extra": {"NewThing": "x"}});
    let conv = Conversion::from_json(&input).unwrap();
    let again = Conversion::from_json(&conv.to_json()).unwrap();
    assert_eq!(conv, again);
    assert_eq!(prepare(&conv).unwrap().body, prepare(&again).unwrap().body);
}
