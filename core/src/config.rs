//! Client configuration, from code, JSON (what bindings pass) or the environment.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::time::Duration;

/// The AuthToken. Never printed: `Debug` and `Display` show `***`, and it has no `Serialize`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The token itself, for the Authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    /// A wrong type is reported without its value (serde would quote it).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Secret, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Secret(s)),
            _ => Err(serde::de::Error::custom("auth_token must be a string")),
        }
    }
}

/// Everything a [`crate::client::Client`] needs. Defaults follow impact.com's advice and
/// Stripe-style retry discipline; see [`crate::retry`] for what each number does.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// The account SID (`IR...`): the user of HTTP Basic auth and part of every path.
    pub account_sid: String,
    pub auth_token: Secret,
    /// `https://api.impact.com`; plain `http` only for loopback (the emulator).
    pub base_url: String,
    /// Which binding is calling, for the User-Agent (`python`, `node`, `go`, ...).
    pub binding: String,
    /// Requests per conversion at most, the first included (429 waits do not count).
    pub max_attempts: u32,
    /// Backoff base: the first retry waits up to this long (full jitter).
    pub base_delay_ms: u64,
    /// Backoff cap for one wait.
    pub max_delay_ms: u64,
    /// Total time one call may take, retries and waits included.
    pub deadline_ms: u64,
    /// Time one HTTP attempt may take.
    pub attempt_timeout_ms: u64,
    /// Wait after a 429 whose `X-RateLimit-Reset` is missing or unreadable.
    pub rate_limit_fallback_ms: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            account_sid: String::new(),
            auth_token: Secret::default(),
            base_url: "https://api.impact.com".into(),
            binding: "rust".into(),
            max_attempts: 5,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            deadline_ms: 30_000,
            attempt_timeout_ms: 10_000,
            rate_limit_fallback_ms: 60_000,
        }
    }
}

impl ClientConfig {
    pub fn new(account_sid: impl Into<String>, auth_token: impl Into<String>) -> ClientConfig {
        ClientConfig {
            account_sid: account_sid.into(),
            auth_token: Secret::new(auth_token),
            ..ClientConfig::default()
        }
    }

    /// `IMPACT_ACCOUNT_SID`, `IMPACT_AUTH_TOKEN` and optionally `IMPACT_BASE_URL`.
    pub fn from_env() -> Result<ClientConfig> {
        ClientConfig::from_json_with_env(&serde_json::json!({}))
    }

    /// The JSON form, with `account_sid`, `auth_token` and `base_url` read from the
    /// environment when the JSON leaves them out: a binding's `fromEnv(retry options)`.
    pub fn from_json_with_env(value: &serde_json::Value) -> Result<ClientConfig> {
        let mut value = without_nulls(value);
        if let Some(map) = value.as_object_mut() {
            for (key, var) in [
                ("account_sid", "IMPACT_ACCOUNT_SID"),
                ("auth_token", "IMPACT_AUTH_TOKEN"),
                ("base_url", "IMPACT_BASE_URL"),
            ] {
                match std::env::var(var) {
                    Ok(v) if !v.is_empty() && !map.contains_key(key) => {
                        map.insert(key.into(), v.into());
                    }
                    _ => {}
                }
            }
        }
        ClientConfig::from_json(&value)
    }

    /// Reads the JSON form (snake_case keys as in this struct; `null` = not given); unknown
    /// keys are refused, and an error names the option at fault.
    pub fn from_json(value: &serde_json::Value) -> Result<ClientConfig> {
        let value = without_nulls(value);
        let config = ClientConfig::deserialize(&value).map_err(|e| {
            // serde's message does not say which field: find it by reading each alone.
            let culprit = value.as_object().and_then(|map| {
                map.iter().find_map(|(key, v)| {
                    let alone = serde_json::json!({ key.clone(): v.clone() });
                    ClientConfig::deserialize(&alone).err().map(|_| key.clone())
                })
            });
            match culprit {
                Some(key) => Error::config(format!("client configuration: {key}: {e}")),
                None => Error::config(format!("client configuration: {e}")),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// What a binding may show of this configuration (inspect, repr, toJSON): the account and
    /// the base URL, never the token.
    pub fn public_json(&self) -> serde_json::Value {
        serde_json::json!({ "account_sid": self.account_sid, "base_url": self.base_url })
    }

    /// Checks that the configuration can work; messages name the field and the fix.
    pub fn validate(&self) -> Result<()> {
        if self.account_sid.is_empty() {
            return Err(Error::config(
                "account_sid is missing: pass your impact.com Account SID (it starts with IR) or set IMPACT_ACCOUNT_SID",
            ));
        }
        if !self.account_sid.starts_with("IR")
            || !self.account_sid.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(Error::config(
                "account_sid must be your Account SID: letters and digits starting with IR (find it under Settings > API)",
            ));
        }
        if self.auth_token.expose().is_empty() {
            return Err(Error::config(
                "auth_token is missing: pass your impact.com Auth Token or set IMPACT_AUTH_TOKEN",
            ));
        }
        let url = url::Url::parse(&self.base_url).map_err(|e| {
            Error::config(format!("base_url {:?} is not a URL ({e})", self.base_url))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            _ => {
                return Err(Error::config(format!(
                    "base_url {:?} must use https (plain http is allowed only for a loopback emulator): the AuthToken must not cross a network in clear",
                    self.base_url
                )))
            }
        }
        if self.max_attempts == 0 {
            return Err(Error::config("max_attempts must be at least 1"));
        }
        if self.deadline_ms == 0 || self.attempt_timeout_ms == 0 {
            return Err(Error::config(
                "deadline_ms and attempt_timeout_ms must be positive",
            ));
        }
        if self.base_delay_ms > self.max_delay_ms {
            return Err(Error::config("base_delay_ms must not exceed max_delay_ms"));
        }
        Ok(())
    }

    pub(crate) fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }

    pub(crate) fn attempt_timeout(&self) -> Duration {
        Duration::from_millis(self.attempt_timeout_ms)
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The object without its `null` members: a binding passes an unset option as `null`.
fn without_nulls(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_never_prints() {
        let c = ClientConfig::new("IRabc", "s3cr3t-token");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(c.auth_token.to_string(), "***");
    }

    #[test]
    fn https_required_except_loopback() {
        let mut c = ClientConfig::new("IRabc", "t");
        c.base_url = "http://api.impact.com".into();
        assert!(c.validate().is_err());
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "https://api.impact.com",
        ] {
            c.base_url = ok.into();
            assert!(c.validate().is_ok(), "{ok}");
        }
    }

    #[test]
    fn json_names_unknown_keys_and_bad_values() {
        let e = ClientConfig::from_json(
            &json!({"account_sid": "IRx", "auth_token": "t", "max_atempts": 3}),
        )
        .unwrap_err();
        assert!(e.message.contains("max_atempts"), "{}", e.message);
        let e = ClientConfig::from_json(&json!({"account_sid": "nope", "auth_token": "t"}))
            .unwrap_err();
        assert!(e.message.contains("account_sid"));
        let e = ClientConfig::from_json(&json!({"account_sid": "IRx"})).unwrap_err();
        assert!(e.message.contains("auth_token"));
    }

    #[test]
    fn null_is_not_given_and_wrong_types_name_the_option_without_the_value() {
        let e = ClientConfig::from_json(&json!({"account_sid": "IRx", "auth_token": null}))
            .unwrap_err();
        assert!(e.message.contains("auth_token is missing"), "{}", e.message);
        let ok = ClientConfig::from_json(
            &json!({"account_sid": "IRx", "auth_token": "t", "base_url": null}),
        )
        .unwrap();
        assert_eq!(ok.base_url, ClientConfig::default().base_url);
        let e = ClientConfig::from_json(
            &json!({"account_sid": "IRx", "auth_token": "t", "max_attempts": "five"}),
        )
        .unwrap_err();
        assert!(e.message.contains("max_attempts"), "{}", e.message);
        let e = ClientConfig::from_json(&json!({"account_sid": "IRx", "auth_token": 987654321}))
            .unwrap_err();
        assert!(
            e.message.contains("auth_token must be a string"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("987654321"), "{}", e.message);
    }
}
