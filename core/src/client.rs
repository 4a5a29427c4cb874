//! The retrying client. Async on tokio and reqwest (rustls); it never creates a runtime:
//! the caller (or binding) owns one. One `Client` holds one connection pool; clone it
//! freely (it is an `Arc`) and share it across threads and tasks.
//!
//! Guarantees:
//! - a conversion is validated before anything is sent; an invalid one sends nothing;
//! - it is encoded once, so every retry sends byte-identical bodies (same OrderId, EventDate);
//! - concurrent submits of the same (event type, OrderId) on one client share one request;
//! - retries follow [`crate::retry`]; every attempt, retry, success and give-up is an
//!   [`Event`]; the AuthToken appears in no event, log, error or `Debug` output.

use crate::actions::{ActionModification, ActionReversal};
use crate::config::ClientConfig;
use crate::error::{ApiFieldError, Error, ErrorCode, Result};
use crate::events::{emit, Event, EventHandler};
use crate::mapping::prepare;
use crate::model::Conversion;
use crate::retry::{backoff, classify, reset_at, reset_jitter, Class};
use crate::validate::Issue;
use futures::future::{BoxFuture, FutureExt, WeakShared};
use futures::StreamExt;
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// impact.com's answer to an accepted submission: queued, not yet processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// `QUEUED`.
    pub status: String,
    /// `/Advertisers/<sid>/APISubmissions/<id>`.
    pub queued_uri: String,
    /// The last segment of `queued_uri`, for [`Client::submission_status`].
    pub submission_id: String,
    /// Requests sent, the successful one included.
    pub attempts: u32,
    pub elapsed_ms: u64,
    /// Validation warnings of the conversion (sent anyway).
    pub warnings: Vec<Issue>,
}

/// What impact.com says about a queued submission (`GET APISubmissions/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionStatus {
    pub submission_id: String,
    /// `Queued`, `In Progress` or `Complete`.
    pub status: String,
    /// Processing finished (successfully or not).
    pub complete: bool,
    /// Set when a queued conversion failed later (e.g. `Contract Error`).
    pub error_type: Option<String>,
    pub error_reason: Option<String>,
    /// The whole answer, for fields this library does not model.
    pub raw: Value,
}

impl SubmissionStatus {
    /// Finished, but impact.com did not record the conversion.
    pub fn failed(&self) -> bool {
        self.error_type.is_some() || self.error_reason.is_some()
    }
}

/// One HTTP operation, retried as a unit.
struct Operation {
    name: &'static str,
    method: Method,
    path: String,
    body: Option<String>,
    order_id: Option<String>,
}

/// The status, headers and body of a final answer, plus what it took to get it.
struct Answer {
    status: u16,
    body: Vec<u8>,
    attempts: u32,
    started: Instant,
}

/// Weak, so that a submit whose callers all went away (cancelled) is dropped rather than
/// kept alive by the map (which would also keep the client alive through it).
type WeakSubmit = WeakShared<BoxFuture<'static, Result<Receipt>>>;

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    base: String,
    user_agent: String,
    /// Unix second until which the hourly budget is known to be spent.
    budget_reset: Mutex<Option<i64>>,
    inflight: Mutex<HashMap<String, WeakSubmit>>,
    events: Option<EventHandler>,
}

/// The impact.com conversions client. See the module docs.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("account_sid", &self.inner.config.account_sid)
            .field("base_url", &self.inner.base)
            .finish_non_exhaustive()
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client> {
        Client::build(config, None)
    }

    /// A client whose events also go to `handler` (they always go to `tracing`).
    pub fn with_events(config: ClientConfig, handler: EventHandler) -> Result<Client> {
        Client::build(config, Some(handler))
    }

    /// From `IMPACT_ACCOUNT_SID`, `IMPACT_AUTH_TOKEN`, `IMPACT_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        Client::new(ClientConfig::from_env()?)
    }

    fn build(config: ClientConfig, events: Option<EventHandler>) -> Result<Client> {
        config.validate()?;
        let user_agent = format!(
            "impact-conversions/{} ({}; rust)",
            crate::VERSION,
            config.binding
        );
        let http = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                base: config.base_url.trim_end_matches('/').to_owned(),
                config,
                http,
                user_agent,
                budget_reset: Mutex::new(None),
                inflight: Mutex::new(HashMap::new()),
                events,
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Validates and submits one conversion, retrying as [`crate::retry`] describes.
    pub async fn submit(&self, conversion: &Conversion) -> Result<Receipt> {
        let prepared = prepare(conversion)?;
        let key = format!("{}\n{}", prepared.event_key, prepared.order_id);
        let shared = {
            let mut inflight = self
                .inner
                .inflight
                .lock()
                .map_err(|_| Error::new(ErrorCode::Internal, "client state lock poisoned"))?;
            match inflight.get(&key).and_then(WeakShared::upgrade) {
                Some(running) => running,
                None => {
                    let this = self.clone();
                    let own_key = key.clone();
                    let op = Operation {
                        name: "submit",
                        method: Method::POST,
                        path: format!("/Advertisers/{}/Conversions", self.inner.config.account_sid),
                        body: Some(prepared.body),
                        order_id: Some(prepared.order_id),
                    };
                    let warnings = prepared.warnings;
                    let fut = async move {
                        let result = this
                            .execute(&op)
                            .await
                            .and_then(|a| this.queued(&op, a, warnings));
                        if let Ok(mut inflight) = this.inner.inflight.lock() {
                            inflight.remove(&own_key);
                        }
                        result
                    }
                    .boxed()
                    .shared();
                    if let Some(weak) = fut.downgrade() {
                        inflight.insert(key, weak);
                    }
                    fut
                }
            }
        };
        shared.await
    }

    /// Submits many, at most `concurrency` at a time; one result per input, in input order.
    pub async fn submit_many(
        &self,
        conversions: &[Conversion],
        concurrency: usize,
    ) -> Vec<Result<Receipt>> {
        // Owned futures: a stream of futures borrowing `conversions` would not be `Send` for
        // every lifetime, and bindings spawn this on their runtime.
        let calls: Vec<_> = conversions
            .iter()
            .map(|c| {
                let (client, conversion) = (self.clone(), c.clone());
                async move { client.submit(&conversion).await }
            })
            .collect();
        futures::stream::iter(calls)
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// `PUT /Actions`: change an action after the fact (returns, partial refunds).
    pub async fn modify_action(&self, change: &ActionModification) -> Result<Receipt> {
        let body = change.encode()?;
        self.action("modify_action", Method::PUT, body, &change.action.order_id)
            .await
    }

    /// `DELETE /Actions`: reverse an action.
    pub async fn reverse_action(&self, reversal: &ActionReversal) -> Result<Receipt> {
        let body = reversal.encode()?;
        self.action(
            "reverse_action",
            Method::DELETE,
            body,
            &reversal.action.order_id,
        )
        .await
    }

    async fn action(
        &self,
        name: &'static str,
        method: Method,
        body: String,
        order_id: &Option<String>,
    ) -> Result<Receipt> {
        let op = Operation {
            name,
            method,
            path: format!("/Advertisers/{}/Actions", self.inner.config.account_sid),
            body: Some(body),
            order_id: order_id.clone(),
        };
        let answer = self.execute(&op).await?;
        self.queued(&op, answer, Vec::new())
    }

    /// `GET APISubmissions/{id}`, from a submission id or a whole `QueuedUri`.
    pub async fn submission_status(&self, id_or_uri: &str) -> Result<SubmissionStatus> {
        let id = id_or_uri
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(Error::new(
                ErrorCode::Validation,
                format!("{id_or_uri:?} is not a submission id or QueuedUri (e.g. /Advertisers/IR.../APISubmissions/A-1234)"),
            ));
        }
        let op = Operation {
            name: "submission_status",
            method: Method::GET,
            path: format!(
                "/Advertisers/{}/APISubmissions/{id}",
                self.inner.config.account_sid
            ),
            body: None,
            order_id: None,
        };
        let answer = self.execute(&op).await?;
        let raw: Value = serde_json::from_slice(&answer.body).map_err(|_| {
            self.give_up(
                &op,
                answer.attempts,
                Error::new(
                    ErrorCode::Api,
                    "impact.com answered the status request with something that is not JSON",
                )
                .with_status(answer.status),
            )
        })?;
        let text = |k: &str| {
            raw.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let status = text("Status").unwrap_or_default();
        self.event(Event::Success {
            operation: op.name,
            order_id: None,
            attempts: answer.attempts,
            status: answer.status,
            elapsed_ms: millis(answer.started.elapsed()),
        });
        Ok(SubmissionStatus {
            submission_id: text("BatchId").unwrap_or_else(|| id.to_owned()),
            complete: status.eq_ignore_ascii_case("complete"),
            status,
            error_type: text("ErrorType"),
            error_reason: text("ErrorReason"),
            raw,
        })
    }

    /// Polls until the submission is complete (or `timeout` passes: `timeout` error).
    pub async fn wait_for_submission(
        &self,
        id_or_uri: &str,
        timeout: Duration,
    ) -> Result<SubmissionStatus> {
        let until = Instant::now() + timeout;
        let mut pause = Duration::from_millis(100);
        loop {
            let status = self.submission_status(id_or_uri).await?;
            if status.complete {
                return Ok(status);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::new(
                    ErrorCode::Timeout,
                    format!(
                        "submission {id_or_uri} is still {:?} after {} ms: impact.com can take up to 30 minutes; poll again later",
                        status.status,
                        millis(timeout)
                    ),
                ));
            }
            tokio::time::sleep(pause.min(left)).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    fn event(&self, event: Event) {
        emit(self.inner.events.as_ref(), event);
    }

    fn give_up(&self, op: &Operation, attempts: u32, error: Error) -> Error {
        let error = if error.attempts.is_none() && attempts > 0 {
            error.with_attempts(attempts)
        } else {
            error
        };
        self.event(Event::GiveUp {
            operation: op.name,
            order_id: op.order_id.clone(),
            attempts,
            code: error.code.as_str(),
            reason: error.message.clone(),
        });
        error
    }

    /// Reads impact's `{"Status":"QUEUED","QueuedUri":...}`; anything else is `unconfirmed`.
    fn queued(&self, op: &Operation, answer: Answer, warnings: Vec<Issue>) -> Result<Receipt> {
        let parsed: Option<(String, String)> = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| {
                let status = v.get("Status")?.as_str()?.to_owned();
                let uri = v.get("QueuedUri")?.as_str()?.to_owned();
                status
                    .eq_ignore_ascii_case("queued")
                    .then_some((status, uri))
            });
        let Some((status, queued_uri)) = parsed else {
            let snippet: String = String::from_utf8_lossy(&answer.body)
                .chars()
                .take(120)
                .collect();
            return Err(self.give_up(op, answer.attempts, Error::new(
                ErrorCode::Unconfirmed,
                format!(
                    "impact.com answered HTTP {} without the documented {{\"Status\":\"QUEUED\",\"QueuedUri\":...}} (got {snippet:?}): the conversion may or may not be queued; resubmit the same OrderId later or check the account",
                    answer.status
                ),
            ).with_status(answer.status)));
        };
        let elapsed_ms = millis(answer.started.elapsed());
        self.event(Event::Success {
            operation: op.name,
            order_id: op.order_id.clone(),
            attempts: answer.attempts,
            status: answer.status,
            elapsed_ms,
        });
        Ok(Receipt {
            status,
            submission_id: queued_uri.rsplit('/').next().unwrap_or("").to_owned(),
            queued_uri,
            attempts: answer.attempts,
            elapsed_ms,
            warnings,
        })
    }

    /// Remembers a spent budget so later calls wait instead of collecting a 429.
    fn note_budget(&self, headers: &HeaderMap) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let Some(remaining) =
            header("x-ratelimit-remaining").and_then(|v| v.trim().parse::<i64>().ok())
        else {
            return;
        };
        let reset = (remaining <= 0).then(|| {
            reset_at(header("x-ratelimit-reset"), now_unix()).unwrap_or_else(|| {
                now_unix() + (self.inner.config.rate_limit_fallback_ms / 1000) as i64
            })
        });
        if let Ok(mut slot) = self.inner.budget_reset.lock() {
            *slot = reset;
        }
    }

    /// How long to hold a request because the budget is spent, if it is.
    fn budget_wait(&self) -> Option<(i64, Duration)> {
        let mut slot = self.inner.budget_reset.lock().ok()?;
        let reset = (*slot)?;
        let now = now_unix();
        if reset <= now {
            *slot = None;
            return None;
        }
        let secs = u64::try_from(reset - now).unwrap_or(0);
        Some((
            reset,
            Duration::from_secs(secs) + reset_jitter(&mut rand::rng()),
        ))
    }

    async fn once(
        &self,
        op: &Operation,
    ) -> std::result::Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
        let cfg = &self.inner.config;
        let mut request = self
            .inner
            .http
            .request(op.method.clone(), format!("{}{}", self.inner.base, op.path))
            .basic_auth(&cfg.account_sid, Some(cfg.auth_token.expose()))
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, &self.inner.user_agent);
        if let Some(body) = &op.body {
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok((status, headers, body.to_vec()))
    }

    /// Sends `op` until a definitive answer, within the deadline.
    async fn execute(&self, op: &Operation) -> Result<Answer> {
        let cfg = &self.inner.config;
        let started = Instant::now();
        let deadline = started + cfg.deadline();
        let (base, cap) = (
            Duration::from_millis(cfg.base_delay_ms),
            Duration::from_millis(cfg.max_delay_ms),
        );
        let (mut sent, mut counted) = (0u32, 0u32);
        loop {
            if let Some((reset, wait)) = self.budget_wait() {
                if Instant::now() + wait > deadline {
                    return Err(self.give_up(op, sent, rate_limited(reset)));
                }
                self.retry_event(
                    op,
                    sent,
                    "hourly rate-limit budget spent: waiting for its reset".into(),
                    None,
                    wait,
                );
                tokio::time::sleep(wait).await;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.give_up(
                    op,
                    sent,
                    deadline_passed(cfg, sent, "no time left for another attempt"),
                ));
            }
            sent += 1;
            counted += 1;
            self.event(Event::Attempt {
                operation: op.name,
                order_id: op.order_id.clone(),
                attempt: sent,
            });
            let (reason, status) =
                match tokio::time::timeout(cfg.attempt_timeout().min(left), self.once(op)).await {
                    Err(_) => ("the attempt timed out".to_owned(), None),
                    Ok(Err(e)) => (transport_reason(e), None),
                    Ok(Ok((status, headers, body))) => {
                        self.note_budget(&headers);
                        match classify(status) {
                            Class::Success => {
                                return Ok(Answer {
                                    status,
                                    body,
                                    attempts: sent,
                                    started,
                                })
                            }
                            Class::Auth => return Err(self.give_up(op, sent, auth_error(status))),
                            Class::Rejected => {
                                return Err(self.give_up(op, sent, api_error(status, &body)))
                            }
                            Class::RateLimited => {
                                let header = headers
                                    .get("x-ratelimit-reset")
                                    .and_then(|v| v.to_str().ok());
                                let now = now_unix();
                                let reset = reset_at(header, now)
                                    .unwrap_or(now + (cfg.rate_limit_fallback_ms / 1000) as i64);
                                let wait =
                                    Duration::from_secs(u64::try_from(reset - now).unwrap_or(0))
                                        + reset_jitter(&mut rand::rng());
                                if Instant::now() + wait > deadline {
                                    return Err(self.give_up(
                                        op,
                                        sent,
                                        rate_limited(reset).with_status(429),
                                    ));
                                }
                                counted -= 1; // a 429 wait does not use up an attempt
                                self.retry_event(
                                    op,
                                    sent,
                                    "HTTP 429: rate limited until the budget resets".into(),
                                    Some(429),
                                    wait,
                                );
                                tokio::time::sleep(wait).await;
                                continue;
                            }
                            Class::Retryable => (format!("HTTP {status}"), Some(status)),
                        }
                    }
                };
            if counted >= cfg.max_attempts {
                let mut error = Error::new(
                    ErrorCode::Transport,
                    format!("gave up after {sent} attempts; the last one failed with: {reason}. The conversion was not accepted: submit it again later with the same OrderId"),
                );
                error.status = status;
                return Err(self.give_up(op, sent, error));
            }
            let delay = backoff(counted, base, cap, &mut rand::rng());
            if Instant::now() + delay >= deadline {
                let mut error = deadline_passed(cfg, sent, &reason);
                error.status = status;
                return Err(self.give_up(op, sent, error));
            }
            self.retry_event(op, sent, reason, status, delay);
            tokio::time::sleep(delay).await;
        }
    }

    fn retry_event(
        &self,
        op: &Operation,
        attempt: u32,
        reason: String,
        status: Option<u16>,
        delay: Duration,
    ) {
        self.event(Event::Retry {
            operation: op.name,
            order_id: op.order_id.clone(),
            attempt,
            reason,
            status,
            delay_ms: millis(delay),
        });
    }
}

fn transport_reason(e: reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "the response was cut off"
    } else {
        "network error"
    };
    // `without_url`: the message names what failed, not where (no account path in logs).
    let detail = e.without_url().to_string();
    format!("{kind} ({detail})")
}

fn rate_limited(reset: i64) -> Error {
    let mut error = Error::new(
        ErrorCode::RateLimited,
        format!("the account's hourly request budget is spent until {reset} (unix seconds) and the wait does not fit in the deadline: retry after the reset"),
    );
    error.reset_at = Some(reset);
    error
}

fn deadline_passed(cfg: &ClientConfig, attempts: u32, reason: &str) -> Error {
    Error::new(
        ErrorCode::Timeout,
        format!("no definitive answer within the {} ms deadline after {attempts} attempts (last: {reason}); submit again later with the same OrderId, or raise deadline_ms", cfg.deadline_ms),
    )
}

fn auth_error(status: u16) -> Error {
    let message = if status == 401 {
        "impact.com refused the credentials (HTTP 401): check account_sid and auth_token (Settings > API), and that the base URL is https"
    } else {
        "impact.com refused the request for this token (HTTP 403): give the API token the scope for conversions and actions"
    };
    Error::new(ErrorCode::Auth, message).with_status(status)
}

/// impact's 400 body, in either documented spelling (`Errors`/`Field`/`Message` or lower case).
fn api_error(status: u16, body: &[u8]) -> Error {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let get = |v: &Value, k: &str| {
        v.get(k)
            .or_else(|| v.get(k.to_ascii_lowercase()))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let api_errors: Vec<ApiFieldError> = json
        .get("Errors")
        .or_else(|| json.get("errors"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| ApiFieldError {
                    field: get(e, "Field"),
                    message: get(e, "Message").unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let summary = get(&json, "Message").unwrap_or_else(|| "no message".into());
    let details: Vec<String> = api_errors
        .iter()
        .map(|e| format!("{}: {}", e.field.as_deref().unwrap_or("-"), e.message))
        .collect();
    let mut error = Error::new(
        ErrorCode::Api,
        format!(
            "impact.com refused the request (HTTP {status}): {summary}{}{}; fix the request, retrying it unchanged cannot succeed",
            if details.is_empty() { "" } else { " — " },
            details.join("; ")
        ),
    )
    .with_status(status);
    error.api_errors = api_errors;
    error
}
