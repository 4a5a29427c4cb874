//! The retrying client. Every method runs the core's operation on napi's tokio runtime and
//! resolves a Promise with its JSON; the JS wrapper (`index.js`) serializes the arguments and
//! camelizes the result. Core events reach the optional `onEvent` callback through a weak
//! threadsafe function (it never keeps the process alive).

use crate::{js_error, to_text};
use impact_conversions::events::{Event, EventHandler};
use impact_conversions::json_api::{self, Call};
use impact_conversions::ClientConfig;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use std::sync::Arc;

/// `onEvent(eventJson)`, callable from any thread, not holding the event loop open.
type EventCallback = ThreadsafeFunction<String, (), String, Status, false, true>;

#[napi]
pub struct Client {
    inner: impact_conversions::Client,
}

fn build(
    config: napi::Result<ClientConfig>,
    on_event: Option<EventCallback>,
) -> napi::Result<Client> {
    let mut config = config?;
    config.binding = "node".into();
    let inner = match on_event {
        None => impact_conversions::Client::new(config),
        Some(callback) => {
            let handler: EventHandler = Arc::new(move |event: &Event| {
                if let Ok(text) = serde_json::to_string(event) {
                    callback.call(text, ThreadsafeFunctionCallMode::NonBlocking);
                }
            });
            impact_conversions::Client::with_events(config, handler)
        }
    };
    inner
        .map(|inner| Client { inner })
        .map_err(|e| js_error(&e))
}

fn config_value(json: &str) -> napi::Result<serde_json::Value> {
    json_api::parse(json, "client options").map_err(|e| js_error(&e))
}

impl Client {
    /// Parses (off the JS thread: this runs on the runtime) and runs one core operation.
    async fn run(&self, operation: &str, args_json: String) -> napi::Result<String> {
        let call = Call::parse(operation, &args_json).map_err(|e| js_error(&e))?;
        call.run(self.inner.clone()).await.map_err(|e| js_error(&e))
    }
}

#[napi]
impl Client {
    /// A client for one impact.com account. Throws `ConfigError` naming the option to fix.
    #[napi(constructor, ts_args_type = "options: ClientOptions")]
    pub fn new(config_json: String, on_event: Option<EventCallback>) -> napi::Result<Self> {
        let value = config_value(&config_json)?;
        build(
            ClientConfig::from_json(&value).map_err(|e| js_error(&e)),
            on_event,
        )
    }

    /// A client from `IMPACT_ACCOUNT_SID`, `IMPACT_AUTH_TOKEN` and `IMPACT_BASE_URL`; `options`
    /// adds retry/timeout settings and `onEvent` (and may override the environment).
    #[napi(factory, ts_args_type = "options?: ClientEnvOptions")]
    pub fn from_env(config_json: String, on_event: Option<EventCallback>) -> napi::Result<Self> {
        let value = config_value(&config_json)?;
        build(
            ClientConfig::from_json_with_env(&value).map_err(|e| js_error(&e)),
            on_event,
        )
    }

    /// Validates, then sends one conversion with retries; resolves with impact.com's receipt.
    /// Rejects with `ValidationError` (nothing sent), `RateLimitedError`, `AuthError`, ...
    #[napi(
        ts_args_type = "conversion: ConversionInput",
        ts_return_type = "Promise<Receipt>"
    )]
    pub async fn submit(&self, conversion_json: String) -> napi::Result<String> {
        self.run("submit", conversion_json).await
    }

    /// Sends many conversions, at most `concurrency` (default 8) at a time. Never rejects for
    /// one bad conversion: one `PromiseSettledResult` per input, in input order.
    #[napi(
        ts_args_type = "conversions: ConversionInput[], options?: { concurrency?: number }",
        ts_return_type = "Promise<PromiseSettledResult<Receipt>[]>"
    )]
    pub async fn submit_many(&self, args_json: String) -> napi::Result<String> {
        self.run("submit_many", args_json).await
    }

    /// The processing status of a submission, by the receipt's `submissionId` or `queuedUri`.
    #[napi(
        ts_args_type = "id: string",
        ts_return_type = "Promise<SubmissionStatus>"
    )]
    pub async fn submission_status(&self, args_json: String) -> napi::Result<String> {
        self.run("submission_status", args_json).await
    }

    /// Polls the submission until impact.com has processed it, or rejects with
    /// `TimeoutError` after `timeout` ms (default 60 000).
    #[napi(
        ts_args_type = "id: string, options?: { timeout?: number }",
        ts_return_type = "Promise<SubmissionStatus>"
    )]
    pub async fn wait_for_submission(&self, args_json: String) -> napi::Result<String> {
        self.run("wait_for_submission", args_json).await
    }

    /// Changes an existing action (amount, an item's quantity...): impact.com's `PUT /Actions`.
    #[napi(
        ts_args_type = "modification: ActionModification",
        ts_return_type = "Promise<Receipt>"
    )]
    pub async fn modify_action(&self, modification_json: String) -> napi::Result<String> {
        self.run("modify_action", modification_json).await
    }

    /// Reverses an action, whole or part: impact.com's `DELETE /Actions`.
    #[napi(
        ts_args_type = "reversal: ActionReversal",
        ts_return_type = "Promise<Receipt>"
    )]
    pub async fn reverse_action(&self, reversal_json: String) -> napi::Result<String> {
        self.run("reverse_action", reversal_json).await
    }

    /// What is safe to show: the account and the base URL, never the AuthToken.
    #[napi(js_name = "toJSON", ts_return_type = "ClientDescription")]
    pub fn to_json(&self) -> napi::Result<String> {
        to_text(&self.inner.config().public_json())
    }
}
