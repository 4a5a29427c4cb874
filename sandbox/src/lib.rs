//! A local emulator of impact.com's conversion API (impact.com has no sandbox).
//!
//! It speaks the documented API on loopback: HTTP Basic auth, `POST Conversions` validated
//! by its own reading of the rules ([`rules`]), `GET APISubmissions/{id}` moving
//! Queued -> In Progress -> Complete, `PUT`/`DELETE Actions`, and `X-RateLimit-*` headers
//! with an hourly budget. A control API under `/_sandbox/` scripts faults and shows what was
//! received. See `sandbox/README.md`.

pub mod rules;
mod server;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use server::{run_cli, serve_forever, Args};

/// How the emulator behaves. `Default` is what tests and the CLI use.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub account_sid: String,
    pub auth_token: String,
    /// Requests per hour per account (impact's published default is 1,000).
    pub hourly_budget: u32,
    /// Time a submission takes to go Queued -> In Progress -> Complete.
    pub processing_delay: Duration,
    /// 0: any free port.
    pub port: u16,
    /// Parameter names accepted unchecked (for APIs newer than the emulator).
    pub extra_params: Vec<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            account_sid: "IRSANDBOX00000000000000000000001".into(),
            auth_token: "sandbox-auth-token".into(),
            hourly_budget: 1000,
            processing_delay: Duration::from_millis(200),
            port: 0,
            extra_params: Vec::new(),
        }
    }
}

/// A fault instead of a normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Read the request, then close the connection without answering.
    Drop,
    /// Send the status line, headers and part of the body, then close (a truncated answer).
    ResetMidBody,
    /// 200 with an HTML body instead of impact's JSON (recorded, not accepted).
    #[serde(rename = "garbage_2xx")]
    Garbage2xx,
}

/// `X-RateLimit-Reset` of a scripted 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetSpec {
    /// Absolute Unix seconds.
    Epoch(i64),
    /// Seconds from now.
    Delta(i64),
    /// No header at all.
    Missing,
}

/// One scripted answer, used for the next API request (FIFO). JSON: the same field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scripted {
    pub status: Option<u16>,
    pub delay_ms: Option<u64>,
    pub body: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
    pub fault: Option<Fault>,
    pub rate_limit_reset: Option<ResetSpec>,
    /// Only requests whose path contains this use the entry; others pass it by.
    pub path_contains: Option<String>,
}

/// One API request as received (the Authorization value is masked).
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The status answered; 0 while pending, or when the connection was dropped unanswered.
    pub status: u16,
}

/// One queued API submission (a conversion, a modification or a reversal).
#[derive(Debug, Clone)]
pub(crate) struct Submission {
    /// `Conversion`, `Modification` or `Reversal` (the YAML's `Type`).
    pub kind: &'static str,
    pub created: Instant,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    pub campaign_id: Option<u64>,
    pub action_tracker_id: Option<u64>,
    pub event_code: Option<String>,
    pub media_partner_id: Option<u64>,
    pub order_id: Option<String>,
    pub payload: String,
    /// Set at acceptance when an earlier submission had the same (event type, OrderId).
    pub duplicate_of: Option<String>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub config: SandboxConfig,
    pub received: Vec<Received>,
    pub script: VecDeque<Scripted>,
    pub submissions: HashMap<String, Submission>,
    pub accepted: HashMap<String, usize>,
    /// (event type key, OrderId) -> the first submission that carried it.
    pub first_by_key: HashMap<(String, String), String>,
    pub window_start: Instant,
    pub used: u32,
    pub next_id: u64,
}

impl State {
    fn clear(&mut self) {
        self.received.clear();
        self.script.clear();
        self.submissions.clear();
        self.accepted.clear();
        self.first_by_key.clear();
        self.window_start = Instant::now();
        self.used = 0;
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(state: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock cannot leave the data half-written in a way that
    // matters for an emulator: keep serving.
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running emulator (a cheap, clonable handle). Dropping the handles does not stop the
/// server; call [`Sandbox::shutdown`].
#[derive(Clone)]
pub struct Sandbox {
    state: Shared,
    addr: SocketAddr,
    config: SandboxConfig,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl Sandbox {
    /// Binds 127.0.0.1 and serves on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            config: config.clone(),
            received: Vec::new(),
            script: VecDeque::new(),
            submissions: HashMap::new(),
            accepted: HashMap::new(),
            first_by_key: HashMap::new(),
            window_start: Instant::now(),
            used: 0,
            next_id: 1,
        }));
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(server::accept_loop(listener, state.clone(), stop_rx));
        Ok(Sandbox {
            state,
            addr,
            config,
            stop: Arc::new(stop),
            task: Arc::new(Mutex::new(Some(task))),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Queues scripted answers for the next API requests.
    pub fn script(&self, responses: Vec<Scripted>) {
        lock(&self.state).script.extend(responses);
    }

    /// Every API request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.state).received.clone()
    }

    /// How many conversions with this OrderId were answered 200 QUEUED.
    pub fn accepted_count(&self, order_id: &str) -> usize {
        lock(&self.state)
            .accepted
            .get(order_id)
            .copied()
            .unwrap_or(0)
    }

    /// Forgets requests, submissions, the script and the rate-limit usage.
    pub fn clear(&self) {
        lock(&self.state).clear();
    }

    pub fn set_hourly_budget(&self, budget: u32) {
        lock(&self.state).config.hourly_budget = budget;
    }

    /// Stops the server: no new connections, open ones closed once their request in flight
    /// (if any) is answered (at most ~2 s), the port released. Stops every clone of the handle.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
