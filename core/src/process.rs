//! For bindings that run the client inside a foreign process (Python, PHP, Go, Ruby): one
//! tokio runtime per process, and a client per process, both created on first use and
//! again in a forked child. The core itself never starts a runtime; a binding asks for one.
//!
//! A child after `fork` has the parent's memory but none of its threads: the inherited
//! runtime and the client's pooled connections are kept aside there, never used or dropped
//! (dropping would wait for worker threads that do not exist).

use crate::client::Client;
use crate::config::ClientConfig;
use crate::error::{Error, ErrorCode, Result};
use crate::events::EventHandler;
use std::sync::{Arc, Mutex};
use tokio::runtime::Runtime;

/// A value tied to the process that created it. Values inherited through `fork` are moved
/// to `inherited` and never dropped (kept reachable, so leak checkers do not flag them).
struct PerProcess<T> {
    current: Mutex<Option<(u32, T)>>,
    inherited: Mutex<Vec<T>>,
}

impl<T: Clone> PerProcess<T> {
    const fn new() -> Self {
        PerProcess {
            current: Mutex::new(None),
            inherited: Mutex::new(Vec::new()),
        }
    }

    fn retire(&self, value: T) {
        match self.inherited.lock() {
            Ok(mut kept) => kept.push(value),
            Err(_) => std::mem::forget(value),
        }
    }

    fn get_or_create(&self, create: impl FnOnce() -> Result<T>) -> Result<T> {
        let pid = std::process::id();
        let mut slot = self
            .current
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "per-process state lock poisoned"))?;
        if let Some((owner, value)) = slot.as_ref() {
            if *owner == pid {
                return Ok(value.clone());
            }
        }
        if let Some((_, inherited)) = slot.take() {
            self.retire(inherited);
        }
        let value = create()?;
        *slot = Some((pid, value.clone()));
        Ok(value)
    }

    fn forget(&self) {
        let taken = self.current.lock().ok().and_then(|mut slot| slot.take());
        if let Some((_, inherited)) = taken {
            self.retire(inherited);
        }
    }
}

static RUNTIME: PerProcess<Arc<Runtime>> = PerProcess::new();

/// This process's runtime (multi-threaded, all drivers on).
pub fn runtime() -> Result<Arc<Runtime>> {
    RUNTIME.get_or_create(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("impact-conversions")
            .build()
            .map(Arc::new)
            .map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("cannot start the async runtime: {e}"),
                )
            })
    })
}

/// Stops this process's runtime and its threads (waiting up to one second for running
/// work). For hosts that unload the library, and for leak checkers; the next call starts a
/// new runtime.
pub fn shutdown_runtime() {
    let taken = RUNTIME.current.lock().ok().and_then(|mut slot| slot.take());
    if let Some((pid, rt)) = taken {
        if pid != std::process::id() {
            RUNTIME.retire(rt);
        } else if let Ok(rt) = Arc::try_unwrap(rt) {
            rt.shutdown_timeout(std::time::Duration::from_secs(1));
        }
    }
}

/// Drops this process's claim on the runtime; for `atfork` child handlers (the pid check
/// in [`runtime`] already covers a fork without one).
pub fn forget_runtime_after_fork() {
    RUNTIME.forget();
}

/// A client that is rebuilt, with the same configuration, in a forked child.
pub struct ProcessClient {
    config: ClientConfig,
    events: Option<EventHandler>,
    current: PerProcess<Client>,
}

impl ProcessClient {
    /// Validates the configuration and builds the first client now, so a bad configuration
    /// fails at construction.
    pub fn new(config: ClientConfig, events: Option<EventHandler>) -> Result<ProcessClient> {
        let this = ProcessClient {
            config,
            events,
            current: PerProcess::new(),
        };
        this.client()?;
        Ok(this)
    }

    pub fn client(&self) -> Result<Client> {
        self.current.get_or_create(|| match &self.events {
            Some(handler) => Client::with_events(self.config.clone(), handler.clone()),
            None => Client::new(self.config.clone()),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }
}
