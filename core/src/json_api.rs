//! The language-neutral surface every binding calls: JSON text in, JSON text out, one
//! [`Error`] out. Bindings translate their native values to and from this JSON and nothing
//! else, so no rule or argument parsing is written twice.

use crate::actions::{ActionModification, ActionReversal};
use crate::clickid::{self, ClickIdConfig};
use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::model::Conversion;
use serde_json::{json, Value};
use std::time::Duration;

fn internal(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Internal, message)
}

/// A client call's argument the caller got wrong (not a conversion field).
fn invalid(message: String) -> Error {
    Error::new(ErrorCode::Validation, message)
}

/// Parses JSON text handed over by a binding (its own encoder produced it, so a failure is
/// a binding bug, reported as `internal`).
pub fn parse(text: &str, what: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| internal(format!("invalid {what} JSON from the binding: {e}")))
}

pub fn to_text(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| internal(format!("cannot serialize a result: {e}")))
}

/// `{"errors": [...], "warnings": [...]}`; bad input is reported in it, never as an error.
pub fn validate(conversion: &str) -> Result<String> {
    to_text(&crate::validate::validate_json_str(conversion))
}

/// The form body, or a `validation` error with every issue.
pub fn encode(conversion: &str) -> Result<String> {
    crate::encode(&Conversion::from_json_str(conversion)?)
}

pub fn allocate_discount(conversion: &str) -> Result<String> {
    to_text(&crate::allocate_discount(&Conversion::from_json_str(
        conversion,
    )?)?)
}

pub fn capture(config: &str, request: &str) -> Result<String> {
    to_text(&clickid::capture_json(
        &parse(config, "config")?,
        &parse(request, "request")?,
    )?)
}

pub fn read_stored(config: &str, cookie_header: &str, now_ms: i64) -> Result<String> {
    let config = ClickIdConfig::from_json(&parse(config, "config")?)?;
    to_text(&clickid::read_stored(&config, cookie_header, now_ms)?)
}

pub fn decorate_url(config: &str, url: &str, click_id: &str, now_ms: i64) -> Result<String> {
    let config = ClickIdConfig::from_json(&parse(config, "config")?)?;
    to_text(&clickid::decorate_url(&config, url, click_id, now_ms)?)
}

pub fn clear(config: &str, host: &str) -> Result<String> {
    let config = ClickIdConfig::from_json(&parse(config, "config")?)?;
    to_text(&clickid::clear(&config, host)?)
}

/// One client operation, parsed from its name and arguments JSON:
///
/// | operation | arguments |
/// |---|---|
/// | `submit` | the conversion |
/// | `submit_many` | `{"conversions": [...], "concurrency": 8}` |
/// | `submission_status` | `{"id": "<id or QueuedUri>"}` |
/// | `wait_for_submission` | `{"id": ..., "timeout": <seconds>}` |
/// | `modify_action` | an [`ActionModification`] |
/// | `reverse_action` | an [`ActionReversal`] |
pub enum Call {
    Submit(Box<Conversion>),
    /// Each entry as read: an unreadable one keeps its own error (unknown key, duplicate...).
    SubmitMany(Vec<Result<Conversion>>, usize),
    Status(String),
    Wait(String, Duration),
    Modify(ActionModification),
    Reverse(ActionReversal),
}

impl Call {
    pub fn parse(operation: &str, args: &str) -> Result<Call> {
        let args = parse(args, "arguments")?;
        let id = || match args.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.clone()),
            _ => Err(invalid(format!(
                "{operation}: id must be the receipt's submission_id or queued_uri"
            ))),
        };
        Ok(match operation {
            "submit" => Call::Submit(Box::new(Conversion::from_json(&args)?)),
            "submit_many" => {
                let Some(Value::Array(list)) = args.get("conversions") else {
                    return Err(invalid("submit_many: conversions must be a list".into()));
                };
                let concurrency = match args.get("concurrency") {
                    None | Some(Value::Null) => 8,
                    Some(v) => v
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            invalid(format!(
                                "submit_many: concurrency must be a whole number of at least 1, not {v}"
                            ))
                        })?,
                };
                // An unreadable entry is that entry's error, not a failed batch.
                let parsed = list.iter().map(Conversion::from_json).collect();
                Call::SubmitMany(parsed, concurrency)
            }
            "submission_status" => Call::Status(id()?),
            "wait_for_submission" => {
                let secs = match args.get("timeout") {
                    None | Some(Value::Null) => 60.0,
                    Some(v) => v
                        .as_f64()
                        .filter(|s| s.is_finite() && *s >= 0.0)
                        .ok_or_else(|| {
                            invalid(format!(
                                "wait_for_submission: timeout must be a number of seconds, 0 or more, not {v}"
                            ))
                        })?,
                };
                Call::Wait(id()?, Duration::from_secs_f64(secs.min(86_400.0)))
            }
            "modify_action" => Call::Modify(ActionModification::from_json(&args)?),
            "reverse_action" => Call::Reverse(ActionReversal::from_json(&args)?),
            other => return Err(internal(format!("unknown client operation {other:?}"))),
        })
    }

    /// Runs the operation; the result is the JSON of a `Receipt`, a `SubmissionStatus`, or
    /// for `submit_many` a list of `{"ok": receipt}` / `{"error": error}` in input order.
    pub async fn run(self, client: Client) -> Result<String> {
        match self {
            Call::Submit(c) => to_text(&client.submit(&c).await?),
            Call::SubmitMany(list, concurrency) => {
                let mut readable = Vec::with_capacity(list.len());
                let mut unreadable = Vec::with_capacity(list.len());
                for entry in list {
                    match entry {
                        Ok(c) => {
                            readable.push(c);
                            unreadable.push(None);
                        }
                        Err(e) => unreadable.push(Some(e)),
                    }
                }
                let mut sent = client.submit_many(&readable, concurrency).await.into_iter();
                let out: Vec<Value> = unreadable
                    .into_iter()
                    .map(|early| {
                        match early.map_or_else(|| sent.next().unwrap_or_else(missing), Err) {
                            Ok(receipt) => json!({ "ok": receipt }),
                            Err(e) => json!({ "error": e.to_json() }),
                        }
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

/// `submit_many` answers once per input; a shorter answer would be a bug in the client.
fn missing() -> Result<crate::Receipt> {
    Err(internal(
        "submit_many returned fewer results than conversions",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(operation: &str, args: &str) -> Error {
        match Call::parse(operation, args) {
            Err(e) => e,
            Ok(_) => panic!("{operation} {args} was accepted"),
        }
    }

    #[test]
    fn call_arguments_are_checked_and_named() {
        for (op, args, named) in [
            ("submit_many", r#"{"conversions": {}}"#, "conversions"),
            (
                "submit_many",
                r#"{"conversions": [], "concurrency": 0}"#,
                "concurrency",
            ),
            (
                "submit_many",
                r#"{"conversions": [], "concurrency": "4"}"#,
                "concurrency",
            ),
            (
                "submit_many",
                r#"{"conversions": [], "concurrency": -1}"#,
                "concurrency",
            ),
            (
                "wait_for_submission",
                r#"{"id": "A-1", "timeout": "5s"}"#,
                "timeout",
            ),
            (
                "wait_for_submission",
                r#"{"id": "A-1", "timeout": -1}"#,
                "timeout",
            ),
            ("submission_status", r#"{"id": ""}"#, "id"),
            ("submission_status", r#"{}"#, "id"),
        ] {
            let e = refused(op, args);
            assert_eq!(e.code, ErrorCode::Validation, "{op} {args}");
            assert!(e.message.contains(named), "{op} {args}: {}", e.message);
        }
        assert!(matches!(
            Call::parse("submit_many", r#"{"conversions": [{}], "concurrency": null}"#),
            Ok(Call::SubmitMany(list, 8)) if list.len() == 1
        ));
        assert!(matches!(
            Call::parse("wait_for_submission", r#"{"id": "A-1", "timeout": 1e9}"#),
            Ok(Call::Wait(_, d)) if d == Duration::from_secs(86_400)
        ));
    }
}
