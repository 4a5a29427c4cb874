//! What the client does, as events: emitted through `tracing` (target `impact_conversions`)
//! and to an optional callback, so each binding can route them to its own logging.
//! Events never carry the AuthToken or the request body.

use serde::Serialize;
use std::sync::Arc;

/// One thing that happened during a call. JSON: `{"kind": "retry", "operation": "submit", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A request is about to be sent.
    Attempt {
        operation: &'static str,
        order_id: Option<String>,
        attempt: u32,
    },
    /// The last attempt failed and the client will try again after `delay_ms`.
    Retry {
        operation: &'static str,
        order_id: Option<String>,
        attempt: u32,
        reason: String,
        status: Option<u16>,
        delay_ms: u64,
    },
    /// A definitive success.
    Success {
        operation: &'static str,
        order_id: Option<String>,
        attempts: u32,
        status: u16,
        elapsed_ms: u64,
    },
    /// The call ended in an error.
    GiveUp {
        operation: &'static str,
        order_id: Option<String>,
        attempts: u32,
        code: &'static str,
        reason: String,
    },
}

/// A binding's event sink. Called on the runtime's threads: keep it short and non-blocking.
pub type EventHandler = Arc<dyn Fn(&Event) + Send + Sync>;

pub(crate) fn emit(handler: Option<&EventHandler>, event: Event) {
    match &event {
        Event::Attempt {
            operation,
            order_id,
            attempt,
        } => {
            tracing::debug!(target: "impact_conversions", operation, order_id, attempt, "attempt")
        }
        Event::Retry {
            operation,
            order_id,
            attempt,
            reason,
            status,
            delay_ms,
        } => {
            tracing::info!(target: "impact_conversions", operation, order_id, attempt, reason, status, delay_ms, "retry")
        }
        Event::Success {
            operation,
            order_id,
            attempts,
            status,
            elapsed_ms,
        } => {
            tracing::info!(target: "impact_conversions", operation, order_id, attempts, status, elapsed_ms, "success")
        }
        Event::GiveUp {
            operation,
            order_id,
            attempts,
            code,
            reason,
        } => {
            tracing::warn!(target: "impact_conversions", operation, order_id, attempts, code, reason, "give up")
        }
    }
    if let Some(handler) = handler {
        // A panicking handler must not take the call down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&event)));
    }
}
