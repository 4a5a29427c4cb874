//! Conversion -> ordered form pairs -> `application/x-www-form-urlencoded` body.
//!
//! Order is deterministic: required fields, event id, attribution keys, order fields (the
//! declaration order in [`crate::model`]), items by index, custom fields, extras. Items are
//! numbered from 1: `ItemSku1`, `ItemSubTotal1`, `ItemText1_2`.

use crate::currency::Currency;
use crate::error::{Error, Result};
use crate::model::{Conversion, Custom, FieldSpec, SlotRef};
use crate::money::{format_decimal, format_money};
use crate::validate::{email_needs_hashing, validate, Issue};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// A validated conversion ready to send: the exact bytes every attempt reuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The form body.
    pub body: String,
    pub order_id: String,
    /// `EventTypeId=<id>` or `EventTypeCode=<code>`: with `order_id`, the key that identifies
    /// one conversion for de-duplication.
    pub event_key: String,
    pub warnings: Vec<Issue>,
}

/// Validates, then encodes. An invalid conversion is a `validation` error with every issue.
pub fn prepare(c: &Conversion) -> Result<Prepared> {
    let report = validate(c);
    if !report.is_valid() {
        return Err(Error::validation(report.errors));
    }
    let event_key = match (c.event_type_id, &c.event_type_code) {
        (Some(id), _) => format!("EventTypeId={id}"),
        (None, Some(code)) => format!("EventTypeCode={code}"),
        (None, None) => String::new(),
    };
    Ok(Prepared {
        body: form_body(c),
        order_id: c.order_id.clone().unwrap_or_default(),
        event_key,
        warnings: report.warnings,
    })
}

/// The form body of a valid conversion (see [`prepare`] for the checks).
pub fn encode(c: &Conversion) -> Result<String> {
    prepare(c).map(|p| p.body)
}

/// WHATWG `application/x-www-form-urlencoded` serialization of a valid conversion.
fn form_body(c: &Conversion) -> String {
    let mut body = form_urlencoded::Serializer::new(String::with_capacity(512));
    visit_pairs(c, &mut |k, v| {
        body.append_pair(k, v);
    });
    body.finish()
}

/// The wire parameters in order. Meant for a validated conversion: values are written as
/// they are, money with the currency's minor units.
pub fn form_pairs(c: &Conversion) -> Vec<(String, String)> {
    let mut out = Vec::new();
    visit_pairs(c, &mut |k, v| out.push((k.to_owned(), v.to_owned())));
    out
}

/// Calls `emit` with each (wire name, value) in wire order, reusing one key buffer.
fn visit_pairs(c: &Conversion, emit: &mut dyn FnMut(&str, &str)) {
    let scale = c
        .currency_code
        .as_deref()
        .and_then(Currency::from_code)
        .map(|cur| cur.minor_units());
    c.for_each_slot(|spec, slot| {
        if let Some(v) = slot_value(spec, slot, scale) {
            emit(spec.wire, &v);
        }
    });
    let mut key = String::with_capacity(32);
    for (i, item) in c.items.iter().enumerate() {
        let n = i + 1;
        item.for_each_slot(|spec, slot| {
            if let Some(v) = slot_value(spec, slot, scale) {
                key.clear();
                let _ = write!(key, "Item{}{n}", spec.wire);
                emit(&key, &v);
            }
        });
        visit_custom(&item.custom, scale, &mut |family, k, v| {
            key.clear();
            let _ = write!(key, "Item{family}{n}_{k}");
            emit(&key, v);
        });
    }
    visit_custom(&c.custom, scale, &mut |family, k, v| {
        key.clear();
        let _ = write!(key, "{family}{k}");
        emit(&key, v);
    });
    for (k, v) in &c.extra {
        emit(k, v);
    }
}

fn money(d: rust_decimal::Decimal, scale: Option<u32>) -> String {
    match scale {
        Some(s) => format_money(d, s),
        None => format_decimal(d),
    }
}

fn slot_value(spec: &FieldSpec, slot: SlotRef<'_>, scale: Option<u32>) -> Option<String> {
    Some(match slot {
        SlotRef::Int(Some(v)) => v.to_string(),
        SlotRef::Str(Some(s)) if spec.wire == "CustomerEmail" && email_needs_hashing(s) => {
            hex::encode(Sha256::digest(s.trim().to_lowercase().as_bytes()))
        }
        SlotRef::Str(Some(s)) => s.clone(),
        SlotRef::Dec(Some(d)) if spec.kind.is_money() => money(*d, scale),
        SlotRef::Dec(Some(d)) => format_decimal(*d),
        SlotRef::Bool(Some(b)) => b.to_string(),
        _ => return None,
    })
}

fn visit_custom(custom: &Custom, scale: Option<u32>, emit: &mut dyn FnMut(&str, u8, &str)) {
    for (n, v) in &custom.text {
        emit("Text", *n, v);
    }
    for (n, v) in &custom.numeric {
        emit("Numeric", *n, &format_decimal(*v));
    }
    for (n, v) in &custom.date {
        emit("Date", *n, v);
    }
    for (n, v) in &custom.money {
        emit("Money", *n, &money(*v, scale));
    }
}
