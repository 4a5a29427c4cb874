//! The one error type every binding translates. Codes are stable strings shared by all
//! languages: add new ones, never rename.

use crate::validate::Issue;
use serde::Serialize;
use std::fmt;

/// Stable error codes. `as_str()` is what crosses language boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input failed validation; nothing was sent. See `Error::issues`.
    Validation,
    /// The client configuration is unusable (missing credentials, bad base URL, plain HTTP).
    Config,
    /// impact.com refused the credentials (401) or their scope (403).
    Auth,
    /// impact.com rejected the request (other non-retryable 4xx); see `Error::api_errors`.
    Api,
    /// The account's hourly budget is spent and the reset does not fit in the deadline.
    RateLimited,
    /// Retries exhausted on network faults or 5xx; see `attempts` and the message.
    Transport,
    /// The total deadline passed before a definitive answer.
    Timeout,
    /// A 2xx arrived whose body is not the documented JSON: the conversion may or may not be queued.
    Unconfirmed,
    /// A bug or an impossible state inside the library (a caught panic, a poisoned lock).
    Internal,
}

impl ErrorCode {
    /// Every code, in table order (bindings generate their exception classes from this).
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::Validation,
        ErrorCode::Config,
        ErrorCode::Auth,
        ErrorCode::Api,
        ErrorCode::RateLimited,
        ErrorCode::Transport,
        ErrorCode::Timeout,
        ErrorCode::Unconfirmed,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::Config => "config",
            ErrorCode::Auth => "auth",
            ErrorCode::Api => "api",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Transport => "transport",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Unconfirmed => "unconfirmed",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field error as impact.com reports it in a 400 body (`Errors`/`errors`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiFieldError {
    pub field: Option<String>,
    pub message: String,
}

/// The error of every fallible public operation. Serializes to the JSON that the C ABI and
/// every binding expose: `{code, message, issues, status, attempts, reset_at, api_errors}`.
#[derive(Debug, Clone, Serialize)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// Validation problems (code `validation`), every one of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
    /// HTTP status of the last response, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Requests sent before giving up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// Unix seconds when the rate-limit budget resets (code `rate_limited`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_at: Option<i64>,
    /// Field errors parsed from impact.com's 400 body.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_errors: Vec<ApiFieldError>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            issues: Vec::new(),
            status: None,
            attempts: None,
            reset_at: None,
            api_errors: Vec::new(),
        }
    }

    /// A validation error carrying every issue found.
    pub fn validation(issues: Vec<Issue>) -> Self {
        let message = match issues.as_slice() {
            [one] => format!("invalid conversion: {}", one.message),
            many => format!(
                "invalid conversion: {} problems, first: {}",
                many.len(),
                many.first().map(|i| i.message.as_str()).unwrap_or("")
            ),
        };
        Error {
            issues,
            ..Error::new(ErrorCode::Validation, message)
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Config, message)
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = Some(attempts);
        self
    }

    /// Whether sending the same request again later could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::RateLimited | ErrorCode::Transport | ErrorCode::Timeout
        )
    }

    /// The JSON form bindings hand to their callers.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(
            |_| serde_json::json!({"code": self.code.as_str(), "message": self.message}),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
