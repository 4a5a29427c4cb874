//! `impact-conversions demo`: the seed page's example, end to end, explained by its output.

use impact_conversions::{allocate_discount, prepare, validate, Conversion, Error};

/// The example conversion from impact.com's integration page (two items, a 15.00 discount).
pub const SEED: &str = r#"{
  "CampaignId": 1000,
  "EventTypeId": 9876,
  "EventDate": "2024-08-01T23:55:24-08:00",
  "ClickId": "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0",
  "CustomerId": "BCZ2WVSH674563PDPYOTM3AXDQ",
  "CurrencyCode": "USD",
  "OrderId": "O1234567",
  "OrderDiscount": "15.00",
  "OrderPromoCode": "15BUCKSOFF",
  "items": [
    {"sku": "1ABC2345", "name": "Product Name 1", "category": "Hardware", "quantity": 2, "sub_total": "28.00"},
    {"sku": "9ZXY7654", "name": "Product Name 2", "category": "Gardening", "quantity": 3, "sub_total": "99.00"}
  ]
}"#;

pub fn run() -> Result<(), Error> {
    let conversion = Conversion::from_json_str(SEED)?;
    println!("== 1. The order (the seed page's example) ==\n{SEED}\n");

    let report = validate(&conversion);
    println!(
        "== 2. Validation ==\n{} errors, {} warnings",
        report.errors.len(),
        report.warnings.len()
    );

    let prepared = prepare(&conversion)?;
    println!("\n== 3. Form body for POST /Advertisers/{{AccountSID}}/Conversions ==");
    for pair in prepared.body.split('&') {
        println!("  {pair}");
    }

    let split = allocate_discount(&conversion)?;
    println!(
        "\n== 4. How impact.com spreads OrderDiscount {} {} ==",
        split.order_discount, split.currency
    );
    for item in &split.items {
        println!(
            "  item {} ({}): subtotal {} - share {} = {}",
            item.index,
            item.sku.as_deref().unwrap_or("-"),
            item.sub_total,
            item.share,
            item.net
        );
    }
    Ok(())
}
