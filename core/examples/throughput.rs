//! Loopback throughput of the real client against a running emulator.
//! `cargo run --release -p impact-conversions --example throughput -- <base_url> <count>`
//! prints one line per concurrency: `concurrency=N conversions_per_sec=X`. Used by
//! `bench/throughput.sh`, which also measures the same endpoint with wrk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use impact_conversions::{Client, ClientConfig, Conversion};
use serde_json::json;
use std::time::Instant;

fn conversion(i: usize) -> Conversion {
    Conversion::from_json(&json!({
        "CampaignId": 1000, "EventTypeId": 9876, "EventDate": "2024-08-01T23:55:24-08:00",
        "OrderId": format!("BENCH-{i}"), "ClickId": "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0",
        "CurrencyCode": "USD", "OrderDiscount": "15.00",
        "items": [{"sku": "1ABC2345", "quantity": 2, "sub_total": "28.00"},
                  {"sku": "9ZXY7654", "quantity": 3, "sub_total": "99.00"}]
    }))
    .unwrap()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let base_url = args.next().expect("base url");
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(5_000);
    let mut config = ClientConfig::new("IRSANDBOX00000000000000000000001", "sandbox-auth-token");
    config.base_url = base_url;
    let client = Client::new(config).unwrap();
    for (round, concurrency) in [1usize, 32].into_iter().enumerate() {
        let batch: Vec<Conversion> = (0..count).map(|i| conversion(round * count + i)).collect();
        let started = Instant::now();
        let results = client.submit_many(&batch, concurrency).await;
        let secs = started.elapsed().as_secs_f64();
        assert!(results.iter().all(Result::is_ok));
        println!(
            "concurrency={concurrency} conversions_per_sec={:.0}",
            count as f64 / secs
        );
    }
}
