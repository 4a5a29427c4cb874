//! The capture decision: which click id this request has, and which cookies to write.

use super::config::{Attribution, Checked, ClickIdConfig, Consent, DomainMode};
use super::cookie::{
    delete_cookie, find_cookies, format_value, parse_value, set_cookie, Attrs, StoredCopy,
};
use super::host::{parse_host, SiteHost};
use super::value::{pick_last_valid, query_of_url, scan_query};
use super::{handoff, Warning, WarningCode};
use crate::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// Longest `Referer` looked at (browsers send at most 4096 bytes).
pub const MAX_REFERER_BYTES: usize = 8 * 1024;

/// One incoming request, as the binding sees it. JSON:
/// `{"scheme","host","url"?,"query"?,"cookie"?,"referer"?,"forwarded_proto"?,"consent"?,"now"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureRequest {
    /// `http` or `https`, as the server (or trusted proxy) received it.
    pub scheme: String,
    /// The `Host` header (port allowed).
    pub host: String,
    /// The request target or full URL; its query is used when `query` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The raw query string (without `?`, still percent-encoded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The `Cookie` header (several headers joined with `; `).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referer: Option<String>,
    /// `X-Forwarded-Proto`; used only with `trust_forwarded_proto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_proto: Option<String>,
    #[serde(default)]
    pub consent: Consent,
    /// Current time, unix milliseconds (JSON: integer ms or an RFC 3339 string).
    #[serde(with = "now_serde")]
    pub now: i64,
}

/// Where the click id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Query,
    Handoff,
    Referer,
    Cookie,
}

/// The decision for one request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// The click id to use for this request (and a conversion it leads to), if any.
    pub click_id: Option<String>,
    pub source: Option<Source>,
    /// Whether the id is (kept) in the cookie. `false` with a `click_id` means: use it for
    /// this request only (consent denied, host not allowed).
    pub store: bool,
    /// When the click was first captured (unix ms); `null` for legacy cookie values.
    pub captured_at: Option<i64>,
    /// `Set-Cookie` header values to add to the response, in order, byte for byte.
    pub set_cookie: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// Integer unix ms or an RFC 3339 string in; integer ms out.
pub(crate) mod now_serde {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*v)
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Ms(i64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Ms(ms) => Ok(ms),
            Raw::Text(t) => chrono::DateTime::parse_from_rfc3339(&t)
                .map(|dt| dt.timestamp_millis())
                .map_err(|e| {
                    D::Error::custom(format!(
                        "now: {t:?} is not RFC 3339 ({e}); or pass unix milliseconds"
                    ))
                }),
        }
    }
}

/// Where a decision writes: our cookie scope and the other one (for duplicate cleanup).
struct Scope {
    ours: Option<String>,
    other: Option<Option<String>>,
}

fn scope(c: &Checked<'_>, host: &SiteHost, warnings: &mut Vec<Warning>) -> Scope {
    let ours = if host.is_ip || host.fqdn {
        None
    } else {
        match &c.domain {
            DomainMode::Auto => host.registrable.clone(),
            DomainMode::HostOnly => None,
            DomainMode::Explicit(d) => {
                if host.is_within(d) {
                    Some(d.clone())
                } else {
                    warnings.push(Warning::new(
                        WarningCode::CookieDomainMismatch,
                        format!(
                            "host {} is not within click_id.domain {d}; the cookie is host-only",
                            host.name
                        ),
                    ));
                    None
                }
            }
        }
    };
    let other = match &ours {
        // A `__Host-` cookie can only ever exist host-only.
        _ if c.cfg.cookie_name.starts_with("__Host-") => None,
        Some(_) => Some(None),
        None if host.is_ip || host.fqdn => None,
        None => host.registrable.clone().map(Some),
    };
    Scope { ours, other }
}

fn stored_copies(
    c: &Checked<'_>,
    header: Option<&str>,
    now: i64,
    warnings: &mut Vec<Warning>,
) -> (usize, Option<(String, Option<i64>)>) {
    let Some(header) = header else {
        return (0, None);
    };
    let (raw, truncated) = find_cookies(header, &c.cfg.cookie_name);
    if truncated {
        warnings.push(Warning::new(
            WarningCode::CookieHeaderTruncated,
            "the Cookie header is too large; only its first 32 KiB / 512 cookies were read",
        ));
    }
    let window = c.cfg.max_age_secs.saturating_mul(1000);
    let mut best: Option<(String, Option<i64>)> = None;
    let (mut invalid, mut expired) = (0, 0);
    for value in &raw {
        match parse_value(value) {
            StoredCopy::Invalid => invalid += 1,
            StoredCopy::Valid {
                captured_at: Some(at),
                ..
            } if now >= at.saturating_add(window) => expired += 1,
            StoredCopy::Valid { id, captured_at } => {
                let newer = match &best {
                    None => true,
                    Some((_, b)) => captured_at > *b,
                };
                if newer {
                    best = Some((id, captured_at));
                }
            }
        }
    }
    if invalid > 0 {
        warnings.push(Warning::new(
            WarningCode::StoredCookieInvalid,
            format!("{invalid} stored click-id cookie value(s) are malformed and were ignored"),
        ));
    }
    if expired > 0 {
        warnings.push(Warning::new(
            WarningCode::StoredCookieExpired,
            format!(
                "{expired} stored click(s) are older than the referral window and were ignored"
            ),
        ));
    }
    if raw.len() > 1 {
        warnings.push(Warning::new(
            WarningCode::StoredCookieDuplicate,
            format!("{} copies of the click-id cookie were sent; the newest valid one wins and the stale copy is deleted", raw.len()),
        ));
    }
    (raw.len(), best)
}

fn is_secure(c: &Checked<'_>, req: &CaptureRequest, warnings: &mut Vec<Warning>) -> bool {
    if req.scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    let fwd_https = req
        .forwarded_proto
        .as_deref()
        .and_then(|p| p.split(',').next())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    if fwd_https && !c.cfg.trust_forwarded_proto {
        warnings.push(Warning::new(
            WarningCode::ForwardedProtoIgnored,
            "X-Forwarded-Proto says https but click_id.trust_forwarded_proto is off; the cookie is not Secure",
        ));
    }
    fwd_https && c.cfg.trust_forwarded_proto
}

/// Runs the whole capture decision for one request. Pure: no I/O, time comes from `now`.
pub fn capture(config: &ClickIdConfig, request: &CaptureRequest) -> Result<Outcome> {
    let c = config.check()?;
    let cfg = c.cfg;
    // Times before 1970 cannot be written in the cookie format; treat them as 1970.
    let now = request.now.max(0);
    let mut warnings = Vec::new();

    let host = parse_host(&request.host);
    if host.is_none() {
        warnings.push(Warning::new(
            WarningCode::InvalidHost,
            "the Host header is not a valid host name; no cookie is written",
        ));
    }
    let secure = is_secure(&c, request, &mut warnings);
    let allowed = match &host {
        Some(h) if !c.allowed.is_empty() && !c.allowed.iter().any(|a| h.is_within(&a.name)) => {
            warnings.push(Warning::new(
                WarningCode::HostNotAllowed,
                format!(
                    "host {} is not in click_id.allowed_domains; no cookie is written",
                    h.name
                ),
            ));
            false
        }
        Some(_) => true,
        None => false,
    };
    let consent = match request.consent {
        Consent::Unknown => cfg.consent_unknown,
        other => other,
    };

    // 1. The current URL: a plain click id wins over a hand-off token.
    let query = match (&request.query, &request.url) {
        (Some(q), _) => q.as_str(),
        (None, Some(u)) => query_of_url(u),
        (None, None) => "",
    };
    let mut names: Vec<&str> = cfg.param_names.iter().map(String::as_str).collect();
    let token_index = names.len();
    names.push(&cfg.handoff.token_param);
    let scan = scan_query(query, &names);
    if scan.truncated {
        warnings.push(Warning::new(
            WarningCode::QueryTruncated,
            "the query string is too large; only its first 16 KiB / 256 parameters were read",
        ));
    }
    let plain: Vec<&str> = scan
        .values
        .iter()
        .filter(|(i, _)| *i != token_index)
        .map(|(_, v)| *v)
        .collect();
    let mut incoming = pick_last_valid(&plain, &mut warnings).map(|id| (id, Source::Query));
    if incoming.is_none() {
        if let Some((_, token)) = scan.values.iter().rev().find(|(i, _)| *i == token_index) {
            match handoff::verify(&c, token, now) {
                Ok(id) => incoming = Some((id, Source::Handoff)),
                Err(w) => warnings.push(w),
            }
        }
    }

    // 2. The stored cookie(s).
    let (copies, best) = stored_copies(&c, request.cookie.as_deref(), now, &mut warnings);

    // 3. A same-site Referer, only when nothing else has an id.
    if incoming.is_none() && best.is_none() && cfg.referer_fallback {
        if let (Some(h), Some(r)) = (&host, &request.referer) {
            incoming = referer_click_id(&c, h, r).map(|id| (id, Source::Referer));
        }
    }

    let mut out = Outcome::default();
    let writable = host.as_ref().filter(|_| allowed);
    let sc = writable.map(|h| scope(&c, h, &mut warnings));
    let delete_all = |out: &mut Outcome, sc: &Scope, both: bool| {
        if both {
            if let Some(other) = &sc.other {
                out.set_cookie
                    .push(delete_cookie(&cfg.cookie_name, other.as_deref(), &cfg.path));
            }
        }
        out.set_cookie.push(delete_cookie(
            &cfg.cookie_name,
            sc.ours.as_deref(),
            &cfg.path,
        ));
    };

    if consent != Consent::Granted {
        if incoming.is_some() || copies > 0 {
            let (code, msg) = if request.consent == Consent::Unknown {
                (
                    WarningCode::ConsentUnknown,
                    "consent is unknown and treated as denied: the click id is not stored",
                )
            } else {
                (
                    WarningCode::ConsentDenied,
                    "consent is denied: the click id is not stored",
                )
            };
            warnings.push(Warning::new(code, msg));
        }
        if let (Some(sc), true) = (&sc, copies > 0) {
            delete_all(&mut out, sc, true);
        }
        if let Some((id, source)) = incoming {
            out.click_id = Some(id);
            out.source = Some(source);
            out.captured_at = Some(now);
        }
        out.warnings = warnings;
        return Ok(out);
    }

    if cfg.same_site == super::SameSite::None && !secure && sc.is_some() {
        warnings.push(Warning::new(
            WarningCode::SameSiteNoneInsecure,
            "SameSite=None cookies need Secure, which needs https; browsers will drop this cookie",
        ));
    }
    let window = cfg.max_age_secs;
    let remaining = |at: i64| -> i64 {
        let end = at.saturating_add(window.saturating_mul(1000));
        (end.saturating_sub(now) / 1000).clamp(1, window)
    };
    let dup = copies > 1;
    // What to write: (id, captured_at, max_age), or a repair-only / cleanup decision.
    let mut write: Option<(String, i64, i64)> = None;
    match (incoming, best) {
        (Some((id, source)), best) => {
            let same = best.as_ref().filter(|(b, _)| *b == id);
            let keep_first =
                cfg.attribution == Attribution::FirstClick && best.is_some() && same.is_none();
            if keep_first {
                if let Some((bid, bat)) = best {
                    warnings.push(Warning::new(
                        WarningCode::FirstClickKept,
                        "first-click attribution: the stored click id is kept and the new one ignored",
                    ));
                    if dup {
                        write = Some((
                            bid.clone(),
                            bat.unwrap_or(now),
                            bat.map_or(window, remaining),
                        ));
                    }
                    out.click_id = Some(bid);
                    out.source = Some(Source::Cookie);
                    out.captured_at = bat;
                }
            } else {
                let at = match same {
                    Some((_, Some(at))) if !cfg.extend_on_repeat => *at,
                    _ => now,
                };
                let max_age = if at == now { window } else { remaining(at) };
                write = Some((id.clone(), at, max_age));
                out.click_id = Some(id);
                out.source = Some(source);
                out.captured_at = Some(at);
            }
        }
        (None, Some((id, at))) => {
            if dup {
                write = Some((id.clone(), at.unwrap_or(now), at.map_or(window, remaining)));
            }
            out.click_id = Some(id);
            out.source = Some(Source::Cookie);
            out.captured_at = at;
        }
        (None, None) => {
            if let (Some(sc), true) = (&sc, copies > 0) {
                delete_all(&mut out, sc, dup);
            }
        }
    }
    if let (Some(sc), Some((id, at, max_age))) = (&sc, write) {
        if dup {
            if let Some(other) = &sc.other {
                out.set_cookie
                    .push(delete_cookie(&cfg.cookie_name, other.as_deref(), &cfg.path));
            }
        }
        out.set_cookie.push(set_cookie(
            &Attrs {
                name: &cfg.cookie_name,
                domain: sc.ours.as_deref(),
                path: &cfg.path,
                secure,
                http_only: cfg.http_only,
                same_site: cfg.same_site.as_attr(),
            },
            &format_value(at, &id),
            max_age,
        ));
    }
    out.store = out.click_id.is_some() && sc.is_some();
    out.warnings = warnings;
    Ok(out)
}

fn referer_click_id(c: &Checked<'_>, host: &SiteHost, referer: &str) -> Option<String> {
    if referer.len() > MAX_REFERER_BYTES {
        return None;
    }
    let url = url::Url::parse(referer.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let from = parse_host(url.host_str()?)?;
    if from.site() != host.site() {
        return None;
    }
    let names: Vec<&str> = c.cfg.param_names.iter().map(String::as_str).collect();
    let scan = scan_query(url.query()?, &names);
    let raw: Vec<&str> = scan.values.iter().map(|(_, v)| *v).collect();
    // A fallback: problems in an earlier page's URL were reported on that page.
    pick_last_valid(&raw, &mut Vec::new())
}

/// Reads the stored click id from a `Cookie` header (newest valid copy within the referral
/// window). Writes nothing and ignores consent: use [`capture`] for the full decision.
pub fn read_stored(config: &ClickIdConfig, cookie_header: &str, now_ms: i64) -> Result<Outcome> {
    let c = config.check()?;
    let mut warnings = Vec::new();
    let (_, best) = stored_copies(&c, Some(cookie_header), now_ms.max(0), &mut warnings);
    let mut out = Outcome {
        warnings,
        ..Outcome::default()
    };
    if let Some((id, at)) = best {
        out.click_id = Some(id);
        out.source = Some(Source::Cookie);
        out.store = true;
        out.captured_at = at;
    }
    Ok(out)
}

/// `Set-Cookie` values that delete the click-id cookie for `host`, in both scopes (with
/// the registrable `Domain` and host-only), e.g. when consent is withdrawn.
pub fn clear(config: &ClickIdConfig, host: &str) -> Result<Vec<String>> {
    let c = config.check()?;
    let Some(h) = parse_host(host) else {
        return Err(Error::new(
            ErrorCode::Validation,
            format!("clear: {host:?} is not a valid host name"),
        ));
    };
    let sc = scope(&c, &h, &mut Vec::new());
    let mut out = Vec::new();
    if let Some(other) = &sc.other {
        out.push(delete_cookie(
            &config.cookie_name,
            other.as_deref(),
            &config.path,
        ));
    }
    out.push(delete_cookie(
        &config.cookie_name,
        sc.ours.as_deref(),
        &config.path,
    ));
    Ok(out)
}

/// JSON in, JSON out, for bindings: `config` as [`ClickIdConfig`], `request` as
/// [`CaptureRequest`]; returns the [`Outcome`] JSON.
pub fn capture_json(
    config: &serde_json::Value,
    request: &serde_json::Value,
) -> Result<serde_json::Value> {
    let cfg = ClickIdConfig::from_json(config)?;
    let req: CaptureRequest = serde_json::from_value(request.clone()).map_err(|e| {
        Error::new(
            ErrorCode::Validation,
            format!("click_id capture request: {e}"),
        )
    })?;
    let out = capture(&cfg, &req)?;
    serde_json::to_value(out).map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))
}
