//! Scripted answers: statuses, delays, dropped and truncated connections, garbage 2xx,
//! 429 resets, path filters, FIFO order; the control API; shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use base64::Engine;
use common::{encode, Api, SEED, TOKEN};
use impact_sandbox::{Fault, ResetSpec, Sandbox, SandboxConfig, Scripted};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn entry(v: Value) -> Scripted {
    serde_json::from_value(v).unwrap()
}

/// Sends one conversion over a bare TCP connection and returns every byte received until the
/// server closes it (or an error/timeout ends the read).
async fn raw_conversion(api: &Api) -> Vec<u8> {
    let body = encode(SEED);
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{TOKEN}", api.sid()));
    let request = format!(
        "POST /Advertisers/{}/Conversions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        api.sid(),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(api.sb.addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "the connection stayed open: {}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
    got
}

#[tokio::test]
async fn scripted_statuses_come_first_in_order_even_before_auth() {
    let api = Api::new().await;
    api.sb.script(vec![
        Scripted {
            status: Some(503),
            ..Default::default()
        },
        entry(json!({"status": 502})),
        entry(json!({"status": 500})),
    ]);
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 503);
    assert_eq!(
        a.json,
        json!({"Status": "ERROR", "Message": "Service Unavailable"})
    );
    assert_eq!(a.header("content-type"), Some("application/json"));
    // Scripted answers stand in front of the API: no credentials needed to get one.
    let r = api
        .http
        .post(api.url("Conversions"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 502);
    assert_eq!(api.convert(SEED).await.status, 500);
    // The script is used up: the API answers again.
    assert_eq!(api.convert(SEED).await.status, 200);
    let statuses: Vec<u16> = api.sb.received().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 502, 500, 200]);
    assert_eq!(api.sb.accepted_count("O1234567"), 1);
    // Every request was recorded with its body, the scripted ones included.
    assert!(api.sb.received()[0].body.contains("OrderId=O1234567"));
}

#[tokio::test]
async fn scripted_body_and_headers_override() {
    let api = Api::new().await;
    api.sb.script(vec![entry(json!({
        "status": 200,
        "body": "{\"Status\":\"QUEUED\",\"QueuedUri\":\"/elsewhere\"}",
        "headers": {"X-Custom": "yes", "Content-Type": "application/json; charset=utf-8"}
    }))]);
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["QueuedUri"], "/elsewhere");
    assert_eq!(a.header("x-custom"), Some("yes"));
    assert_eq!(
        a.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    // A scripted answer never reaches the API: nothing was queued.
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
}

#[tokio::test]
async fn delays_make_timeouts_and_a_bare_delay_answers_normally() {
    let api = Api::new().await;
    api.sb
        .script(vec![entry(json!({"status": 503, "delay_ms": 800}))]);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(250))
        .build()
        .unwrap();
    let err = impatient
        .post(api.url("Conversions"))
        .basic_auth(api.sid(), Some(TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(SEED))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // Recorded on arrival, before the answer.
    assert_eq!(api.sb.received().len(), 1);

    api.sb.script(vec![entry(json!({"delay_ms": 300}))]);
    let started = Instant::now();
    let a = api.convert(SEED).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["Status"], "QUEUED");
    assert!(a.header("x-ratelimit-remaining").is_some());
    assert_eq!(api.sb.accepted_count("O1234567"), 1);
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let api = Api::new().await;
    api.sb.script(vec![Scripted {
        fault: Some(Fault::Drop),
        ..Default::default()
    }]);
    let got = raw_conversion(&api).await;
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    let received = api.sb.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].status, 0);
    assert!(received[0].body.contains("OrderId=O1234567"));

    api.sb.script(vec![entry(json!({"fault": "drop"}))]);
    let err = api
        .http
        .post(api.url("Conversions"))
        .basic_auth(api.sid(), Some(TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(SEED))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err}");
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
    // The server itself is fine.
    assert_eq!(api.convert(SEED).await.status, 200);
}

#[tokio::test]
async fn reset_mid_body_sends_a_truncated_answer() {
    let api = Api::new().await;
    api.sb
        .script(vec![entry(json!({"fault": "reset_mid_body"}))]);
    let got = raw_conversion(&api).await;
    let text = String::from_utf8_lossy(&got).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect(&text);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .expect(head);
    assert!(
        !body.is_empty() && body.len() < length,
        "{length} vs {body:?}"
    );

    api.sb.script(vec![entry(
        json!({"fault": "reset_mid_body", "status": 503}),
    )]);
    let r = api
        .http
        .post(api.url("Conversions"))
        .basic_auth(api.sid(), Some(TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(SEED))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.text().await.is_err());
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
}

#[tokio::test]
async fn garbage_2xx_is_recorded_but_not_accepted() {
    let api = Api::new().await;
    api.sb.script(vec![Scripted {
        fault: Some(Fault::Garbage2xx),
        ..Default::default()
    }]);
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 200);
    assert!(
        serde_json::from_str::<Value>(&a.text).is_err(),
        "{}",
        a.text
    );
    assert!(a.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(api.sb.received().len(), 1);
    assert_eq!(api.sb.received()[0].status, 200);
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
    let orders: Value = api
        .http
        .get(api.control("orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders, json!({}));
}

#[tokio::test]
async fn scripted_429_resets_as_epoch_delta_or_missing() {
    let api = Api::new().await;
    api.sb.script(vec![
        Scripted {
            status: Some(429),
            rate_limit_reset: Some(ResetSpec::Epoch(1_900_000_000)),
            ..Default::default()
        },
        entry(json!({"status": 429, "rate_limit_reset": {"delta": 7}})),
        entry(json!({"status": 429, "rate_limit_reset": "missing"})),
        entry(json!({"status": 429})),
        // A reset alone means 429.
        entry(json!({"rate_limit_reset": {"delta": 3}})),
    ]);
    let mut resets = Vec::new();
    for _ in 0..5 {
        let a = api.convert(SEED).await;
        assert_eq!(a.status, 429, "{}", a.text);
        assert_eq!(a.json["Status"], "ERROR");
        assert_eq!(a.header("x-ratelimit-remaining"), Some("0"));
        assert_eq!(a.header("x-ratelimit-limit"), Some("1000"));
        assert!(a.headers.get("retry-after").is_none());
        resets.push(a.header("x-ratelimit-reset").map(str::to_owned));
    }
    let want = [Some("1900000000"), Some("7"), None, Some("60"), Some("3")];
    assert_eq!(
        resets,
        want.iter()
            .map(|w| w.map(str::to_owned))
            .collect::<Vec<_>>()
    );
    // Scripted 429s do not spend the real budget.
    assert_eq!(
        api.convert(SEED).await.header("x-ratelimit-remaining"),
        Some("999")
    );
}

#[tokio::test]
async fn path_contains_waits_for_a_matching_request() {
    let api = Api::new().await;
    api.sb.script(vec![
        entry(json!({"status": 503, "path_contains": "/APISubmissions/"})),
        entry(json!({"status": 502})),
    ]);
    // The first entry waits; the conversion takes the second.
    assert_eq!(api.convert(SEED).await.status, 502);
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 200);
    let uri = a.json["QueuedUri"].as_str().unwrap();
    assert_eq!(api.get(uri).await.status, 503);
    assert_eq!(api.get(uri).await.status, 200);
}

#[tokio::test]
async fn the_control_api() {
    let api = Api::new().await;
    let post = |tail: &str, body: &str| {
        api.http
            .post(api.control(tail))
            .body(body.to_owned())
            .send()
    };
    let r = post(
        "script",
        r#"{"responses":[{"status":503,"delay_ms":10,"headers":{"X-A":"b"}},{"fault":"garbage_2xx"}]}"#,
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["queued"], 2);
    assert_eq!(api.convert(SEED).await.status, 503);
    assert_eq!(api.convert(SEED).await.status, 200);
    assert_eq!(api.convert(SEED).await.json["Status"], "QUEUED");
    for bad in [
        "not json",
        r#"{"responses":[{"fault":"explode"}]}"#,
        r#"{"responses":[{"status":503,"typo":1}]}"#,
        r#"{"responses":[{"rate_limit_reset":{"later":5}}]}"#,
        r#"{"other":[]}"#,
    ] {
        let r = post("script", bad).await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{bad}");
    }

    let requests: Value = api
        .http
        .get(api.control("requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = requests.as_array().unwrap();
    assert_eq!(list.len(), 3, "control requests are not recorded");
    let first = &list[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(
        first["path"],
        format!("/Advertisers/{}/Conversions", api.sid())
    );
    assert_eq!(first["body"], encode(SEED));
    assert_eq!(first["status"], 503);
    chrono::DateTime::parse_from_rfc3339(first["at"].as_str().unwrap()).unwrap();
    let headers = first["headers"].as_array().unwrap();
    assert!(
        headers.contains(&json!(["authorization", "Basic ***"])),
        "{headers:?}"
    );
    assert!(!requests.to_string().contains(TOKEN));
    let statuses: Vec<&Value> = list.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!(503), &json!(200), &json!(200)]);

    let orders: Value = api
        .http
        .get(api.control("orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders, json!({"O1234567": 1}));

    let r = post(
        "config",
        r#"{"hourly_budget": 3, "processing_delay_ms": 0}"#,
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let a = api.convert(SEED).await;
    assert_eq!(a.header("x-ratelimit-limit"), Some("3"));
    let done = api.get(a.json["QueuedUri"].as_str().unwrap()).await;
    assert_eq!(done.json["Status"], "Complete");
    assert_eq!(done.json["ErrorReason"], "CONV_DUPLICATE");
    assert_eq!(api.convert(SEED).await.status, 429);

    post("script", r#"{"responses":[{"status":500}]}"#)
        .await
        .unwrap();
    let r = post("reset", "").await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(api.sb.received().is_empty());
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
    // The script, the usage and the submissions are gone too.
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("x-ratelimit-remaining"), Some("2"));
    assert_eq!(
        api.get(&format!(
            "/Advertisers/{}/APISubmissions/{}",
            api.sid(),
            "A-00000001-0"
        ))
        .await
        .status,
        404
    );

    let r = api.http.get(api.control("nope")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn shutdown_closes_connections_and_frees_the_port() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let addr = sb.addr();
    assert_eq!(sb.base_url(), format!("http://{addr}"));
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/_sandbox/orders", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let clone = sb.clone();
    tokio::time::timeout(Duration::from_secs(5), sb.shutdown())
        .await
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    // The pooled keep-alive connection was closed as well.
    assert!(http
        .get(format!("{}/_sandbox/orders", clone.base_url()))
        .send()
        .await
        .is_err());
    // The port can be bound again.
    let again = Sandbox::start(SandboxConfig {
        port: addr.port(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(again.addr(), addr);
    again.shutdown().await;
}
