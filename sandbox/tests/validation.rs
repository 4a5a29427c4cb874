//! Every conversion rule the emulator enforces, over HTTP: each broken form is refused with
//! the right `Field`, each documented variant is queued.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{seed_with, Api, SEED};

#[tokio::test]
async fn the_seed_example_is_queued() {
    let api = Api::new().await;
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["Status"], "QUEUED");
    let uri = a.json["QueuedUri"].as_str().unwrap();
    let prefix = format!("/Advertisers/{}/APISubmissions/", api.sid());
    assert!(uri.starts_with(&prefix), "{uri}");
    assert!(uri.len() > prefix.len() + 8, "{uri}");
    assert_eq!(api.sb.accepted_count("O1234567"), 1);
    // The notes' slip (unindexed ItemSubTotal) is refused, naming the parameter.
    let slip = seed_with(&[("ItemSubTotal", "28.00")], &["ItemSubTotal1"]);
    let a = api.convert(&slip).await;
    assert_eq!(a.status, 400);
    assert!(
        a.fields().contains(&"ItemSubTotal".to_owned()),
        "{}",
        a.text
    );
    assert_eq!(api.sb.accepted_count("O1234567"), 1);
}

#[tokio::test]
async fn each_rule_names_the_field() {
    let long = |n: usize| "x".repeat(n);
    let (c65, c256) = (long(65), long(256));
    type Case<'a> = (&'a str, Vec<(String, String)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "CampaignId missing",
            seed_with(&[], &["CampaignId"]),
            "CampaignId",
        ),
        (
            "CampaignId not an integer",
            seed_with(&[("CampaignId", "abc")], &[]),
            "CampaignId",
        ),
        (
            "CampaignId decimal",
            seed_with(&[("CampaignId", "10.5")], &[]),
            "CampaignId",
        ),
        (
            "EventDate missing",
            seed_with(&[], &["EventDate"]),
            "EventDate",
        ),
        (
            "EventDate without offset",
            seed_with(&[("EventDate", "2024-08-01T23:55:24")], &[]),
            "EventDate",
        ),
        (
            "EventDate date only",
            seed_with(&[("EventDate", "2024-08-01")], &[]),
            "EventDate",
        ),
        (
            "EventDate with a space",
            seed_with(&[("EventDate", "2024-08-01 23:55:24-08:00")], &[]),
            "EventDate",
        ),
        (
            "EventDate words",
            seed_with(&[("EventDate", "yesterday")], &[]),
            "EventDate",
        ),
        ("OrderId missing", seed_with(&[], &["OrderId"]), "OrderId"),
        (
            "OrderId empty",
            seed_with(&[("OrderId", "")], &[]),
            "OrderId",
        ),
        (
            "no event type",
            seed_with(&[], &["EventTypeId"]),
            "EventTypeId",
        ),
        (
            "two event types",
            seed_with(&[("EventTypeCode", "SALE")], &[]),
            "EventTypeId",
        ),
        (
            "EventTypeId and ActionTrackerId",
            seed_with(&[("ActionTrackerId", "9876")], &[]),
            "EventTypeId",
        ),
        (
            "EventTypeId not an integer",
            seed_with(&[("EventTypeId", "SALE")], &[]),
            "EventTypeId",
        ),
        (
            "no attribution key",
            seed_with(&[], &["ClickId", "CustomerId", "OrderPromoCode"]),
            "ClickId",
        ),
        (
            "MediaId and MediaPartnerId",
            seed_with(&[("MediaId", "10000"), ("MediaPartnerId", "10000")], &[]),
            "MediaPartnerId",
        ),
        (
            "MediaId not an integer",
            seed_with(&[("MediaId", "acme")], &[]),
            "MediaId",
        ),
        (
            "CurrencyCode missing with money",
            seed_with(&[], &["CurrencyCode"]),
            "CurrencyCode",
        ),
        (
            "CurrencyCode lower case",
            seed_with(&[("CurrencyCode", "usd")], &[]),
            "CurrencyCode",
        ),
        (
            "CurrencyCode not ISO 4217",
            seed_with(&[("CurrencyCode", "XYZ")], &[]),
            "CurrencyCode",
        ),
        (
            "CurrencyCode four letters",
            seed_with(&[("CurrencyCode", "USDT")], &[]),
            "CurrencyCode",
        ),
        (
            "JPY has no minor units",
            seed_with(&[("CurrencyCode", "JPY")], &[]),
            "OrderDiscount",
        ),
        (
            "USD has two decimals",
            seed_with(&[("OrderDiscount", "15.001")], &[]),
            "OrderDiscount",
        ),
        (
            "KWD has three decimals",
            seed_with(&[("CurrencyCode", "KWD"), ("Amount", "1.0001")], &[]),
            "Amount",
        ),
        (
            "exponent",
            seed_with(&[("OrderDiscount", "1e3")], &[]),
            "OrderDiscount",
        ),
        (
            "thousands separator",
            seed_with(&[("OrderDiscount", "1,000.00")], &[]),
            "OrderDiscount",
        ),
        (
            "plus sign",
            seed_with(&[("OrderShipping", "+1.00")], &[]),
            "OrderShipping",
        ),
        (
            "trailing dot",
            seed_with(&[("OrderTax", "1.")], &[]),
            "OrderTax",
        ),
        (
            "negative discount",
            seed_with(&[("OrderDiscount", "-1.00")], &[]),
            "OrderDiscount",
        ),
        (
            "negative Amount",
            seed_with(&[("Amount", "-1")], &[]),
            "Amount",
        ),
        (
            "negative Money1",
            seed_with(&[("Money1", "-1.00")], &[]),
            "Money1",
        ),
        (
            "negative ItemMoney",
            seed_with(&[("ItemMoney1_2", "-1.00")], &[]),
            "ItemMoney1_2",
        ),
        (
            "negative item subtotal",
            seed_with(&[("ItemSubTotal2", "-99.00")], &[]),
            "ItemSubTotal2",
        ),
        (
            "item price too precise",
            seed_with(&[("ItemTotalDiscount1", "0.005")], &[]),
            "ItemTotalDiscount1",
        ),
        (
            "money without currency (Money2)",
            {
                let mut p = seed_with(&[("Money2", "1.00")], &["CurrencyCode", "OrderDiscount"]);
                p.retain(|(k, _)| !k.starts_with("Item"));
                p
            },
            "CurrencyCode",
        ),
        (
            "OrderDiscountRate over 100",
            seed_with(&[("OrderDiscountRate", "100.5")], &[]),
            "OrderDiscountRate",
        ),
        (
            "ItemDiscountRate negative",
            seed_with(&[("ItemDiscountRate1", "-5")], &[]),
            "ItemDiscountRate1",
        ),
        (
            "unindexed ItemSubTotal",
            seed_with(&[("ItemSubTotal", "28.00")], &[]),
            "ItemSubTotal",
        ),
        (
            "unindexed ItemSku",
            seed_with(&[("ItemSku", "X")], &[]),
            "ItemSku",
        ),
        (
            "item index 0",
            seed_with(&[("ItemSku0", "X")], &[]),
            "ItemSku0",
        ),
        (
            "ItemPrice and ItemSubTotal",
            seed_with(&[("ItemPrice1", "14.00")], &[]),
            "ItemSubTotal1",
        ),
        (
            "ItemQuantity zero",
            seed_with(&[("ItemQuantity2", "0")], &[]),
            "ItemQuantity2",
        ),
        (
            "ItemQuantity negative",
            seed_with(&[("ItemQuantity2", "-3")], &[]),
            "ItemQuantity2",
        ),
        (
            "ItemQuantity fractional",
            seed_with(&[("ItemQuantity2", "1.5")], &[]),
            "ItemQuantity2",
        ),
        ("ItemSku missing", seed_with(&[], &["ItemSku2"]), "ItemSku2"),
        (
            "item gap",
            seed_with(
                &[
                    ("ItemSku3", "C"),
                    ("ItemQuantity3", "1"),
                    ("ItemPrice3", "1.00"),
                ],
                &[
                    "ItemSku2",
                    "ItemName2",
                    "ItemCategory2",
                    "ItemQuantity2",
                    "ItemSubTotal2",
                ],
            ),
            "ItemSku2",
        ),
        (
            "item with no amount",
            seed_with(&[], &["ItemSubTotal2"]),
            "ItemPrice2",
        ),
        (
            "ClickId over 64",
            seed_with(&[("ClickId", &c65)], &[]),
            "ClickId",
        ),
        ("Text1 over 64", seed_with(&[("Text1", &c65)], &[]), "Text1"),
        (
            "Text50 over 64",
            seed_with(&[("Text50", &c65)], &[]),
            "Text50",
        ),
        (
            "Text51 unknown",
            seed_with(&[("Text51", "x")], &[]),
            "Text51",
        ),
        (
            "ItemText over 64",
            seed_with(&[("ItemText2_50", &c65)], &[]),
            "ItemText2_50",
        ),
        (
            "ItemText51 unknown",
            seed_with(&[("ItemText1_51", "x")], &[]),
            "ItemText1_51",
        ),
        ("Note over 255", seed_with(&[("Note", &c256)], &[]), "Note"),
        (
            "SubId1 over 255",
            seed_with(&[("SubId1", &c256)], &[]),
            "SubId1",
        ),
        (
            "SubId3 over 255",
            seed_with(&[("SubId3", &c256)], &[]),
            "SubId3",
        ),
        (
            "SharedId over 255",
            seed_with(&[("SharedId", &c256)], &[]),
            "SharedId",
        ),
        (
            "plaintext email",
            seed_with(&[("CustomerEmail", "jane@example.com")], &[]),
            "CustomerEmail",
        ),
        (
            "email hash of a wrong length",
            seed_with(&[("CustomerEmail", &"a".repeat(32))], &[]),
            "CustomerEmail",
        ),
        (
            "IpAddress invalid (the YAML's own example)",
            seed_with(&[("IpAddress", "12.345.678.90")], &[]),
            "IpAddress",
        ),
        (
            "UniqueUrl relative",
            seed_with(&[("UniqueUrl", "/partner/acme")], &[]),
            "UniqueUrl",
        ),
        (
            "TrackingConsent yes",
            seed_with(&[("TrackingConsent", "yes")], &[]),
            "TrackingConsent",
        ),
        (
            "TrackingConsent capitalised",
            seed_with(&[("TrackingConsent", "True")], &[]),
            "TrackingConsent",
        ),
        (
            "GiftPurchase 1",
            seed_with(&[("GiftPurchase", "1")], &[]),
            "GiftPurchase",
        ),
        (
            "Numeric1 not a number",
            seed_with(&[("Numeric1", "ten")], &[]),
            "Numeric1",
        ),
        (
            "Date1 not a date",
            seed_with(&[("Date1", "2024-13-01T00:00:00Z")], &[]),
            "Date1",
        ),
        (
            "CR LF in a value",
            seed_with(&[("Note", "a\r\nX-Injected: 1")], &[]),
            "Note",
        ),
        (
            "tab in a value",
            seed_with(&[("ItemName1", "a\tb")], &[]),
            "ItemName1",
        ),
        (
            "NUL in a value",
            seed_with(&[("OrderId", "O1\u{0}")], &[]),
            "OrderId",
        ),
        (
            "unknown parameter",
            seed_with(&[("FavouriteColour", "blue")], &[]),
            "FavouriteColour",
        ),
        (
            "lower-case name",
            seed_with(&[("orderid", "O1")], &[]),
            "orderid",
        ),
        (
            "parameter twice",
            {
                let mut p = seed_with(&[], &[]);
                p.push(("OrderId".into(), "O2".into()));
                p
            },
            "OrderId",
        ),
    ];
    let api = Api::new().await;
    let mut failures = Vec::new();
    for (name, pairs, field) in &cases {
        let a = api.convert(pairs).await;
        let fields = a.fields();
        let ok = a.status == 400
            && a.json["Status"] == "ERROR"
            && a.json["Message"].as_str().is_some_and(|m| !m.is_empty())
            && fields.iter().any(|f| f == field);
        if !ok {
            failures.push(format!("{name}: {} {}", a.status, a.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(api.sb.received().iter().all(|r| r.status == 400));
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
}

#[tokio::test]
async fn documented_variants_are_queued() {
    let sha1 = "4db6c86b5d02c22ab6c5e1b1a0b82a7b5d4ef068";
    let sha256 = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514";
    let c64 = "y".repeat(64);
    let c255 = "z".repeat(255);
    let order_level: Vec<(String, String)> = {
        let mut p = seed_with(&[("Amount", "127.00")], &[]);
        p.retain(|(k, _)| !k.starts_with("Item"));
        p
    };
    let every_documented_field = seed_with(
        &[
            ("CustomProfileId", "a1b2c3"),
            ("CustomClickId", "cc-1"),
            ("PromoCode", "P1"),
            ("UniqueUrl", "https://partner.example/page?x=1"),
            ("GoogAId", "38400000-8cf0-11bd-b23e-10b96e40000d"),
            ("AndroidId", "a1"),
            ("AppleIfa", "38400000-8cf0-11bd-b23e-10b96e40000d"),
            ("AppleIfv", "38400000-8cf0-11bd-b23e-10b96e40000d"),
            ("MediaPartnerId", "10000"),
            ("SubId1", &c255),
            ("SubId2", "s2"),
            ("SubId3", "s3"),
            ("SharedId", "sh"),
            ("PhoneNumber", "8051234567"),
            ("CallerId", "8051234567"),
            ("CountryCode", "US"),
            ("IpAddress", "2001:db8::1"),
            ("CustomerEmail", sha256),
            ("CustomerStatus", "NEW"),
            ("CustomerCity", "Santa Barbara"),
            ("CustomerPostCode", "93101"),
            ("CustomerCountry", "USA"),
            ("CustomerRegion", "AMER"),
            ("OrderSubTotalPostDiscount", "112.00"),
            ("OrderShipping", "5.00"),
            ("OrderTax", "8.00"),
            ("OrderMargin", "-3.50"),
            ("OrderDiscountRate", "11.81"),
            ("PaymentType", "CREDIT_CARD"),
            ("GiftPurchase", "false"),
            ("Amount", "112.00"),
            ("UserAgent", "Mozilla/5.0 (X11; Linux x86_64)"),
            ("DeviceMfr", "Apple"),
            ("DeviceModel", "iPhone 15"),
            ("PropertyId", "12345"),
            ("AppPackage", "com.acme.app"),
            ("AppInstallRef", "ClickId=abc"),
            ("AppVer", "1.2.3"),
            ("LocationId", "LOC-1"),
            ("LocationName", "Acme Resort"),
            ("LocationType", "HOTEL"),
            ("TrackingConsent", "true"),
            ("Note", "Customer confirmed delivery."),
            ("DispositionCode", "DEFAULT"),
            ("Text1", &c64),
            ("Text50", "t50"),
            ("Numeric1", "100.5"),
            ("Numeric10", "-2"),
            ("Money1", "50.00"),
            ("Money3", "75"),
            ("Date1", "2026-09-10T22:55:32-08:00"),
            ("Date10", "2026-09-10T22:55:32Z"),
            ("ItemPromoCode1", "10OFF"),
            ("ItemSubCategory1", "Tools"),
            ("ItemBrand1", "Acme"),
            ("ItemMpn1", "ACME-MPN-101"),
            ("ItemDiscount1", "1.00"),
            ("ItemDiscountRate1", "10"),
            ("ItemTotalDiscount2", "2.00"),
            ("ItemDeliveryType2", "INSTORE"),
            ("ItemText1_1", &c64),
            ("ItemText2_50", "Blue"),
            ("ItemNumeric1_10", "100.5"),
            ("ItemDate2_1", "2026-09-10T22:55:32-08:00"),
            ("ItemMoney1_1", "50.00"),
            ("ItemMoney2_3", "0"),
        ],
        &[],
    );
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("every documented field", every_documented_field),
        ("order level only", order_level),
        (
            "EventTypeCode",
            seed_with(&[("EventTypeCode", "ACME_SALE")], &["EventTypeId"]),
        ),
        (
            "ActionTrackerId (older name)",
            seed_with(&[("ActionTrackerId", "9876")], &["EventTypeId"]),
        ),
        ("SHA-1 email", seed_with(&[("CustomerEmail", sha1)], &[])),
        (
            "UTC event date",
            seed_with(&[("EventDate", "2024-08-02T07:55:24Z")], &[]),
        ),
        (
            "ItemPrice instead of ItemSubTotal",
            seed_with(&[("ItemPrice1", "14.00")], &["ItemSubTotal1"]),
        ),
        (
            "JPY whole amounts",
            seed_with(
                &[
                    ("CurrencyCode", "JPY"),
                    ("OrderDiscount", "15"),
                    ("ItemSubTotal1", "2800"),
                    ("ItemSubTotal2", "9900"),
                ],
                &[],
            ),
        ),
        (
            "KWD three decimals",
            seed_with(&[("CurrencyCode", "KWD"), ("OrderDiscount", "1.500")], &[]),
        ),
        (
            "one decimal in USD",
            seed_with(&[("OrderDiscount", "15.5")], &[]),
        ),
        (
            "MediaId as the only key",
            seed_with(
                &[("MediaId", "10000"), ("SubId1", "a")],
                &["ClickId", "CustomerId", "OrderPromoCode"],
            ),
        ),
        (
            "no money, no currency",
            vec![
                ("CampaignId".into(), "1000".into()),
                ("EventTypeId".into(), "9876".into()),
                ("EventDate".into(), "2024-08-01T23:55:24-08:00".into()),
                ("OrderId".into(), "LEAD-1".into()),
                ("CustomerId".into(), "C1".into()),
            ],
        ),
        (
            "unicode text",
            seed_with(&[("ItemName1", "Überschuhe – größe 42 🥾")], &[]),
        ),
    ];
    let api = Api::new().await;
    let mut failures = Vec::new();
    for (name, pairs) in &cases {
        let a = api.convert(pairs).await;
        if a.status != 200 || a.json["Status"] != "QUEUED" {
            failures.push(format!("{name}: {} {}", a.status, a.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn all_errors_at_once_in_both_spellings() {
    let api = Api::new().await;
    let bad = seed_with(
        &[
            ("CurrencyCode", "usd"),
            ("ItemQuantity2", "0"),
            ("CustomerEmail", "jane@example.com"),
            ("Unknown", "1"),
        ],
        &["OrderId"],
    );
    let a = api.convert(&bad).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.header("content-type"), Some("application/json"));
    let mut fields = a.fields();
    fields.sort();
    for f in [
        "CurrencyCode",
        "CustomerEmail",
        "ItemQuantity2",
        "OrderId",
        "Unknown",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }
    for e in a.json["Errors"].as_array().unwrap() {
        assert!(e["Field"].is_string() && e["Message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert!(a.json.get("errors").is_none());

    let r = api
        .http
        .post(api.url("Conversions"))
        .basic_auth(api.sid(), Some(common::TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Sandbox-Error-Style", "lower")
        .body(common::encode(&bad))
        .send()
        .await
        .unwrap();
    let lower = Api::answer(r).await;
    assert_eq!(lower.status, 400);
    assert_eq!(lower.json["Status"], "ERROR");
    assert!(lower.json.get("Errors").is_none());
    let list = lower.json["errors"].as_array().unwrap();
    assert_eq!(list.len(), a.json["Errors"].as_array().unwrap().len());
    for e in list {
        assert!(e["field"].is_string() && e["message"].is_string(), "{e}");
        assert!(e.get("Field").is_none());
    }
}
