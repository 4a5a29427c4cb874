//! `impact-conversions demo`: the whole journey on the embedded emulator, explained by its
//! own output: landing with `irclickid`, the cookie, the return visit, the order, a 503 and
//! its retry, the receipt, impact's processing, and the discount split.

use impact_conversions::clickid::{capture, read_stored, CaptureRequest, ClickIdConfig, Consent};
use impact_conversions::events::Event;
use impact_conversions::{allocate_discount, validate, Client, ClientConfig, Conversion, Error};
use impact_sandbox::{Sandbox, SandboxConfig, Scripted};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LANDING: &str =
    "/store/product1?utm_source=partner&irclickid=QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0";

/// The order from impact.com's integration page (two items, a 15.00 discount); the click
/// id is filled in from the cookie.
const ORDER: &str = r#"{
  "CampaignId": 1000,
  "EventTypeId": 9876,
  "EventDate": "2024-08-01T23:55:24-08:00",
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

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
        .unwrap_or(0)
}

fn describe(event: &Event) -> String {
    let request = |operation: &'static str| match operation {
        "submit" => "POST /Advertisers/{sid}/Conversions",
        "submission_status" => "GET /Advertisers/{sid}/APISubmissions/{id}",
        _ => operation,
    };
    match event {
        Event::Attempt {
            operation, attempt, ..
        } => format!("  -> {} (attempt {attempt})", request(operation)),
        Event::Retry {
            reason, delay_ms, ..
        } => format!("  <- {reason}: retrying in {delay_ms} ms (full-jitter backoff)"),
        Event::Success {
            status,
            attempts,
            elapsed_ms,
            ..
        } => {
            format!("  <- HTTP {status} after {attempts} attempt(s), {elapsed_ms} ms")
        }
        Event::GiveUp { code, reason, .. } => format!("  <- gave up ({code}): {reason}"),
    }
}

pub async fn run() -> Result<(), Error> {
    let io = |e: std::io::Error| Error::config(format!("cannot start the emulator: {e}"));
    let sandbox = Sandbox::start(SandboxConfig {
        processing_delay: Duration::from_millis(400),
        ..SandboxConfig::default()
    })
    .await
    .map_err(io)?;
    println!("impact.com emulator listening on {}\n", sandbox.base_url());

    println!("== 1. A visitor lands from a partner link ==\nGET https://www.example.com{LANDING}");
    let cookies = ClickIdConfig::default();
    let landing = capture(
        &cookies,
        &CaptureRequest {
            scheme: "https".into(),
            host: "www.example.com".into(),
            url: Some(LANDING.into()),
            query: None,
            cookie: None,
            referer: None,
            forwarded_proto: None,
            consent: Consent::Granted,
            now: now_ms(),
        },
    )?;
    for header in &landing.set_cookie {
        println!("Set-Cookie: {header}");
    }

    println!("\n== 2. Days later the visitor returns directly and checks out ==");
    let cookie_header = landing
        .set_cookie
        .first()
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    println!("Cookie: {cookie_header}");
    let stored = read_stored(&cookies, &cookie_header, now_ms() + 3 * 86_400_000)?;
    let click_id = stored.click_id.unwrap_or_default();
    println!("click id found in the cookie: {click_id}");

    println!("\n== 3. The order (impact.com's own example), with that click id ==");
    let mut order = Conversion::from_json_str(ORDER)?;
    order.click_id = Some(click_id);
    let report = validate(&order);
    println!(
        "validation: {} errors, {} warnings",
        report.errors.len(),
        report.warnings.len()
    );
    let body = impact_conversions::encode(&order)?;
    println!("form body:");
    for pair in body.split('&') {
        println!("  {pair}");
    }

    println!("\n== 4. Submit; the API answers 503 once (scripted), the client retries ==");
    sandbox.script(vec![Scripted {
        status: Some(503),
        ..Scripted::default()
    }]);
    let mut config = ClientConfig::new(&sandbox.config().account_sid, &sandbox.config().auth_token);
    config.base_url = sandbox.base_url();
    config.binding = "cli".into();
    // The submit's attempts and retries, as they happen.
    let client = Client::with_events(
        config,
        Arc::new(|e: &Event| {
            if matches!(
                e,
                Event::Attempt {
                    operation: "submit",
                    ..
                } | Event::Retry { .. }
                    | Event::Success {
                        operation: "submit",
                        ..
                    }
                    | Event::GiveUp { .. }
            ) {
                println!("{}", describe(e));
            }
        }),
    )?;
    let receipt = client.submit(&order).await?;
    println!(
        "receipt: {}",
        serde_json::to_string_pretty(&receipt).unwrap_or_default()
    );
    println!(
        "the emulator recorded {} request(s) and {} accepted conversion for order O1234567",
        sandbox.received().len(),
        sandbox.accepted_count("O1234567"),
    );

    println!("\n== 5. impact.com processes the queued conversion (GET APISubmissions) ==");
    let mut last = String::new();
    let status = loop {
        let status = client.submission_status(&receipt.queued_uri).await?;
        if status.status != last {
            println!("  status: {}", status.status);
            last = status.status.clone();
        }
        if status.complete {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "submission {}: {}",
        status.submission_id,
        if status.failed() {
            "failed"
        } else {
            "recorded"
        }
    );

    let split = allocate_discount(&order)?;
    println!(
        "\n== 6. How impact.com spreads OrderDiscount {} {} over the items ==",
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
    sandbox.shutdown().await;
    Ok(())
}
