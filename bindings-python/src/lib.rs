//! The native half of the `impact_conversions` Python package. It only translates: it hands
//! JSON text to the core's [`json_api`], releases the GIL around every wait, and raises
//! `NativeError(<error JSON>)`, which the Python half turns into one exception class per
//! stable code. Runtime and client are per process ([`process`]), so a fork is safe.

use impact_conversions::events::{Event, EventHandler};
use impact_conversions::json_api::{self, Call};
use impact_conversions::process::{self, ProcessClient};
use impact_conversions::{ClientConfig, Error, ErrorCode};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

create_exception!(
    _native,
    NativeError,
    PyException,
    "An error of the core, as JSON text in args[0]."
);

fn py_result(result: Result<String, Error>) -> PyResult<String> {
    result.map_err(|e| NativeError::new_err(e.to_json().to_string()))
}

#[pyfunction]
fn _after_fork_in_child() {
    process::forget_runtime_after_fork();
}

#[pyfunction]
fn version() -> &'static str {
    impact_conversions::VERSION
}

/// The stable error codes, in table order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

#[pyfunction]
fn validate_json(conversion: &str) -> PyResult<String> {
    py_result(json_api::validate(conversion))
}

#[pyfunction]
fn encode(conversion: &str) -> PyResult<String> {
    py_result(json_api::encode(conversion))
}

#[pyfunction]
fn allocate_discount(conversion: &str) -> PyResult<String> {
    py_result(json_api::allocate_discount(conversion))
}

#[pyfunction]
fn capture(config: &str, request: &str) -> PyResult<String> {
    py_result(json_api::capture(config, request))
}

#[pyfunction]
fn read_stored(config: &str, cookie_header: &str, now_ms: i64) -> PyResult<String> {
    py_result(json_api::read_stored(config, cookie_header, now_ms))
}

#[pyfunction]
fn decorate_url(config: &str, url: &str, click_id: &str, now_ms: i64) -> PyResult<String> {
    py_result(json_api::decorate_url(config, url, click_id, now_ms))
}

#[pyfunction]
fn clear(config: &str, host: &str) -> PyResult<String> {
    py_result(json_api::clear(config, host))
}

/// The bit of an event kind in the log mask (`set_log_mask`).
fn event_bit(event: &Event) -> u8 {
    match event {
        Event::Attempt { .. } => 1,
        Event::Retry { .. } => 2,
        Event::Success { .. } => 4,
        Event::GiveUp { .. } => 8,
    }
}

#[pyclass(frozen)]
struct NativeClient {
    inner: ProcessClient,
    /// Which event kinds the Python logger would record: the others are dropped on the
    /// runtime's threads without taking the GIL (it is contended when asyncio is busy).
    log_mask: Arc<AtomicU8>,
}

impl NativeClient {
    /// What every call needs: the parsed operation, this process's client and runtime.
    fn start(
        &self,
        operation: &str,
        args: &str,
    ) -> PyResult<(Call, impact_conversions::Client, Arc<Runtime>)> {
        let start = || -> Result<_, Error> {
            Ok((
                Call::parse(operation, args)?,
                self.inner.client()?,
                process::runtime()?,
            ))
        };
        start().map_err(|e| NativeError::new_err(e.to_json().to_string()))
    }
}

#[pymethods]
impl NativeClient {
    /// `config`: the core's client configuration JSON. `on_event(event_json)` is called from
    /// the runtime's threads for every attempt, retry, success and give-up.
    #[new]
    #[pyo3(signature = (config, on_event=None))]
    fn new(config: &str, on_event: Option<Py<PyAny>>) -> PyResult<Self> {
        let log_mask = Arc::new(AtomicU8::new(0xF));
        let mask = log_mask.clone();
        let events: Option<EventHandler> = on_event.map(|callback| {
            let handler: EventHandler = Arc::new(move |event: &Event| {
                if mask.load(Ordering::Relaxed) & event_bit(event) == 0 {
                    return;
                }
                let Ok(text) = serde_json::to_string(event) else {
                    return;
                };
                Python::attach(|py| {
                    if let Err(e) = callback.call1(py, (text,)) {
                        e.print(py);
                    }
                });
            });
            handler
        });
        let inner = json_api::parse(config, "config")
            .and_then(|v| ClientConfig::from_json(&v))
            .and_then(|c| ProcessClient::new(c, events));
        inner
            .map(|inner| NativeClient { inner, log_mask })
            .map_err(|e| NativeError::new_err(e.to_json().to_string()))
    }

    /// Runs one operation to completion with the GIL released. Every 100 ms the GIL is
    /// taken back for a moment to run signal handlers, so Ctrl-C interrupts a waiting call
    /// (the call is then abandoned; resubmitting the same OrderId is safe).
    fn call(&self, py: Python<'_>, operation: &str, args: &str) -> PyResult<String> {
        let (call, client, rt) = self.start(operation, args)?;
        let (tx, rx) = mpsc::sync_channel(1);
        let task = rt.spawn(async move {
            let _ = tx.send(call.run(client).await);
        });
        let mut rx = rx;
        loop {
            // The receiver is not `Sync`: it moves into the GIL-free closure and back.
            let (received, back) =
                py.detach(move || (rx.recv_timeout(Duration::from_millis(100)), rx));
            rx = back;
            match received {
                Ok(result) => return py_result(result),
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupted) = py.check_signals() {
                        task.abort();
                        return Err(interrupted);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return py_result(Err(Error::new(
                        ErrorCode::Internal,
                        "the call ended without a result (was the runtime shut down?)",
                    )))
                }
            }
        }
    }

    /// Starts one operation and returns at once; `done(result_json, error_json)` is called
    /// from a runtime thread with exactly one of them set.
    fn call_async(&self, operation: &str, args: &str, done: Py<PyAny>) -> PyResult<()> {
        let (call, client, rt) = self.start(operation, args)?;
        rt.spawn(async move {
            let (ok, err) = match call.run(client).await {
                Ok(text) => (Some(text), None),
                Err(e) => (None, Some(e.to_json().to_string())),
            };
            Python::attach(|py| {
                if let Err(e) = done.call1(py, (ok, err)) {
                    e.print(py);
                }
            });
        });
        Ok(())
    }

    /// Bits of the event kinds to pass to `on_event`: 1 attempt, 2 retry, 4 success,
    /// 8 give-up.
    fn set_log_mask(&self, mask: u8) {
        self.log_mask.store(mask, Ordering::Relaxed);
    }

    /// What `repr()` shows: never the token.
    fn describe(&self) -> String {
        let config = self.inner.config();
        format!(
            "account_sid={:?}, base_url={:?}",
            config.account_sid, config.base_url
        )
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    m.add_class::<NativeClient>()?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(validate_json, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(allocate_discount, m)?)?;
    m.add_function(wrap_pyfunction!(capture, m)?)?;
    m.add_function(wrap_pyfunction!(read_stored, m)?)?;
    m.add_function(wrap_pyfunction!(decorate_url, m)?)?;
    m.add_function(wrap_pyfunction!(clear, m)?)?;
    m.add_function(wrap_pyfunction!(_after_fork_in_child, m)?)?;
    Ok(())
}
