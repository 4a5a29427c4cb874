//! The uniffi interface (proc-macros) over the same core, for uniffi-generated bindings
//! (Ruby: `bindings-ffi/ruby/`). Values cross as JSON text, exactly as through the C ABI;
//! the generated code only moves strings and the small Ruby library on top makes them
//! idiomatic. uniffi catches a panic and raises it as an internal error in the host.

use crate::ImpactClient;
use impact_conversions::json_api;
use std::sync::Arc;

/// A core error; `json` carries every field (`code`, `message`, `issues`, `reset_at`,
/// `attempts`, `status`, `api_errors`), the same JSON as the C ABI's error detail.
#[derive(Debug, uniffi::Error)]
pub enum ImpactFailure {
    Failed { code: String, json: String },
}

impl std::fmt::Display for ImpactFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ImpactFailure::Failed { code, .. } = self;
        write!(f, "impact-conversions error {code}")
    }
}

impl From<impact_conversions::Error> for ImpactFailure {
    fn from(e: impact_conversions::Error) -> Self {
        ImpactFailure::Failed {
            code: e.code.as_str().to_owned(),
            json: e.to_json().to_string(),
        }
    }
}

type Result<T> = std::result::Result<T, ImpactFailure>;

/// The library version.
#[uniffi::export]
pub fn core_version() -> String {
    impact_conversions::VERSION.to_owned()
}

/// Every problem of a conversion at once: `{"valid", "errors", "warnings"}`.
#[uniffi::export]
pub fn validate(conversion_json: String) -> Result<String> {
    Ok(json_api::validate(&conversion_json)?)
}

/// The exact form body impact.com receives.
#[uniffi::export]
pub fn encode(conversion_json: String) -> Result<String> {
    Ok(json_api::encode(&conversion_json)?)
}

/// How impact.com spreads the order discount over the items.
#[uniffi::export]
pub fn allocate_discount(conversion_json: String) -> Result<String> {
    Ok(json_api::allocate_discount(&conversion_json)?)
}

/// The click-id decision for one request, with the exact `Set-Cookie` values.
#[uniffi::export]
pub fn capture(config_json: String, request_json: String) -> Result<String> {
    Ok(json_api::capture(&config_json, &request_json)?)
}

/// The stored click id in a `Cookie` header.
#[uniffi::export]
pub fn read_stored(config_json: String, cookie_header: String, now_ms: i64) -> Result<String> {
    Ok(json_api::read_stored(&config_json, &cookie_header, now_ms)?)
}

/// A link to a sister domain with the click id (or a signed hand-off token) added.
#[uniffi::export]
pub fn decorate_url(
    config_json: String,
    url: String,
    click_id: String,
    now_ms: i64,
) -> Result<String> {
    Ok(json_api::decorate_url(
        &config_json,
        &url,
        &click_id,
        now_ms,
    )?)
}

/// `Set-Cookie` values deleting the click-id cookie for `host`.
#[uniffi::export]
pub fn clear_click_id(config_json: String, host: String) -> Result<String> {
    Ok(json_api::clear(&config_json, &host)?)
}

/// The retrying client: thread-safe, rebuilt in a forked child.
#[derive(uniffi::Object)]
pub struct Client {
    inner: ImpactClient,
}

#[uniffi::export]
impl Client {
    /// From the configuration JSON (`account_sid`, `auth_token`, `base_url`, retry options).
    #[uniffi::constructor]
    pub fn new(config_json: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Client {
            inner: ImpactClient::new(&config_json, "ruby", false)?,
        }))
    }

    /// As `new`, with `account_sid`, `auth_token` and `base_url` read from `IMPACT_*` when
    /// the JSON leaves them out.
    #[uniffi::constructor]
    pub fn from_env(config_json: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Client {
            inner: ImpactClient::new(&config_json, "ruby", true)?,
        }))
    }

    /// Runs one operation (`submit`, `submit_many`, `submission_status`,
    /// `wait_for_submission`, `modify_action`, `reverse_action`; see `json_api::Call`) to
    /// completion and returns its JSON.
    pub fn call(&self, operation: String, args_json: String) -> Result<String> {
        Ok(self
            .inner
            .block_on(&operation, &args_json, std::future::pending())?)
    }

    /// The events (attempt, retry, success, give_up) since the last drain, as a JSON array.
    pub fn drain_events(&self) -> String {
        self.inner.drain_events()
    }

    /// What is safe to show: never the AuthToken.
    pub fn describe(&self) -> String {
        self.inner.describe()
    }
}
