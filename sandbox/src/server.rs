//! HTTP: the accept loop (so a scripted fault can drop a connection), the API routes, the
//! control API and the command line.

use crate::rules::{check_action, check_conversion, FieldError};
use crate::{
    lock, Fault, Received, ResetSpec, Sandbox, SandboxConfig, Scripted, Shared, Submission,
};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use base64::Engine;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Marks a response whose connection must be closed without sending it.
#[derive(Clone, Copy)]
struct DropConnection;

#[derive(Debug)]
struct Dropped;
impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a scripted fault")
    }
}
impl std::error::Error for Dropped {}

/// Resolves once a stop is requested; never, if every handle was dropped without one (the
/// server then keeps serving, as documented on [`Sandbox`]).
async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Shared,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped(stop.clone()) => break,
        };
        // Reap finished connection tasks so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: do not spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let state = state.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let state = state.clone();
                async move {
                    let response = route(state, req.map(Body::new)).await;
                    if response.extensions().get::<DropConnection>().is_some() {
                        Err(Dropped)
                    } else {
                        Ok(response)
                    }
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped(stop) => {
                    // Finish the request in flight (if any), then close.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    // Give in-flight answers a moment; whatever is still running (a long scripted delay) is
    // aborted when the set is dropped.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn error_body(message: &str, errors: &[FieldError], lower: bool) -> Value {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| {
            if lower {
                json!({"field": e.field, "level": "ERROR", "message": e.message})
            } else {
                json!({"Field": e.field, "Message": e.message})
            }
        })
        .collect();
    if lower {
        json!({"Status": "ERROR", "Message": message, "errors": list})
    } else {
        json!({"Status": "ERROR", "Message": message, "Errors": list})
    }
}

async fn route(state: Shared, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 4 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    if let Some(control) = path.strip_prefix("/_sandbox/") {
        return control_api(&state, &parts.method, control, &bytes);
    }
    // Recorded on arrival, so a request whose client gave up waiting still counts.
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            let value = if k == "authorization" || k == "proxy-authorization" {
                "Basic ***".to_owned()
            } else {
                v.to_str().unwrap_or("").to_owned()
            };
            (k.to_string(), value)
        })
        .collect();
    let (slot, scripted) = {
        let mut s = lock(&state);
        s.received.push(Received {
            method: parts.method.to_string(),
            path: path.clone(),
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            at: chrono::Utc::now(),
            status: 0,
        });
        let pos = s
            .script
            .iter()
            .position(|e| e.path_contains.as_deref().is_none_or(|p| path.contains(p)));
        (s.received.len() - 1, pos.and_then(|i| s.script.remove(i)))
    };
    let response = match scripted {
        // Only a delay (and maybe extra headers): a slow answer from the real API.
        Some(entry)
            if entry.fault.is_none()
                && entry.status.is_none()
                && entry.body.is_none()
                && entry.rate_limit_reset.is_none() =>
        {
            if let Some(ms) = entry.delay_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let mut r = api(&state, &parts.method, &path, &parts.headers, &bytes);
            extra_headers(&mut r, &entry);
            r
        }
        Some(entry) => scripted_response(&state, entry).await,
        None => api(&state, &parts.method, &path, &parts.headers, &bytes),
    };
    if let Some(r) = lock(&state).received.get_mut(slot) {
        let dropped = response.extensions().get::<DropConnection>().is_some();
        r.status = if dropped {
            0
        } else {
            response.status().as_u16()
        };
    }
    response
}

fn extra_headers(response: &mut Response<Body>, entry: &Scripted) {
    for (k, v) in entry.headers.iter().flatten() {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::try_from(k.as_str()),
            HeaderValue::from_str(v),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

async fn scripted_response(state: &Shared, entry: Scripted) -> Response<Body> {
    if let Some(ms) = entry.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let status = entry.status.unwrap_or(if entry.rate_limit_reset.is_some() {
        429
    } else if entry.body.is_some() || entry.fault.is_some() {
        200
    } else {
        500
    });
    let mut response = match entry.fault {
        Some(Fault::Drop) => {
            let mut r = Response::new(Body::empty());
            r.extensions_mut().insert(DropConnection);
            return r;
        }
        Some(Fault::ResetMidBody) => {
            // Headers and a first chunk go out; after a pause (so they are flushed) the body
            // fails and hyper closes the connection short of Content-Length.
            let chunks = futures_util::stream::unfold(0u8, |step| async move {
                let item: Result<Bytes, std::io::Error> = match step {
                    0 => Ok(Bytes::from_static(b"{\"Status\":\"QUEU")),
                    1 => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Err(std::io::Error::other("scripted reset"))
                    }
                    _ => return None,
                };
                Some((item, step + 1))
            });
            let mut r = Response::new(Body::from_stream(chunks));
            *r.status_mut() = status_code(status);
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            r.headers_mut()
                .insert("content-length", HeaderValue::from_static("120"));
            r
        }
        Some(Fault::Garbage2xx) => {
            let body = entry.body.clone().unwrap_or_else(|| {
                "<html><body>Service temporarily degraded</body></html>".to_owned()
            });
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = if (200..300).contains(&status) {
                status_code(status)
            } else {
                StatusCode::OK
            };
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("text/html"));
            r
        }
        None => {
            let body = entry.body.clone().unwrap_or_else(|| {
                if (200..300).contains(&status) {
                    json!({"Status": "OK", "Message": "scripted response"}).to_string()
                } else {
                    let reason = StatusCode::from_u16(status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("Error");
                    json!({"Status": "ERROR", "Message": reason}).to_string()
                }
            });
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = status_code(status);
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            r
        }
    };
    if status == 429 {
        let budget = lock(state).config.hourly_budget;
        let h = response.headers_mut();
        h.insert("x-ratelimit-limit", HeaderValue::from(budget));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        match entry.rate_limit_reset.unwrap_or(ResetSpec::Delta(60)) {
            ResetSpec::Epoch(at) => drop(h.insert("x-ratelimit-reset", HeaderValue::from(at))),
            ResetSpec::Delta(secs) => drop(h.insert("x-ratelimit-reset", HeaderValue::from(secs))),
            ResetSpec::Missing => {}
        }
    }
    extra_headers(&mut response, &entry);
    response
}

fn authorized(config: &SandboxConfig, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{}:{}", config.account_sid, config.auth_token).as_bytes()
}

/// The documented API, behind rate limiting and auth.
fn api(
    state: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response<Body> {
    let mut s = lock(state);
    if s.window_start.elapsed() >= Duration::from_secs(3600) {
        s.window_start = Instant::now();
        s.used = 0;
    }
    let budget = s.config.hourly_budget;
    let reset_in = 3600u64
        .saturating_sub(s.window_start.elapsed().as_secs())
        .max(1);
    let limited = s.used >= budget;
    if !limited {
        s.used += 1;
    }
    let remaining = budget.saturating_sub(s.used);
    let mut response = if limited {
        json_response(
            429,
            &json!({"Status": "ERROR", "Message": "Too Many Requests: the hourly API budget is spent"}),
        )
    } else if !path.starts_with("/Advertisers/") {
        json_response(404, &json!({"Status": "ERROR", "Message": "Not Found"}))
    } else if !authorized(&s.config, headers)
        || path.split('/').nth(2) != Some(s.config.account_sid.as_str())
    {
        json_response(
            401,
            &json!({"Status": "ERROR", "Message": "Unauthorized: invalid AccountSID or AuthToken"}),
        )
    } else {
        let lower = headers
            .get("x-sandbox-error-style")
            .is_some_and(|v| v == "lower");
        handle(&mut s, method, path, headers, body, lower)
    };
    let h = response.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(budget));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset_in));
    response
}

fn handle(
    s: &mut crate::State,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    lower: bool,
) -> Response<Body> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    // `api` has checked that the path is /Advertisers/{the account's sid}/...
    // None: not a form (answered 415).
    let form = || -> Option<Vec<(String, String)>> {
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        ct.split(';')
            .next()
            .is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
            .then(|| form_urlencoded::parse(body).into_owned().collect())
    };
    let not_form = || {
        json_response(
            415,
            &json!({"Status": "ERROR", "Message": "send application/x-www-form-urlencoded"}),
        )
    };
    match (
        method.as_str(),
        segments.get(2).copied(),
        segments.get(3).copied(),
    ) {
        ("POST", Some("Conversions"), None) => {
            let Some(pairs) = form() else {
                return not_form();
            };
            let errors = check_conversion(&pairs, &s.config.extra_params);
            if !errors.is_empty() {
                let message = format!("{} invalid parameter(s)", errors.len());
                return json_response(400, &error_body(&message, &errors, lower));
            }
            let sub = submission("Conversion", &pairs, body);
            queue(s, sub)
        }
        ("GET", Some("APISubmissions"), Some(id)) if segments.len() == 4 => {
            submission_status(s, id)
        }
        (m @ ("PUT" | "DELETE"), Some("Actions"), None) => {
            let Some(pairs) = form() else {
                return not_form();
            };
            let reverse = m == "DELETE";
            let errors = check_action(&pairs, reverse);
            if !errors.is_empty() {
                return json_response(400, &error_body("invalid action request", &errors, lower));
            }
            let kind = if reverse { "Reversal" } else { "Modification" };
            let sub = submission(kind, &pairs, body);
            queue(s, sub)
        }
        _ => json_response(404, &json!({"Status": "ERROR", "Message": "Not Found"})),
    }
}

/// The submission a valid form becomes.
fn submission(kind: &'static str, pairs: &[(String, String)], body: &[u8]) -> Submission {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let number = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok());
    Submission {
        kind,
        created: Instant::now(),
        submitted_at: chrono::Utc::now(),
        campaign_id: number("CampaignId"),
        action_tracker_id: number("EventTypeId").or_else(|| number("ActionTrackerId")),
        event_code: get("EventTypeCode"),
        media_partner_id: number("MediaPartnerId").or_else(|| number("MediaId")),
        order_id: get("OrderId"),
        payload: String::from_utf8_lossy(body).into_owned(),
        duplicate_of: None,
    }
}

fn queue(s: &mut crate::State, mut sub: Submission) -> Response<Body> {
    let id = format!("A-{:08x}-{:016x}", s.next_id, rand::random::<u64>());
    s.next_id += 1;
    if sub.kind == "Conversion" {
        let order_id = sub.order_id.clone().unwrap_or_default();
        *s.accepted.entry(order_id.clone()).or_default() += 1;
        // EventTypeId and its older name ActionTrackerId name the same event type.
        let event = match (&sub.action_tracker_id, &sub.event_code) {
            (Some(n), _) => format!("id:{n}"),
            (None, Some(code)) => format!("code:{code}"),
            (None, None) => String::new(),
        };
        match s.first_by_key.get(&(event.clone(), order_id.clone())) {
            Some(first) => sub.duplicate_of = Some(first.clone()),
            None => drop(s.first_by_key.insert((event, order_id), id.clone())),
        }
    }
    s.submissions.insert(id.clone(), sub);
    let uri = format!("/Advertisers/{}/APISubmissions/{id}", s.config.account_sid);
    json_response(200, &json!({"Status": "QUEUED", "QueuedUri": uri}))
}

/// `GET APISubmissions/{id}`: the YAML's `ApiSubmission`. `Status` is `Queued`, then
/// `In Progress` from half the processing delay, then `Complete`.
fn submission_status(s: &crate::State, id: &str) -> Response<Body> {
    let Some(sub) = s.submissions.get(id) else {
        return json_response(
            404,
            &json!({"Status": "ERROR", "Message": format!("API submission {id} not found")}),
        );
    };
    let age = sub.created.elapsed();
    let delay = s.config.processing_delay;
    let status = if age >= delay {
        "Complete"
    } else if age >= delay / 2 {
        "In Progress"
    } else {
        "Queued"
    };
    let date =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let done = status == "Complete";
    let completed = done
        .then(|| date(sub.submitted_at + chrono::Duration::from_std(delay).unwrap_or_default()));
    let (error_type, error_reason) = match (&sub.duplicate_of, done) {
        (Some(_), true) => (Some("Contract Error"), Some("CONV_DUPLICATE")),
        _ => (None, None),
    };
    let body = json!({
        "BatchId": id,
        "SubmissionDate": date(sub.submitted_at),
        "CampaignId": sub.campaign_id,
        "ActionTrackerId": sub.action_tracker_id,
        "MediaPartnerId": sub.media_partner_id,
        "EventCode": sub.event_code,
        "OrderId": sub.order_id,
        "Payload": sub.payload,
        "Type": sub.kind,
        "Status": status,
        "CompletionDate": completed,
        "ErrorType": error_type,
        "ErrorReason": error_reason,
        "Uri": format!("/Advertisers/{}/APISubmissions/{id}", s.config.account_sid),
    });
    json_response(200, &body)
}

fn control_api(state: &Shared, method: &Method, path: &str, body: &[u8]) -> Response<Body> {
    let bad = |m: String| json_response(400, &json!({"error": m}));
    match (method.as_str(), path) {
        ("POST", "script") => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Script {
                responses: Vec<Scripted>,
            }
            match serde_json::from_slice::<Script>(body) {
                Ok(script) => {
                    let n = script.responses.len();
                    lock(state).script.extend(script.responses);
                    json_response(200, &json!({"queued": n}))
                }
                Err(e) => bad(format!("script: {e}")),
            }
        }
        ("GET", "requests") => json_response(
            200,
            &serde_json::to_value(&lock(state).received).unwrap_or_default(),
        ),
        ("GET", "orders") => json_response(
            200,
            &serde_json::to_value(&lock(state).accepted).unwrap_or_default(),
        ),
        ("POST", "reset") => {
            lock(state).clear();
            json_response(200, &json!({"ok": true}))
        }
        ("POST", "config") => match serde_json::from_slice::<Value>(body) {
            Ok(v) => {
                let mut s = lock(state);
                if let Some(n) = v.get("hourly_budget").and_then(Value::as_u64) {
                    s.config.hourly_budget = u32::try_from(n).unwrap_or(u32::MAX);
                }
                if let Some(ms) = v.get("processing_delay_ms").and_then(Value::as_u64) {
                    s.config.processing_delay = Duration::from_millis(ms);
                }
                if let Some(list) = v.get("extra_params").and_then(Value::as_array) {
                    s.config.extra_params = list
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect();
                }
                json_response(200, &json!({"ok": true}))
            }
            Err(e) => bad(format!("config: {e}")),
        },
        _ => json_response(404, &json!({"error": "unknown control endpoint"})),
    }
}

/// Command-line options of `impact-sandbox` (and `impact-conversions sandbox`).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "impact-sandbox",
    about = "A local emulator of impact.com's conversion API"
)]
pub struct Args {
    /// Port on 127.0.0.1 (0: any free port; the chosen one is printed).
    #[arg(long, default_value_t = 0, env = "IMPACT_SANDBOX_PORT")]
    pub port: u16,
    #[arg(
        long,
        env = "IMPACT_SANDBOX_ACCOUNT_SID",
        default_value = "IRSANDBOX00000000000000000000001"
    )]
    pub account_sid: String,
    #[arg(
        long,
        env = "IMPACT_SANDBOX_AUTH_TOKEN",
        default_value = "sandbox-auth-token",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub auth_token: String,
    #[arg(long, env = "IMPACT_SANDBOX_HOURLY_BUDGET", default_value_t = 1000)]
    pub hourly_budget: u32,
    #[arg(
        long,
        env = "IMPACT_SANDBOX_PROCESSING_DELAY_MS",
        default_value_t = 200
    )]
    pub processing_delay_ms: u64,
}

/// Starts the emulator, prints `IMPACT_SANDBOX_URL=http://127.0.0.1:PORT` and serves until
/// interrupted.
pub async fn serve_forever(args: Args) -> std::io::Result<()> {
    let sandbox = Sandbox::start(SandboxConfig {
        account_sid: args.account_sid,
        auth_token: args.auth_token,
        hourly_budget: args.hourly_budget,
        processing_delay: Duration::from_millis(args.processing_delay_ms),
        port: args.port,
        extra_params: Vec::new(),
    })
    .await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "IMPACT_SANDBOX_URL={}", sandbox.base_url())?;
        out.flush()?;
    }
    wait_for_signal().await?;
    sandbox.shutdown().await;
    Ok(())
}

/// Parses the command line (and `IMPACT_SANDBOX_*`), then [`serve_forever`]. `--help` and
/// bad arguments print clap's message and exit the process, as a command line does.
pub async fn run_cli() -> std::io::Result<()> {
    serve_forever(<Args as clap::Parser>::parse()).await
}

#[cfg(unix)]
async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
