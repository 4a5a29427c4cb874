//! The native half of the `impact_conversions` Python package. It only translates: JSON text
//! in, JSON text out, errors as `NativeError(<error JSON>)` that the Python half turns into
//! one exception class per stable code. The GIL is released around every network wait, and
//! the tokio runtime is created on first use and again in a forked child.

use impact_conversions::actions::{ActionModification, ActionReversal};
use impact_conversions::clickid::{self, ClickIdConfig};
use impact_conversions::events::{Event, EventHandler};
use impact_conversions::{validate, Client, ClientConfig, Conversion, Error, ErrorCode};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Runtime;

create_exception!(
    _native,
    NativeError,
    PyException,
    "An error of the core, as JSON text in args[0]."
);

fn native_error(e: &Error) -> PyErr {
    NativeError::new_err(e.to_json().to_string())
}

fn internal(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Internal, message)
}

fn parse(text: &str, what: &str) -> Result<Value, Error> {
    serde_json::from_str(text)
        .map_err(|e| internal(format!("the Python layer sent invalid {what} JSON: {e}")))
}

fn to_text(value: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| internal(format!("cannot serialize a result: {e}")))
}

/// One runtime per process: `(pid, runtime)`. A child after `fork` has the parent's memory
/// but none of its threads, so it must never touch the inherited runtime.
static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

fn runtime() -> Result<Arc<Runtime>, Error> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .map_err(|_| internal("runtime lock poisoned"))?;
    if let Some((owner, rt)) = slot.as_ref() {
        if *owner == pid {
            return Ok(rt.clone());
        }
    }
    // The parent's runtime (if any) is leaked in the child: dropping it would wait for
    // worker threads that do not exist here.
    if let Some(inherited) = slot.take() {
        std::mem::forget(inherited);
    }
    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("impact-conversions")
            .build()
            .map_err(|e| internal(format!("cannot start the async runtime: {e}")))?,
    );
    *slot = Some((pid, rt.clone()));
    Ok(rt)
}

/// Called by `os.register_at_fork(after_in_child=...)`; the pid check alone also suffices.
#[pyfunction]
fn _after_fork_in_child() {
    if let Ok(mut slot) = RUNTIME.lock() {
        if let Some(inherited) = slot.take() {
            std::mem::forget(inherited);
        }
    }
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

/// `{"errors": [...], "warnings": [...]}`; never raises for bad input.
#[pyfunction]
fn validate_json(conversion: &str) -> PyResult<String> {
    to_text(&validate::validate_json_str(conversion)).map_err(|e| native_error(&e))
}

#[pyfunction]
fn encode(conversion: &str) -> PyResult<String> {
    Conversion::from_json_str(conversion)
        .and_then(|c| impact_conversions::encode(&c))
        .map_err(|e| native_error(&e))
}

#[pyfunction]
fn allocate_discount(conversion: &str) -> PyResult<String> {
    Conversion::from_json_str(conversion)
        .and_then(|c| impact_conversions::allocate_discount(&c))
        .and_then(|a| to_text(&a))
        .map_err(|e| native_error(&e))
}

#[pyfunction]
fn capture(config: &str, request: &str) -> PyResult<String> {
    (|| {
        clickid::capture_json(&parse(config, "config")?, &parse(request, "request")?)
            .and_then(|v| to_text(&v))
    })()
    .map_err(|e| native_error(&e))
}

#[pyfunction]
fn read_stored(config: &str, cookie_header: &str, now_ms: i64) -> PyResult<String> {
    (|| {
        let config = ClickIdConfig::from_json(&parse(config, "config")?)?;
        to_text(&clickid::read_stored(&config, cookie_header, now_ms)?)
    })()
    .map_err(|e| native_error(&e))
}

#[pyfunction]
fn decorate_url(config: &str, url: &str, click_id: &str, now_ms: i64) -> PyResult<String> {
    (|| {
        let config = ClickIdConfig::from_json(&parse(config, "config")?)?;
        to_text(&clickid::decorate_url(&config, url, click_id, now_ms)?)
    })()
    .map_err(|e| native_error(&e))
}

#[pyfunction]
fn clear(config: &str, host: &str) -> PyResult<String> {
    (|| {
        let config = ClickIdConfig::from_json(&parse(config, "config")?)?;
        to_text(&clickid::clear(&config, host)?)
    })()
    .map_err(|e| native_error(&e))
}

/// One client call, parsed from (operation name, arguments JSON).
enum Call {
    Submit(Box<Conversion>),
    SubmitMany(Vec<Conversion>, usize),
    Status(String),
    Wait(String, Duration),
    Modify(ActionModification),
    Reverse(ActionReversal),
}

impl Call {
    fn parse(operation: &str, args: &str) -> Result<Call, Error> {
        let args = parse(args, "arguments")?;
        let text = |k: &str| args.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        Ok(match operation {
            "submit" => Call::Submit(Box::new(Conversion::from_json(&args)?)),
            "submit_many" => {
                let list = args
                    .get("conversions")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let concurrency = args.get("concurrency").and_then(Value::as_u64).unwrap_or(8);
                // Invalid entries become per-item validation errors, not a failed batch.
                let parsed: Vec<Conversion> = list
                    .iter()
                    .map(|v| Conversion::from_json(v).unwrap_or_default())
                    .collect();
                Call::SubmitMany(parsed, usize::try_from(concurrency).unwrap_or(8))
            }
            "submission_status" => Call::Status(text("id")),
            "wait_for_submission" => {
                let secs = args
                    .get("timeout")
                    .and_then(Value::as_f64)
                    .unwrap_or(60.0)
                    .max(0.0);
                Call::Wait(text("id"), Duration::from_secs_f64(secs))
            }
            "modify_action" => Call::Modify(ActionModification::from_json(&args)?),
            "reverse_action" => Call::Reverse(ActionReversal::from_json(&args)?),
            other => return Err(internal(format!("unknown client operation {other:?}"))),
        })
    }

    async fn run(self, client: Client) -> Result<String, Error> {
        match self {
            Call::Submit(c) => to_text(&client.submit(&c).await?),
            Call::SubmitMany(list, concurrency) => {
                let results = client.submit_many(&list, concurrency).await;
                let out: Vec<Value> = results
                    .into_iter()
                    .map(|r| match r {
                        Ok(receipt) => json!({ "ok": receipt }),
                        Err(e) => json!({ "error": e.to_json() }),
                    })
                    .collect();
                to_text(&out)
            }
            Call::Status(id) => to_text(&client.submission_status(&id).await?),
            Call::Wait(id, timeout) => to_text(&client.wait_for_submission(&id, timeout).await?),
            Call::Modify(m) => to_text(&client.modify_action(&m).await?),
            Call::Reverse(r) => to_text(&client.reverse_action(&r).await?),
        }
    }
}

/// The core client, rebuilt in a forked child (its connections belong to the parent).
#[pyclass(frozen)]
struct NativeClient {
    config: ClientConfig,
    events: Option<EventHandler>,
    current: Mutex<Option<(u32, Client)>>,
}

impl NativeClient {
    fn client(&self) -> Result<Client, Error> {
        let pid = std::process::id();
        let mut slot = self
            .current
            .lock()
            .map_err(|_| internal("client lock poisoned"))?;
        if let Some((owner, client)) = slot.as_ref() {
            if *owner == pid {
                return Ok(client.clone());
            }
        }
        if let Some(inherited) = slot.take() {
            std::mem::forget(inherited);
        }
        let client = match &self.events {
            Some(handler) => Client::with_events(self.config.clone(), handler.clone())?,
            None => Client::new(self.config.clone())?,
        };
        *slot = Some((pid, client.clone()));
        Ok(client)
    }
}

#[pymethods]
impl NativeClient {
    /// `config`: the core's client configuration JSON. `on_event(event_json)` is called from
    /// the runtime's threads for every attempt, retry, success and give-up.
    #[new]
    #[pyo3(signature = (config, on_event=None))]
    fn new(config: &str, on_event: Option<Py<PyAny>>) -> PyResult<Self> {
        let config = parse(config, "config")
            .and_then(|v| ClientConfig::from_json(&v))
            .map_err(|e| native_error(&e))?;
        let events: Option<EventHandler> = on_event.map(|callback| {
            let handler: EventHandler = Arc::new(move |event: &Event| {
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
        let native = NativeClient {
            config,
            events,
            current: Mutex::new(None),
        };
        native.client().map_err(|e| native_error(&e))?;
        Ok(native)
    }

    /// Runs one operation to completion with the GIL released.
    fn call(&self, py: Python<'_>, operation: &str, args: &str) -> PyResult<String> {
        let call = Call::parse(operation, args).map_err(|e| native_error(&e))?;
        let client = self.client().map_err(|e| native_error(&e))?;
        let rt = runtime().map_err(|e| native_error(&e))?;
        py.detach(|| rt.block_on(call.run(client)))
            .map_err(|e| native_error(&e))
    }

    /// Starts one operation on the runtime and returns at once; `done(result_json, error_json)`
    /// is called (from a runtime thread) with exactly one of them set.
    fn call_async(&self, operation: &str, args: &str, done: Py<PyAny>) -> PyResult<()> {
        let call = Call::parse(operation, args).map_err(|e| native_error(&e))?;
        let client = self.client().map_err(|e| native_error(&e))?;
        let rt = runtime().map_err(|e| native_error(&e))?;
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

    /// What `repr()` shows: never the token.
    fn describe(&self) -> String {
        format!(
            "account_sid={:?}, base_url={:?}",
            self.config.account_sid, self.config.base_url
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
