//! Exact decimals for money and other numbers. A binary float never decides an amount:
//! JSON numbers are read through their shortest round-trip decimal form (`14.0` -> `14`,
//! `0.1 + 0.2` -> `0.30000000000000004`, which validation then refuses for excess precision).

use rust_decimal::Decimal;
use serde_json::Value;

/// Reads a decimal from a JSON string, integer or number. The error text completes
/// "`<field>` ..." in an issue message.
pub fn decimal_from_json(value: &Value) -> Result<Decimal, String> {
    match value {
        Value::String(s) => parse_decimal(s),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Decimal::from(u))
            } else if let Some(f) = n.as_f64() {
                decimal_from_f64(f)
            } else {
                Err("is not a finite number".into())
            }
        }
        other => Err(format!(
            "must be a decimal string such as \"14.00\" or a number, not {}",
            json_type(other)
        )),
    }
}

/// A float through its shortest round-trip representation (what Python's `repr`, JS's
/// `String(n)` and Rust's `Display` print), so no digit appears that the caller did not see.
pub fn decimal_from_f64(f: f64) -> Result<Decimal, String> {
    if !f.is_finite() {
        return Err("is not a finite number".into());
    }
    parse_decimal(&format!("{f}"))
}

/// Plain decimal text: optional `-`, digits, optional `.` and digits. No exponent, no
/// thousands separators, no spaces: these are where hand-written integrations go wrong.
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !digits_ok(int)
        || !digits_ok(frac)
        || (body.contains('.') && frac.is_empty())
    {
        return Err(format!(
            "must be a plain decimal such as \"14.00\" (digits, one optional '.', no exponent, spaces or separators), not {s:?}"
        ));
    }
    Decimal::from_str_exact(s)
        .map_err(|_| format!("{s:?} has more digits than an exact decimal can hold (28)"))
}

/// Digits after the point once trailing zeros are dropped: `14.50` -> 1, `0.125` -> 3.
pub fn significant_scale(d: Decimal) -> u32 {
    d.normalize().scale()
}

/// Money on the wire: exactly `minor_units` decimals, `.` separator, no exponent.
/// The value is already validated to fit, so rescaling only pads with zeros.
pub fn format_money(d: Decimal, minor_units: u32) -> String {
    let mut d = if d.is_zero() { Decimal::ZERO } else { d };
    d.rescale(minor_units);
    d.to_string()
}

/// Non-money decimals (rates, numerics) on the wire: shortest exact form.
pub fn format_decimal(d: Decimal) -> String {
    if d.is_zero() {
        return "0".into();
    }
    d.normalize().to_string()
}

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(v: Value) -> Result<String, String> {
        decimal_from_json(&v).map(|d| d.to_string())
    }

    #[test]
    fn floats_go_through_their_shortest_form() {
        assert_eq!(d(json!(14.0)).unwrap(), "14");
        assert_eq!(d(json!(0.1 + 0.2)).unwrap(), "0.30000000000000004");
        assert_eq!(d(json!(28)).unwrap(), "28");
        assert_eq!(d(json!("28.00")).unwrap(), "28.00");
    }

    #[test]
    fn strings_must_be_plain_decimals() {
        for bad in ["1e3", "1,000.00", " 1", "1.", ".5", "", "-", "abc", "+1"] {
            assert!(d(json!(bad)).is_err(), "{bad} accepted");
        }
        assert!(d(json!(true)).is_err());
    }

    #[test]
    fn money_formats_with_minor_units() {
        assert_eq!(format_money(Decimal::from(14), 2), "14.00");
        assert_eq!(format_money(Decimal::from(14), 0), "14");
        assert_eq!(format_money(parse_decimal("1.5").unwrap(), 3), "1.500");
        assert_eq!(format_money(parse_decimal("-0.00").unwrap(), 2), "0.00");
        assert_eq!(format_decimal(parse_decimal("100.50").unwrap()), "100.5");
    }
}
