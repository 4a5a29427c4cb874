//! The stored cookie: its value format, reading the `Cookie` header and writing
//! `Set-Cookie` strings byte for byte.
//!
//! Value: `1.<capture unix ms>.<click id>`. Every byte is an RFC 6265 cookie-octet, so no
//! framework needs to encode it. Raw legacy values (`<click id>`, possibly percent-encoded
//! by Express or PHP) are still read; they carry no capture time.

use super::value::prefix;

/// Bytes of a `Cookie` header looked at.
pub const MAX_COOKIE_BYTES: usize = 32 * 1024;
/// Cookies of a `Cookie` header looked at.
pub const MAX_COOKIE_PAIRS: usize = 512;
/// Longest stored value worth decoding (`1.` + 15 digits + `.` + 64 x `%XX`).
const MAX_STORED_LEN: usize = 2 + 15 + 1 + 3 * 64;

/// One copy of our cookie as found in the `Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoredCopy {
    Valid {
        id: String,
        captured_at: Option<i64>,
    },
    Invalid,
}

/// Serializes the cookie value.
pub(crate) fn format_value(captured_at: i64, id: &str) -> String {
    format!("1.{captured_at}.{id}")
}

/// Parses one stored value (current format or legacy raw id).
pub(crate) fn parse_value(raw: &str) -> StoredCopy {
    if raw.len() > MAX_STORED_LEN {
        return StoredCopy::Invalid;
    }
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let decoded = match percent_encoding::percent_decode_str(raw).decode_utf8() {
        Ok(d) => d.into_owned(),
        Err(_) => return StoredCopy::Invalid,
    };
    if let Some((ts, id)) = decoded.strip_prefix("1.").and_then(|r| r.split_once('.')) {
        if !ts.is_empty() && ts.len() <= 15 && ts.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(at) = ts.parse::<i64>() {
                if super::validate_click_id(id).is_ok() {
                    return StoredCopy::Valid {
                        id: id.to_owned(),
                        captured_at: Some(at),
                    };
                }
            }
        }
    }
    // Legacy: the bare id, decoded once already (so `%3A` written by a framework is `:`).
    match super::validate_click_id(&decoded) {
        Ok(()) => StoredCopy::Valid {
            id: decoded,
            captured_at: None,
        },
        Err(_) => StoredCopy::Invalid,
    }
}

/// Every value of the cookie `name` in a `Cookie` header, in header order (bounded).
pub(crate) fn find_cookies<'a>(header: &'a str, name: &str) -> (Vec<&'a str>, bool) {
    let truncated = header.len() > MAX_COOKIE_BYTES;
    let hay = if truncated {
        let cut = prefix(header, MAX_COOKIE_BYTES);
        cut.rfind(';').and_then(|i| cut.get(..i)).unwrap_or("")
    } else {
        header
    };
    let mut out = Vec::new();
    let mut over = false;
    for (n, pair) in hay.split(';').enumerate() {
        if n >= MAX_COOKIE_PAIRS {
            over = true;
            break;
        }
        let pair = pair.trim_matches([' ', '\t']);
        if let Some((k, v)) = pair.split_once('=') {
            if k.trim_matches([' ', '\t']) == name {
                out.push(v.trim_matches([' ', '\t']));
            }
        }
    }
    (out, truncated || over)
}

/// The attributes shared by a set and a delete.
pub(crate) struct Attrs<'a> {
    pub name: &'a str,
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: &'a str,
}

/// `name=value; Max-Age=N; Domain=d; Path=p; Secure; HttpOnly; SameSite=Lax`.
pub(crate) fn set_cookie(a: &Attrs<'_>, value: &str, max_age: i64) -> String {
    let mut s = format!("{}={}; Max-Age={}", a.name, value, max_age);
    if let Some(d) = a.domain {
        s.push_str("; Domain=");
        s.push_str(d);
    }
    s.push_str("; Path=");
    s.push_str(a.path);
    if a.secure {
        s.push_str("; Secure");
    }
    if a.http_only {
        s.push_str("; HttpOnly");
    }
    s.push_str("; SameSite=");
    s.push_str(a.same_site);
    s
}

/// `name=; Max-Age=0; Domain=d; Path=p` — same Domain and Path as the cookie it removes.
/// `Secure` only when the name's prefix demands it: a deletion needs no other attribute.
pub(crate) fn delete_cookie(name: &str, domain: Option<&str>, path: &str) -> String {
    let mut s = format!("{name}=; Max-Age=0");
    if let Some(d) = domain {
        s.push_str("; Domain=");
        s.push_str(d);
    }
    s.push_str("; Path=");
    s.push_str(path);
    if name.starts_with("__Secure-") || name.starts_with("__Host-") {
        s.push_str("; Secure");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(
            parse_value("1.1700000000000.Ab:c"),
            StoredCopy::Valid {
                id: "Ab:c".into(),
                captured_at: Some(1_700_000_000_000)
            }
        );
        assert_eq!(
            parse_value("Ab%3Ac"),
            StoredCopy::Valid {
                id: "Ab:c".into(),
                captured_at: None
            }
        );
        assert_eq!(parse_value("a b"), StoredCopy::Invalid);
        assert_eq!(parse_value(""), StoredCopy::Invalid);
        assert_eq!(
            parse_value("1.x.y"),
            StoredCopy::Valid {
                id: "1.x.y".into(),
                captured_at: None
            }
        );
        let (v, t) = find_cookies("a=1; impact=2;impact=3", "impact");
        assert_eq!((v, t), (vec!["2", "3"], false));
    }
}
