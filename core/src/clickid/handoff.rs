//! Cross-domain hand-off: decorating links to sister domains, and the optional signed token.
//!
//! Token: `1.<issued unix s>.<click id>.<mac>`, where `mac` is HMAC-SHA256(secret,
//! `1.<issued>.<click id>`) in URL-safe base64 without padding. Every byte is safe in a
//! query string. The id itself is readable; the signature and the short lifetime make a
//! link copied later worthless, so the click is not attributed to whoever opens it.

use super::config::Checked;
use super::host::parse_host;
use super::value::{prefix, validate_click_id};
use super::{Warning, WarningCode};
use crate::Result;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Longest URL `decorate_url` will touch; longer ones are returned unchanged.
pub const MAX_DECORATE_URL_BYTES: usize = 16 * 1024;
/// Longest token looked at.
const MAX_TOKEN_LEN: usize = 2 + 20 + 1 + 64 + 1 + 43;

/// What `decorate_url` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decorated {
    /// The URL to put in the link: decorated, or exactly the input.
    pub url: String,
    /// Whether the click id (or token) was added.
    pub decorated: bool,
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// `decorate_url` as JSON: `{"url": ..., "click_id": ..., "now": <unix ms | RFC 3339>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecorateRequest {
    pub url: String,
    pub click_id: String,
    #[serde(with = "super::capture::now_serde")]
    pub now: i64,
}

fn mac(secret: &str, payload: &str) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    m.update(payload.as_bytes());
    Some(m)
}

/// Signs a hand-off token for `click_id` issued at `now_ms`.
pub(crate) fn sign(secret: &str, click_id: &str, now_ms: i64) -> Option<String> {
    let payload = format!("1.{}.{click_id}", now_ms.max(0).div_euclid(1000));
    let tag = mac(secret, &payload)?.finalize().into_bytes();
    Some(format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag)))
}

/// Verifies a received token; the click id, or the warning saying why not.
pub(crate) fn verify(c: &Checked<'_>, raw: &str, now_ms: i64) -> Result<String, Warning> {
    let h = &c.cfg.handoff;
    let Some(secret) = h.secret.as_deref() else {
        return Err(Warning::new(
            WarningCode::HandoffNotConfigured,
            "a hand-off token arrived but click_id.handoff.secret is not set; it was ignored",
        ));
    };
    let invalid = |why: &str| {
        Warning::new(
            WarningCode::HandoffInvalid,
            format!("hand-off token rejected: {why}"),
        )
    };
    if raw.len() > MAX_TOKEN_LEN {
        return Err(invalid("too long"));
    }
    let (payload, tag) = raw.rsplit_once('.').ok_or_else(|| invalid("malformed"))?;
    let (issued, id) = payload
        .strip_prefix("1.")
        .and_then(|r| r.split_once('.'))
        .ok_or_else(|| invalid("malformed"))?;
    if issued.is_empty() || issued.len() > 12 || !issued.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("malformed"));
    }
    let issued: i64 = issued.parse().map_err(|_| invalid("malformed"))?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| invalid("malformed signature"))?;
    let ok = std::iter::once(secret)
        .chain(h.previous_secrets.iter().map(String::as_str))
        .any(|s| mac(s, payload).is_some_and(|m| m.verify_slice(&tag).is_ok()));
    if !ok {
        return Err(invalid(
            "signature does not match (tampered, or a different secret)",
        ));
    }
    validate_click_id(id).map_err(|_| invalid("the click id inside is not valid"))?;
    let now = now_ms.div_euclid(1000);
    let skew = h.max_clock_skew_secs;
    if issued > now.saturating_add(skew) {
        return Err(Warning::new(
            WarningCode::HandoffNotYetValid,
            format!(
                "hand-off token issued {}s in the future (more than the {skew}s clock skew allowed)",
                issued.saturating_sub(now)
            ),
        ));
    }
    if now > issued.saturating_add(h.token_ttl_secs).saturating_add(skew) {
        return Err(Warning::new(
            WarningCode::HandoffExpired,
            format!(
                "hand-off token is {}s old; tokens live {}s (+{skew}s skew)",
                now.saturating_sub(issued),
                h.token_ttl_secs
            ),
        ));
    }
    Ok(id.to_owned())
}

/// Adds the click id to `url` when it points at a configured sister domain; otherwise
/// returns `url` unchanged (same-site links already share the cookie, and any other
/// domain must never see the id). With a hand-off secret the link carries a signed token
/// valid for `token_ttl_secs` instead of the bare id. Existing click-id or token
/// parameters in the URL are replaced; everything else is kept byte for byte.
pub fn decorate_url(
    config: &super::ClickIdConfig,
    url: &str,
    click_id: &str,
    now_ms: i64,
) -> Result<Decorated> {
    let c = config.check()?;
    let unchanged = |warnings: Vec<Warning>| Decorated {
        url: url.to_owned(),
        decorated: false,
        warnings,
    };
    if let Err(w) = validate_click_id(click_id) {
        return Ok(unchanged(vec![w]));
    }
    if url.len() > MAX_DECORATE_URL_BYTES {
        return Ok(unchanged(vec![Warning::new(
            WarningCode::UrlUnparsable,
            format!("the URL is longer than {MAX_DECORATE_URL_BYTES} bytes; left unchanged"),
        )]));
    }
    let trimmed = url.trim();
    let parsed = if trimmed.starts_with("//") {
        url::Url::parse(&format!("https:{trimmed}"))
    } else {
        url::Url::parse(trimmed)
    };
    let target = match parsed {
        Ok(u) => u,
        // A relative link stays on this site.
        Err(url::ParseError::RelativeUrlWithoutBase) => return Ok(unchanged(Vec::new())),
        Err(e) => {
            return Ok(unchanged(vec![Warning::new(
                WarningCode::UrlUnparsable,
                format!("the URL could not be parsed ({e}); left unchanged"),
            )]))
        }
    };
    if !matches!(target.scheme(), "http" | "https") {
        return Ok(unchanged(Vec::new()));
    }
    let Some(host) = target.host_str().and_then(parse_host) else {
        return Ok(unchanged(Vec::new()));
    };
    if c.allowed.iter().any(|a| host.is_within(&a.name)) {
        return Ok(unchanged(Vec::new()));
    }
    if !c.sisters.iter().any(|s| host.is_within(&s.name)) {
        return Ok(unchanged(Vec::new()));
    }
    let h = &config.handoff;
    let (param, value) = match h.secret.as_deref() {
        Some(secret) => match sign(secret, click_id, now_ms) {
            Some(t) => (h.token_param.as_str(), t),
            None => return Ok(unchanged(Vec::new())),
        },
        None => (
            config
                .param_names
                .first()
                .map(String::as_str)
                .unwrap_or("irclickid"),
            click_id.to_owned(),
        ),
    };
    let mut names: Vec<&str> = config.param_names.iter().map(String::as_str).collect();
    names.push(&h.token_param);
    Ok(Decorated {
        url: with_param(url, &names, param, &value),
        decorated: true,
        warnings: Vec::new(),
    })
}

/// `url` with every `names` parameter removed and `param=value` appended to the query,
/// before any fragment.
fn with_param(url: &str, names: &[&str], param: &str, value: &str) -> String {
    let (before_frag, frag) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (base, query) = match before_frag.split_once('?') {
        Some((b, q)) => (b, q),
        None => (before_frag, ""),
    };
    let mut kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            if pair.is_empty() {
                return false;
            }
            let name = pair.split_once('=').map_or(*pair, |(n, _)| n);
            let name = percent_encoding::percent_decode_str(prefix(name, 256)).decode_utf8_lossy();
            !names.iter().any(|n| n.eq_ignore_ascii_case(&name))
        })
        .collect();
    let ours = format!("{param}={value}");
    kept.push(&ours);
    let mut out = format!("{base}?{}", kept.join("&"));
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}
