//! Click-id value rules and bounded query scanning.
//!
//! One decode, one character class, no truncation: a value is either kept byte for byte
//! or ignored with a warning. Scanning stops after [`MAX_QUERY_BYTES`] bytes and
//! [`MAX_QUERY_PAIRS`] pairs, so a 1 MB query costs what a normal one does.

use super::{Warning, WarningCode};
use percent_encoding::percent_decode_str;

/// Longest click id accepted, in bytes (impact.com ids are far shorter).
pub const MAX_CLICK_ID_LEN: usize = 64;
/// Bytes of a query string (or Referer query) looked at; the rest is ignored.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// `name=value` pairs of a query string looked at.
pub const MAX_QUERY_PAIRS: usize = 256;
/// Longest raw (still percent-encoded) value worth decoding: 64 characters, each `%XX`.
const MAX_RAW_VALUE_LEN: usize = MAX_CLICK_ID_LEN * 3;

/// Checks an already decoded click id: `[A-Za-z0-9._~:-]{1,64}`, case kept.
///
/// Returns the warning a capture would emit for this value (`click_id_empty`,
/// `click_id_too_long` or `click_id_invalid`).
pub fn validate_click_id(value: &str) -> Result<(), Warning> {
    if value.is_empty() {
        return Err(Warning::new(
            WarningCode::ClickIdEmpty,
            "the click id is empty",
        ));
    }
    if value.len() > MAX_CLICK_ID_LEN {
        return Err(Warning::new(
            WarningCode::ClickIdTooLong,
            format!(
                "the click id has {} bytes; at most {MAX_CLICK_ID_LEN} are accepted (never truncated)",
                value.len()
            ),
        ));
    }
    if !value.bytes().all(is_click_id_byte) {
        return Err(Warning::new(
            WarningCode::ClickIdInvalid,
            "the click id has characters outside A-Z a-z 0-9 . _ ~ : -",
        ));
    }
    Ok(())
}

fn is_click_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b':' | b'-')
}

/// Percent-decodes a raw value once (`+` stays `+`, so it is rejected) and validates it.
pub(crate) fn decode_click_id(raw: &str) -> Result<String, Warning> {
    if raw.len() > MAX_RAW_VALUE_LEN {
        return Err(Warning::new(
            WarningCode::ClickIdTooLong,
            format!(
                "the click id has {} bytes before decoding; at most {MAX_CLICK_ID_LEN} are accepted (never truncated)",
                raw.len()
            ),
        ));
    }
    let decoded = percent_decode_str(raw).decode_utf8().map_err(|_| {
        Warning::new(
            WarningCode::ClickIdInvalid,
            "the click id does not decode to UTF-8",
        )
    })?;
    validate_click_id(&decoded)?;
    Ok(decoded.into_owned())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// The query part of a URL or path (`?` up to `#`), bounded like the query itself.
pub(crate) fn query_of_url(url: &str) -> &str {
    let hay = prefix(url, MAX_QUERY_BYTES * 4);
    let Some((_, rest)) = hay.split_once('?') else {
        return "";
    };
    match rest.split_once('#') {
        Some((q, _)) => q,
        None => rest,
    }
}

/// Raw values of the pairs whose (decoded, case-insensitive) name is in `names`, in order.
pub(crate) struct Scan<'a> {
    pub values: Vec<(usize, &'a str)>,
    pub truncated: bool,
}

/// Scans `query` for parameters; `names[i]` matches yield `(i, raw value)`.
/// A bare name (`?irclickid`) yields an empty value. Bounded by bytes and pairs; when the
/// byte cap cuts a pair, that pair is dropped rather than read truncated.
pub(crate) fn scan_query<'a>(query: &'a str, names: &[&str]) -> Scan<'a> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut truncated = false;
    let mut hay = query;
    if query.len() > MAX_QUERY_BYTES {
        truncated = true;
        let cut = prefix(query, MAX_QUERY_BYTES);
        // Keep only whole pairs: a cut value could be a truncated click id.
        hay = match cut.rfind('&') {
            Some(i) => cut.get(..i).unwrap_or(""),
            None => "",
        };
    }
    let mut values = Vec::new();
    for (n, pair) in hay.split('&').enumerate() {
        if n >= MAX_QUERY_PAIRS {
            truncated = true;
            break;
        }
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name.len() > 3 * MAX_CLICK_ID_LEN {
            continue;
        }
        let name = percent_decode_str(name).decode_utf8_lossy();
        if let Some(i) = names
            .iter()
            .position(|want| want.eq_ignore_ascii_case(&name))
        {
            values.push((i, value));
        }
    }
    Scan { values, truncated }
}

/// The last valid click id among `raw` values; warns on invalid ones and on conflicts.
pub(crate) fn pick_last_valid(raw: &[&str], warnings: &mut Vec<Warning>) -> Option<String> {
    let mut valid: Vec<String> = Vec::new();
    for value in raw {
        match decode_click_id(value) {
            Ok(id) => valid.push(id),
            Err(w) => warnings.push(w),
        }
    }
    let last = valid.last()?.clone();
    if valid.iter().any(|v| *v != last) {
        warnings.push(Warning::new(
            WarningCode::ClickIdConflict,
            format!(
                "the click-id parameter appears {} times with different values; the last valid one is used",
                raw.len()
            ),
        ));
    }
    Some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(validate_click_id("Ab0._~:-").is_ok());
        assert!(decode_click_id("a%3Ab").is_ok_and(|v| v == "a:b"));
        assert!(decode_click_id("a+b").is_err());
        assert!(decode_click_id("%25").is_err());
        assert!(decode_click_id(&"a".repeat(64)).is_ok());
        assert!(decode_click_id(&"a".repeat(65)).is_err());
        assert_eq!(prefix("aé", 2), "a");
    }

    #[test]
    fn huge_query_is_cut_on_a_pair() {
        let q = format!("{}irclickid=abc", "x=1&".repeat(10_000));
        let s = scan_query(&q, &["irclickid"]);
        assert!(s.truncated);
        assert!(s.values.is_empty());
    }
}
