//! Conversion -> ordered form pairs -> `application/x-www-form-urlencoded` body.
//!
//! Order is deterministic: required fields, event id, attribution keys, order fields (the
//! declaration order in [`crate::model`]), items by index, custom fields, extras. Items are
//! numbered from 1: `ItemSku1`, `ItemSubTotal1`, `ItemText1_2`.

use crate::currency::Currency;
use crate::error::{Error, Result};
use crate::model::{Conversion, Custom, FieldSpec, Kind, SlotRef};
use crate::money::{format_decimal, format_money};
use crate::validate::{email_needs_hashing, validate, Issue};
use sha2::{Digest, Sha256};

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
        body: form_body(&form_pairs(c)),
        order_id: c.order_id.clone().unwrap_or_default(),
        event_key,
        warnings: report.warnings,
    })
}

/// The form body of a valid conversion (see [`prepare`] for the checks).
pub fn encode(c: &Conversion) -> Result<String> {
    prepare(c).map(|p| p.body)
}

/// WHATWG `application/x-www-form-urlencoded` serialization.
pub fn form_body(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The wire parameters in order. Meant for a validated conversion: values are written as
/// they are, money with the currency's minor units.
pub fn form_pairs(c: &Conversion) -> Vec<(String, String)> {
    let scale = c
        .currency_code
        .as_deref()
        .and_then(Currency::from_code)
        .map(|cur| cur.minor_units());
    let mut out = Vec::new();
    c.for_each_slot(|spec, slot| push_slot(&mut out, spec, spec.wire.to_owned(), slot, scale));
    for (i, item) in c.items.iter().enumerate() {
        let n = i + 1;
        item.for_each_slot(|spec, slot| {
            push_slot(&mut out, spec, format!("Item{}{n}", spec.wire), slot, scale)
        });
        push_custom(
            &mut out,
            &item.custom,
            |family, k| format!("Item{family}{n}_{k}"),
            scale,
        );
    }
    push_custom(
        &mut out,
        &c.custom,
        |family, k| format!("{family}{k}"),
        scale,
    );
    out.extend(c.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

fn money(d: rust_decimal::Decimal, scale: Option<u32>) -> String {
    match scale {
        Some(s) => format_money(d, s),
        None => format_decimal(d),
    }
}

fn push_slot(
    out: &mut Vec<(String, String)>,
    spec: &FieldSpec,
    wire: String,
    slot: SlotRef<'_>,
    scale: Option<u32>,
) {
    let value = match slot {
        SlotRef::Int(Some(v)) => v.to_string(),
        SlotRef::Str(Some(s)) if spec.wire == "CustomerEmail" && email_needs_hashing(s) => {
            hex::encode(Sha256::digest(s.trim().to_lowercase().as_bytes()))
        }
        SlotRef::Str(Some(s)) => s.clone(),
        SlotRef::Dec(Some(d)) if spec.kind.is_money() => money(*d, scale),
        SlotRef::Dec(Some(d)) => format_decimal(*d),
        SlotRef::Bool(Some(b)) => b.to_string(),
        _ => return,
    };
    debug_assert!(spec.kind != Kind::Date || !value.is_empty());
    out.push((wire, value));
}

fn push_custom(
    out: &mut Vec<(String, String)>,
    custom: &Custom,
    wire: impl Fn(&str, u8) -> String,
    scale: Option<u32>,
) {
    out.extend(
        custom
            .text
            .iter()
            .map(|(n, v)| (wire("Text", *n), v.clone())),
    );
    out.extend(
        custom
            .numeric
            .iter()
            .map(|(n, v)| (wire("Numeric", *n), format_decimal(*v))),
    );
    out.extend(
        custom
            .date
            .iter()
            .map(|(n, v)| (wire("Date", *n), v.clone())),
    );
    out.extend(
        custom
            .money
            .iter()
            .map(|(n, v)| (wire("Money", *n), money(*v, scale))),
    );
}
