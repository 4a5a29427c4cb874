//! The real client against the emulator over loopback: every scripted fault class.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use impact_conversions::actions::{ActionModification, ActionReversal};
use impact_conversions::events::Event;
use impact_conversions::{Client, ClientConfig, Conversion, ErrorCode};
use impact_sandbox::{Fault, ResetSpec, Sandbox, SandboxConfig, Scripted};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "sandbox-auth-token";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.unwrap()
}

fn config(sb: &Sandbox) -> ClientConfig {
    let mut c = ClientConfig::new(&sb.config().account_sid, TOKEN);
    c.base_url = sb.base_url();
    c.base_delay_ms = 10;
    c.max_delay_ms = 50;
    c.deadline_ms = 5_000;
    c.attempt_timeout_ms = 1_000;
    c
}

type Events = Arc<Mutex<Vec<Event>>>;

fn client_with_events(c: ClientConfig) -> (Client, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let client = Client::with_events(
        c,
        Arc::new(move |e: &Event| sink.lock().unwrap().push(e.clone())),
    )
    .unwrap();
    (client, events)
}

fn order(id: &str) -> Conversion {
    Conversion::from_json(&json!({
        "CampaignId": 1000, "EventTypeId": 9876, "EventDate": "2024-08-01T23:55:24-08:00",
        "OrderId": id, "ClickId": "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0", "CurrencyCode": "USD",
        "OrderDiscount": "15.00",
        "items": [{"sku": "1ABC2345", "quantity": 2, "sub_total": "28.00"},
                  {"sku": "9ZXY7654", "quantity": 3, "sub_total": "99.00"}]
    }))
    .unwrap()
}

fn script(sb: &Sandbox, entries: Vec<Scripted>) {
    sb.script(entries);
}

fn status(code: u16) -> Scripted {
    Scripted {
        status: Some(code),
        ..Default::default()
    }
}

fn fault(f: Fault) -> Scripted {
    Scripted {
        fault: Some(f),
        ..Default::default()
    }
}

#[tokio::test]
async fn success_sends_the_documented_request_once() {
    let sb = sandbox().await;
    let client = Client::new(config(&sb)).unwrap();
    let receipt = client.submit(&order("O-ok")).await.unwrap();
    assert_eq!(receipt.status, "QUEUED");
    assert_eq!(receipt.attempts, 1);
    assert!(receipt.queued_uri.ends_with(&receipt.submission_id));
    assert_eq!(sb.accepted_count("O-ok"), 1);
    let req = &sb.received()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.path,
        format!("/Advertisers/{}/Conversions", sb.config().account_sid)
    );
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/x-www-form-urlencoded");
    assert_eq!(header("accept"), "application/json");
    assert!(
        header("user-agent").starts_with("impact-conversions/"),
        "{}",
        header("user-agent")
    );
    assert!(req.body.contains("ItemSubTotal1=28.00&"));
}

#[tokio::test]
async fn every_retryable_fault_is_retried_and_delivered_once() {
    let cases: Vec<(&str, Scripted)> = vec![
        ("500", status(500)),
        ("502", status(502)),
        ("503", status(503)),
        ("504", status(504)),
        ("408", status(408)),
        ("drop", fault(Fault::Drop)),
        ("reset", fault(Fault::ResetMidBody)),
        (
            "slow",
            Scripted {
                delay_ms: Some(1_500),
                status: Some(200),
                ..Default::default()
            },
        ),
    ];
    let sb = sandbox().await;
    for (name, entry) in cases {
        sb.clear();
        let (client, events) = client_with_events(config(&sb));
        script(&sb, vec![entry.clone(), entry]);
        let id = format!("O-retry-{name}");
        let receipt = client
            .submit(&order(&id))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(receipt.attempts, 3, "{name}");
        assert_eq!(sb.accepted_count(&id), 1, "{name}");
        let bodies: Vec<String> = sb.received().into_iter().map(|r| r.body).collect();
        assert_eq!(bodies.len(), 3, "{name}");
        assert!(
            bodies.iter().all(|b| *b == bodies[0]),
            "{name}: retried bodies differ"
        );
        let retries = events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, Event::Retry { .. }))
            .count();
        assert_eq!(retries, 2, "{name}");
    }
}

#[tokio::test]
async fn non_retryable_statuses_fail_fast_with_their_code() {
    let sb = sandbox().await;
    for (code, want) in [
        (400, ErrorCode::Api),
        (401, ErrorCode::Auth),
        (403, ErrorCode::Auth),
        (404, ErrorCode::Api),
        (422, ErrorCode::Api),
    ] {
        sb.clear();
        script(&sb, vec![status(code)]);
        let client = Client::new(config(&sb)).unwrap();
        let err = client.submit(&order("O-fatal")).await.unwrap_err();
        assert_eq!(err.code, want, "{code}");
        assert_eq!(err.status, Some(code));
        assert_eq!(err.attempts, Some(1));
        assert!(!err.is_retryable());
        assert_eq!(sb.received().len(), 1, "{code} was retried");
    }
}

#[tokio::test]
async fn real_bad_credentials_are_an_auth_error() {
    let sb = sandbox().await;
    let mut c = config(&sb);
    c.auth_token = impact_conversions::config::Secret::new("wrong-token");
    let err = Client::new(c)
        .unwrap()
        .submit(&order("O-auth"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Auth);
    assert_eq!(sb.received().len(), 1);
}

#[tokio::test]
async fn api_errors_are_parsed_in_both_spellings() {
    let sb = sandbox().await;
    let client = Client::new(config(&sb)).unwrap();
    for body in [
        r#"{"Status":"ERROR","Message":"bad","Errors":[{"Field":"OrderId","Message":"taken"}]}"#,
        r#"{"Status":"ERROR","Message":"bad","errors":[{"field":"OrderId","message":"taken"}]}"#,
    ] {
        script(
            &sb,
            vec![Scripted {
                status: Some(400),
                body: Some(body.into()),
                ..Default::default()
            }],
        );
        let err = client.submit(&order("O-400")).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Api);
        assert_eq!(err.api_errors.len(), 1, "{body}");
        assert_eq!(err.api_errors[0].field.as_deref(), Some("OrderId"));
        assert_eq!(err.api_errors[0].message, "taken");
    }
}

#[tokio::test]
async fn an_invalid_conversion_sends_nothing() {
    let sb = sandbox().await;
    let client = Client::new(config(&sb)).unwrap();
    let mut bad = order("O-bad");
    bad.click_id = None;
    let err = client.submit(&bad).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.issues[0].field.as_deref(), Some("ClickId"));
    assert!(sb.received().is_empty());
}

#[tokio::test]
async fn retries_exhausted_is_a_transport_error() {
    let sb = sandbox().await;
    let mut c = config(&sb);
    c.max_attempts = 3;
    script(
        &sb,
        vec![status(503), status(503), status(503), status(503)],
    );
    let (client, events) = client_with_events(c);
    let err = client.submit(&order("O-exhausted")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Transport);
    assert_eq!(err.attempts, Some(3));
    assert_eq!(err.status, Some(503));
    assert!(err.is_retryable());
    assert_eq!(sb.received().len(), 3);
    assert!(matches!(
        events.lock().unwrap().last(),
        Some(Event::GiveUp {
            code: "transport",
            ..
        })
    ));
}

#[tokio::test]
async fn rate_limit_waits_for_the_reset_without_using_an_attempt() {
    let sb = sandbox().await;
    let mut c = config(&sb);
    c.max_attempts = 1;
    script(
        &sb,
        vec![Scripted {
            status: Some(429),
            rate_limit_reset: Some(ResetSpec::Delta(1)),
            ..Default::default()
        }],
    );
    let (client, events) = client_with_events(c);
    let started = Instant::now();
    let receipt = client.submit(&order("O-429")).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not wait for the reset"
    );
    assert_eq!(receipt.attempts, 2);
    assert_eq!(sb.accepted_count("O-429"), 1);
    let waited = events.lock().unwrap().iter().any(
        |e| matches!(e, Event::Retry { status: Some(429), delay_ms, .. } if *delay_ms >= 1000),
    );
    assert!(waited);
}

#[tokio::test]
async fn rate_limit_beyond_the_deadline_returns_at_once_with_the_reset_time() {
    let sb = sandbox().await;
    let epoch = chrono::Utc::now().timestamp() + 3_000;
    for (reset, want) in [
        (ResetSpec::Epoch(epoch), Some(epoch)),
        (ResetSpec::Delta(600), None),
        (ResetSpec::Missing, None),
    ] {
        sb.clear();
        // A fresh client: the previous one rightly holds its requests until the reset.
        let client = Client::new(config(&sb)).unwrap();
        script(
            &sb,
            vec![Scripted {
                status: Some(429),
                rate_limit_reset: Some(reset),
                ..Default::default()
            }],
        );
        let started = Instant::now();
        let err = client.submit(&order("O-429-late")).await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{reset:?} waited"
        );
        assert_eq!(err.code, ErrorCode::RateLimited, "{reset:?}");
        let reset_at = err.reset_at.unwrap();
        if let Some(want) = want {
            assert_eq!(reset_at, want);
        } else {
            assert!(reset_at > chrono::Utc::now().timestamp() + 30, "{reset:?}");
        }
        assert_eq!(sb.received().len(), 1);
    }
}

#[tokio::test]
async fn a_spent_budget_holds_later_requests_instead_of_collecting_429s() {
    let sb = sandbox().await;
    sb.set_hourly_budget(1);
    let client = Client::new(config(&sb)).unwrap();
    client.submit(&order("O-budget-1")).await.unwrap();
    let err = client.submit(&order("O-budget-2")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(err.reset_at.is_some());
    assert_eq!(
        sb.received().len(),
        1,
        "a request was spent on a certain 429"
    );
}

#[tokio::test]
async fn the_deadline_holds() {
    let sb = sandbox().await;
    let mut c = config(&sb);
    c.deadline_ms = 800;
    c.max_attempts = 50;
    c.base_delay_ms = 100;
    c.max_delay_ms = 200;
    script(&sb, (0..50).map(|_| status(503)).collect());
    let started = Instant::now();
    let err = Client::new(c)
        .unwrap()
        .submit(&order("O-deadline"))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.code, ErrorCode::Timeout, "{err}");
    assert!(took < Duration::from_millis(1_300), "took {took:?}");
    assert_eq!(sb.accepted_count("O-deadline"), 0);
}

#[tokio::test]
async fn garbage_2xx_is_unconfirmed_not_success() {
    let sb = sandbox().await;
    script(&sb, vec![fault(Fault::Garbage2xx)]);
    let err = Client::new(config(&sb))
        .unwrap()
        .submit(&order("O-garbage"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unconfirmed);
    assert_eq!(err.status, Some(200));
    assert_eq!(
        sb.received().len(),
        1,
        "an unconfirmed submission must not be retried blindly"
    );
}

#[tokio::test]
async fn concurrent_submits_of_one_order_share_one_request() {
    let sb = sandbox().await;
    script(
        &sb,
        vec![Scripted {
            delay_ms: Some(300),
            status: Some(503),
            ..Default::default()
        }],
    );
    let client = Client::new(config(&sb)).unwrap();
    let conv = order("O-same");
    let (a, b, c) = tokio::join!(
        client.submit(&conv),
        client.submit(&conv),
        client.submit(&conv)
    );
    assert_eq!(a.unwrap(), b.clone().unwrap());
    assert_eq!(b.unwrap(), c.unwrap());
    assert_eq!(
        sb.received().len(),
        2,
        "one failed attempt and one retry, shared by all three"
    );
    assert_eq!(sb.accepted_count("O-same"), 1);
}

#[tokio::test]
async fn submit_many_keeps_input_order() {
    let sb = sandbox().await;
    let client = Client::new(config(&sb)).unwrap();
    let mut list: Vec<Conversion> = (0..12).map(|i| order(&format!("O-many-{i}"))).collect();
    list[5].order_id = None;
    let results = client.submit_many(&list, 4).await;
    assert_eq!(results.len(), 12);
    for (i, r) in results.iter().enumerate() {
        if i == 5 {
            assert_eq!(r.as_ref().unwrap_err().code, ErrorCode::Validation);
        } else {
            assert!(r.is_ok(), "{i}");
            assert_eq!(sb.accepted_count(&format!("O-many-{i}")), 1);
        }
    }
}

#[tokio::test]
async fn submission_status_completes_and_reports_a_later_failure() {
    let sb = sandbox().await;
    let client = Client::new(config(&sb)).unwrap();
    let first = client.submit(&order("O-status")).await.unwrap();
    let queued = client.submission_status(&first.queued_uri).await.unwrap();
    assert_eq!(queued.status, "Queued");
    assert!(!queued.complete);
    let done = client
        .wait_for_submission(&first.submission_id, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(done.status, "Complete");
    assert!(!done.failed());
    // The same order again: queued, then failed at processing as a duplicate.
    let again = client.submit(&order("O-status")).await.unwrap();
    let failed = client
        .wait_for_submission(&again.queued_uri, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(failed.failed(), "{failed:?}");
    assert!(failed.error_reason.unwrap().contains("DUPLICATE"));
    let err = client.submission_status("not a uri!").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
}

#[tokio::test]
async fn actions_are_modified_and_reversed() {
    let sb = sandbox().await;
    let client = Client::new(config(&sb)).unwrap();
    let change =
        ActionModification::from_json(&json!({"action_tracker_id": 9876, "order_id": "O1",
        "reason": "ITEM_RETURNED", "sku": "1ABC2345", "quantity": 1}))
        .unwrap();
    script(&sb, vec![status(503)]);
    let receipt = client.modify_action(&change).await.unwrap();
    assert_eq!((receipt.status.as_str(), receipt.attempts), ("QUEUED", 2));
    let reversal = ActionReversal::from_json(
        &json!({"action_id": "1000.4636.158133", "disposition_code": "ITEM_RETURNED"}),
    )
    .unwrap();
    client.reverse_action(&reversal).await.unwrap();
    let methods: Vec<String> = sb.received().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["PUT", "PUT", "DELETE"]);
    let bad =
        ActionReversal::from_json(&json!({"order_id": "O1", "disposition_code": "ITEM_RETURNED"}))
            .unwrap();
    assert_eq!(
        client.reverse_action(&bad).await.unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(sb.received().len(), 3);
}

/// Captures everything `tracing` prints while the test runs.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_appears_nowhere() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let sb = sandbox().await;
    let mut c = config(&sb);
    c.max_attempts = 2;
    let mut everything = format!("{c:?}");
    let (client, events) = client_with_events(c.clone());
    everything += &format!("{client:?}");
    script(
        &sb,
        vec![
            status(503),
            status(401),
            fault(Fault::Drop),
            fault(Fault::Drop),
        ],
    );
    for id in ["O-s1", "O-s2"] {
        if let Err(e) = client.submit(&order(id)).await {
            everything += &format!("{e} {e:?} {}", e.to_json());
        }
    }
    client.submit(&order("O-s3")).await.unwrap();
    for e in events.lock().unwrap().iter() {
        everything += &serde_json::to_string(e).unwrap();
    }
    everything += &String::from_utf8_lossy(&capture.0.lock().unwrap());
    assert!(
        everything.contains("retry"),
        "nothing captured: {everything}"
    );
    assert!(!everything.contains(TOKEN), "the token leaked");
    let encoded = base64_of(&format!("{}:{TOKEN}", c.account_sid));
    assert!(
        !everything.contains(&encoded),
        "the Basic credentials leaked"
    );
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}
