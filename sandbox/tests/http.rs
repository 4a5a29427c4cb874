//! The emulator over HTTP, as a client in any language sees it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use impact_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;
use std::io::{BufRead, BufReader};

const SEED: &str = "CampaignId=1000&EventTypeId=9876&EventDate=2024-08-01T23%3A55%3A24-08%3A00&OrderId=O1&ClickId=abc&CurrencyCode=USD&OrderDiscount=15.00&ItemSku1=A&ItemQuantity1=2&ItemSubTotal1=28.00&ItemSku2=B&ItemQuantity2=3&ItemSubTotal2=99.00";

struct Api {
    sb: Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn new() -> Api {
        Api {
            sb: Sandbox::start(SandboxConfig::default()).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, tail: &str) -> String {
        format!(
            "{}/Advertisers/{}/{tail}",
            self.sb.base_url(),
            self.sb.config().account_sid
        )
    }

    async fn post(
        &self,
        body: &str,
        token: &str,
        lower: bool,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .post(self.url("Conversions"))
            .basic_auth(&self.sb.config().account_sid, Some(token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned());
        if lower {
            req = req.header("x-sandbox-error-style", "lower");
        }
        let r = req.send().await.unwrap();
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn queues_a_valid_conversion_and_refuses_bad_credentials() {
    let api = Api::new().await;
    let (status, headers, body) = api.post(SEED, "sandbox-auth-token", false).await;
    assert_eq!(status, 200);
    assert_eq!(body["Status"], "QUEUED");
    assert!(body["QueuedUri"]
        .as_str()
        .unwrap()
        .starts_with("/Advertisers/IRSANDBOX"));
    assert_eq!(headers["x-ratelimit-limit"], "1000");
    assert_eq!(headers["x-ratelimit-remaining"], "999");
    let (status, _, body) = api.post(SEED, "wrong", false).await;
    assert_eq!(status, 401);
    assert!(!body.to_string().contains("wrong"));
    assert_eq!(api.sb.accepted_count("O1"), 1);
    // The Authorization value is masked in what the emulator shows.
    assert!(api.sb.received().iter().all(|r| r
        .headers
        .iter()
        .all(|(k, v)| k != "authorization" || v == "Basic ***")));
}

#[tokio::test]
async fn reports_every_error_in_both_spellings() {
    let api = Api::new().await;
    let bad = SEED
        .replace("ItemSubTotal1", "ItemSubTotal")
        .replace("CurrencyCode=USD", "CurrencyCode=usd");
    let (status, _, body) = api.post(&bad, "sandbox-auth-token", false).await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["Errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"ItemSubTotal")
            && fields.contains(&"CurrencyCode")
            && fields.contains(&"ItemPrice1"),
        "{fields:?}"
    );
    let (_, _, body) = api.post(&bad, "sandbox-auth-token", true).await;
    assert!(body["errors"][0]["field"].is_string());
}

#[tokio::test]
async fn refuses_other_content_types_and_unknown_routes() {
    let api = Api::new().await;
    let r = api
        .http
        .post(api.url("Conversions"))
        .basic_auth(&api.sb.config().account_sid, Some("sandbox-auth-token"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let r = api
        .http
        .get(api.url("Nope"))
        .basic_auth(&api.sb.config().account_sid, Some("sandbox-auth-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn budget_spent_means_429() {
    let api = Api::new().await;
    api.sb.set_hourly_budget(2);
    for _ in 0..2 {
        assert_eq!(api.post(SEED, "sandbox-auth-token", false).await.0, 200);
    }
    let (status, headers, _) = api.post(SEED, "sandbox-auth-token", false).await;
    assert_eq!(status, 429);
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(
        headers["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn control_api_scripts_lists_and_resets() {
    let api = Api::new().await;
    let control = |p: &str| format!("{}/_sandbox/{p}", api.sb.base_url());
    let r = api.http.post(control("script")).body(r#"{"responses":[{"status":429,"rate_limit_reset":{"epoch":1900000000}},{"status":502,"path_contains":"/Actions"}]}"#).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (status, headers, _) = api.post(SEED, "sandbox-auth-token", false).await;
    assert_eq!(
        (status, headers["x-ratelimit-reset"].to_str().unwrap()),
        (429, "1900000000")
    );
    // The 502 waits for an Actions request; this conversion passes it by.
    assert_eq!(api.post(SEED, "sandbox-auth-token", false).await.0, 200);
    let requests: Value = api
        .http
        .get(control("requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(requests.as_array().unwrap().len(), 2);
    assert_eq!(requests[0]["status"], 429);
    let orders: Value = api
        .http
        .get(control("orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders["O1"], 1);
    let bad = api
        .http
        .post(control("script"))
        .body(r#"{"responses":[{"fault":"explode"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    api.http.post(control("reset")).send().await.unwrap();
    assert!(api.sb.received().is_empty());
}

#[tokio::test]
async fn the_binary_prints_its_url() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_impact-sandbox"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("IMPACT_SANDBOX_URL=http://127.0.0.1:")
        .map(str::to_owned);
    let port: u16 = url.unwrap().parse().unwrap();
    let orders = reqwest::get(format!("http://127.0.0.1:{port}/_sandbox/orders"))
        .await
        .unwrap();
    assert_eq!(orders.status().as_u16(), 200);
    child.kill().unwrap();
    let _ = child.wait();
}
