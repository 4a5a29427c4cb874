//! Shared helpers of the emulator's HTTP tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use impact_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

pub const TOKEN: &str = "sandbox-auth-token";

/// The seed example of the integration guide, with the documented item indices
/// (`ItemSubTotal1=28.00`, `ItemSubTotal2=99.00` instead of the unindexed slip).
pub const SEED: &[(&str, &str)] = &[
    ("CampaignId", "1000"),
    ("EventTypeId", "9876"),
    ("EventDate", "2024-08-01T23:55:24-08:00"),
    ("ClickId", "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0"),
    ("CustomerId", "BCZ2WVSH674563PDPYOTM3AXDQ"),
    ("CurrencyCode", "USD"),
    ("OrderId", "O1234567"),
    ("OrderDiscount", "15.00"),
    ("OrderPromoCode", "15BUCKSOFF"),
    ("ItemSku1", "1ABC2345"),
    ("ItemName1", "Product Name 1"),
    ("ItemCategory1", "Hardware"),
    ("ItemQuantity1", "2"),
    ("ItemSubTotal1", "28.00"),
    ("ItemSku2", "9ZXY7654"),
    ("ItemName2", "Product Name 2"),
    ("ItemCategory2", "Gardening"),
    ("ItemQuantity2", "3"),
    ("ItemSubTotal2", "99.00"),
];

/// The seed with `set` applied (a key already there is replaced in place, a new one is
/// appended) and the `remove` keys taken out.
pub fn seed_with(set: &[(&str, &str)], remove: &[&str]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = SEED
        .iter()
        .filter(|(k, _)| !remove.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in set {
        match pairs.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => pairs.push((k.to_string(), v.to_string())),
        }
    }
    pairs
}

pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k.as_ref(), v.as_ref());
    }
    s.finish()
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The `Field`s of a 400 answer (either spelling).
    pub fn fields(&self) -> Vec<String> {
        let list = self.json["Errors"]
            .as_array()
            .or_else(|| self.json["errors"].as_array())
            .cloned()
            .unwrap_or_default();
        list.iter()
            .map(|e| {
                e.get("Field")
                    .or_else(|| e.get("field"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }
}

pub struct Api {
    pub sb: Sandbox,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn new() -> Api {
        Api::with(SandboxConfig::default()).await
    }

    pub async fn with(config: SandboxConfig) -> Api {
        Api {
            sb: Sandbox::start(config).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    pub fn sid(&self) -> String {
        self.sb.config().account_sid.clone()
    }

    pub fn url(&self, tail: &str) -> String {
        format!("{}/Advertisers/{}/{tail}", self.sb.base_url(), self.sid())
    }

    pub fn control(&self, tail: &str) -> String {
        format!("{}/_sandbox/{tail}", self.sb.base_url())
    }

    pub async fn answer(r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    /// A form request with the right credentials.
    pub async fn form(&self, method: reqwest::Method, tail: &str, body: String) -> Answer {
        let r = self
            .http
            .request(method, self.url(tail))
            .basic_auth(self.sid(), Some(TOKEN))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        Api::answer(r).await
    }

    pub async fn convert<K: AsRef<str>, V: AsRef<str>>(&self, pairs: &[(K, V)]) -> Answer {
        self.form(reqwest::Method::POST, "Conversions", encode(pairs))
            .await
    }

    pub async fn get(&self, uri: &str) -> Answer {
        let r = self
            .http
            .get(format!("{}{uri}", self.sb.base_url()))
            .basic_auth(self.sid(), Some(TOKEN))
            .send()
            .await
            .unwrap();
        Api::answer(r).await
    }
}
