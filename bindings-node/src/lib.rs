//! Node.js binding of `impact-conversions` (napi-rs).
//!
//! This layer only translates: every rule lives in the core. Values cross the boundary as
//! JSON text (the JS wrapper `index.js` serializes with `JSON.stringify`, which writes a
//! number through its shortest representation and a `Date` as RFC 3339, exactly what the
//! core reads), results come back as JSON text, and a core [`Error`] crosses as its JSON
//! form behind [`ERROR_MARKER`] so that the wrapper can rebuild the `ImpactError` subclass
//! with every field. Network work runs on napi's tokio runtime, never on the JS thread.
//!
//! The TypeScript types in `index.d.ts` are generated from the `ts_*` attributes below (the
//! public, wrapped signatures) plus `dts-header.d.ts` (the shared interfaces and classes).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;

use impact_conversions::clickid::{self, ClickIdConfig};
use impact_conversions::{Conversion, Error, ErrorCode};
use napi_derive::napi;
use serde_json::Value;

/// Prefix of a napi error message that carries a core error as JSON.
pub(crate) const ERROR_MARKER: &str = "\u{1}impact-error\u{1}";

/// A core error as a JS exception the wrapper turns into `ImpactError`.
pub(crate) fn js_error(e: &Error) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{ERROR_MARKER}{}", e.to_json()),
    )
}

pub(crate) fn internal(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Internal, message)
}

pub(crate) fn to_text<T: serde::Serialize>(value: &T) -> napi::Result<String> {
    serde_json::to_string(value).map_err(|e| js_error(&internal(format!("serializing: {e}"))))
}

fn parse_json(text: &str, what: &str) -> napi::Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        js_error(&Error::new(
            ErrorCode::Validation,
            format!("{what} is not valid JSON: {e}"),
        ))
    })
}

fn conversion(json: &str) -> napi::Result<Conversion> {
    Conversion::from_json_str(json).map_err(|e| js_error(&e))
}

fn config(json: Option<String>) -> napi::Result<ClickIdConfig> {
    match json {
        None => Ok(ClickIdConfig::default()),
        Some(text) => {
            let value = parse_json(&text, "the click-id config")?;
            ClickIdConfig::from_json(&value).map_err(|e| js_error(&e))
        }
    }
}

/// Every problem of a conversion at once: `{ valid, errors, warnings }`.
#[napi(
    ts_args_type = "conversion: ConversionInput",
    ts_return_type = "ValidationReport"
)]
pub fn validate(conversion_json: String) -> napi::Result<String> {
    let report = impact_conversions::validate::validate_json_str(&conversion_json);
    to_text(&serde_json::json!({
        "valid": report.is_valid(),
        "errors": report.errors,
        "warnings": report.warnings,
    }))
}

/// The exact `application/x-www-form-urlencoded` body impact.com receives. Throws a
/// `ValidationError` (with every issue) when the conversion is invalid.
#[napi(ts_args_type = "conversion: ConversionInput")]
pub fn encode(conversion_json: String) -> napi::Result<String> {
    let c = conversion(&conversion_json)?;
    impact_conversions::encode(&c).map_err(|e| js_error(&e))
}

/// Validates then encodes: `{ body, orderId, eventKey, warnings }`.
#[napi(
    ts_args_type = "conversion: ConversionInput",
    ts_return_type = "Prepared"
)]
pub fn prepare(conversion_json: String) -> napi::Result<String> {
    let c = conversion(&conversion_json)?;
    let p = impact_conversions::prepare(&c).map_err(|e| js_error(&e))?;
    to_text(&serde_json::json!({
        "body": p.body,
        "order_id": p.order_id,
        "event_key": p.event_key,
        "warnings": p.warnings,
    }))
}

/// How impact.com spreads `orderDiscount` over the items (exact, in minor units).
#[napi(
    ts_args_type = "conversion: ConversionInput",
    ts_return_type = "DiscountAllocation"
)]
pub fn allocate_discount(conversion_json: String) -> napi::Result<String> {
    let c = conversion(&conversion_json)?;
    let a = impact_conversions::allocate_discount(&c).map_err(|e| js_error(&e))?;
    to_text(&a)
}

/// The click-id decision for one request: which id it carries and the exact `Set-Cookie`
/// header values to append (never re-encode them through a framework's cookie helper).
#[napi(
    ts_args_type = "request: CaptureRequest, config?: ClickIdConfig",
    ts_return_type = "CaptureOutcome"
)]
pub fn capture(request_json: String, config_json: Option<String>) -> napi::Result<String> {
    let cfg = config(config_json)?;
    let request: clickid::CaptureRequest =
        serde_json::from_value(parse_json(&request_json, "the capture request")?).map_err(|e| {
            js_error(&Error::new(
                ErrorCode::Validation,
                format!("click_id capture request: {e}"),
            ))
        })?;
    let out = clickid::capture(&cfg, &request).map_err(|e| js_error(&e))?;
    to_text(&out)
}

/// The stored click id in a `Cookie` header (nothing written, consent not consulted).
#[napi(
    ts_args_type = "cookieHeader: string | undefined | null, options?: ClickIdOptions",
    ts_return_type = "CaptureOutcome"
)]
pub fn read_stored(
    cookie_header: Option<String>,
    now_ms: f64,
    config_json: Option<String>,
) -> napi::Result<String> {
    let cfg = config(config_json)?;
    let out = clickid::read_stored(&cfg, cookie_header.as_deref().unwrap_or(""), now_ms as i64)
        .map_err(|e| js_error(&e))?;
    to_text(&out)
}

/// Adds the click id (or a signed hand-off token) to a link to a sister domain; any other
/// link comes back unchanged.
#[napi(
    ts_args_type = "url: string, clickId: string, options?: ClickIdOptions",
    ts_return_type = "DecoratedUrl"
)]
pub fn decorate_url(
    url: String,
    click_id: String,
    now_ms: f64,
    config_json: Option<String>,
) -> napi::Result<String> {
    let cfg = config(config_json)?;
    let out =
        clickid::decorate_url(&cfg, &url, &click_id, now_ms as i64).map_err(|e| js_error(&e))?;
    to_text(&out)
}

/// `Set-Cookie` values deleting the click-id cookie for `host` in both scopes.
#[napi(ts_args_type = "host: string, config?: ClickIdConfig")]
pub fn clear_click_id(host: String, config_json: Option<String>) -> napi::Result<Vec<String>> {
    let cfg = config(config_json)?;
    clickid::clear(&cfg, &host).map_err(|e| js_error(&e))
}

/// `null` when `value` is a valid click id, else the warning explaining why not.
#[napi(ts_return_type = "ClickIdWarning | null")]
pub fn validate_click_id(value: String) -> napi::Result<Option<String>> {
    match clickid::validate_click_id(&value) {
        Ok(()) => Ok(None),
        Err(w) => to_text(&w).map(Some),
    }
}

/// The core's stable error codes, in table order.
#[napi(ts_return_type = "ErrorCode[]")]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// The core library's version (sent in the User-Agent).
#[napi]
pub fn core_version() -> String {
    impact_conversions::VERSION.to_owned()
}
