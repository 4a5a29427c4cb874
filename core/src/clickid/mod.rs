//! Click-id capture: `irclickid` from the landing URL into a first-party cookie, back out
//! on later visits, across sister domains, and into [`crate::Conversion`]'s `ClickId`.
//!
//! The core makes the whole decision and returns the exact `Set-Cookie` strings, because
//! every framework's cookie helper changes the bytes (Express and PHP percent-encode `:`,
//! Laravel encrypts, Symfony forces HttpOnly). Bindings copy the strings into their
//! response headers verbatim and never use their framework's cookie API for this cookie.
//!
//! # API
//!
//! - [`capture`]`(&ClickIdConfig, &CaptureRequest) -> Result<Outcome>`; [`capture_json`]
//!   for bindings (JSON in, JSON out).
//! - [`read_stored`]`(config, cookie_header, now_ms)`: the stored click, nothing written.
//! - [`decorate_url`]`(config, url, click_id, now_ms) -> Result<Decorated>`: cross-domain links.
//! - [`clear`]`(config, host) -> Result<Vec<String>>`: delete the cookie (both scopes).
//! - [`validate_click_id`]`(value) -> Result<(), Warning>`.
//!
//! All are pure: no I/O, the time comes from the caller. A bad configuration is an
//! [`crate::Error`] with code `config` whose message names the field and the fix.
//!
//! # JSON shapes
//!
//! Request (`now`: unix ms or RFC 3339; `query` wins over the query of `url`; several
//! `Cookie` headers are joined with `"; "`; `consent` defaults to `unknown`):
//!
//! ```json
//! {"scheme": "https", "host": "www.example.com", "url": "/landing?irclickid=abc",
//!  "query": "irclickid=abc", "cookie": "a=1; impact_irclickid=1.1700000000000.abc",
//!  "referer": "https://www.example.com/", "forwarded_proto": "https",
//!  "consent": "granted", "now": 1700000000000}
//! ```
//!
//! Outcome:
//!
//! ```json
//! {"click_id": "abc", "source": "query", "store": true, "captured_at": 1700000000000,
//!  "set_cookie": ["impact_irclickid=1.1700000000000.abc; Max-Age=2592000; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax"],
//!  "warnings": [{"code": "click_id_conflict", "message": "..."}]}
//! ```
//!
//! `source` is `query`, `handoff`, `referer`, `cookie` or `null`. `store: false` with a
//! `click_id` means "use it for this request, do not keep it" (consent, host not allowed).
//!
//! # Defaults ([`ClickIdConfig::default`], `{}` in JSON)
//!
//! `param_names ["irclickid"]` (ASCII case ignored), `cookie_name "impact_irclickid"`,
//! `max_age_secs 2592000` (30 days; 1..=34560000, the 400-day browser cap), `path "/"`,
//! `same_site "lax"`, `http_only true`, `Secure` when the request is https
//! (`X-Forwarded-Proto` only with `trust_forwarded_proto`), `domain "auto"` (registrable
//! domain from the public-suffix list; host-only for IPs, `localhost`, single labels,
//! public suffixes and hosts with a trailing dot), `allowed_domains []` (any host),
//! `attribution "last_click"`, `extend_on_repeat false`, `consent_unknown "denied"`,
//! `referer_fallback true`, `handoff {sister_domains [], secret null, token_param
//! "irclickid_token", token_ttl_secs 120, max_clock_skew_secs 30}`.
//!
//! # Rules
//!
//! - Values are percent-decoded once (`+` is not a space) and must match
//!   `[A-Za-z0-9._~:-]{1,64}`; case is kept, nothing is truncated. A bad value is ignored
//!   with a warning and the stored cookie is kept. A repeated parameter: the last valid
//!   value, with `click_id_conflict` when the values differ.
//! - Cookie value `1.<capture unix ms>.<id>`: a click older than `max_age_secs` is not
//!   reported; the same id arriving again re-sends the cookie with the original capture
//!   time and the remaining Max-Age (window counted from the click). Legacy raw values,
//!   percent-encoded or not, are read. A revisit without the parameter writes nothing.
//! - Precedence: query parameter, then a valid hand-off token, then the stored cookie,
//!   then (only when there is none) a same-site `Referer`. Last click wins unless
//!   `attribution` is `first_click`.
//! - Duplicate cookies (host-only and Domain copies): the newest valid one wins, the copy
//!   in the other scope is deleted and the winner re-written in ours.
//! - Consent denied (or unknown, by default): nothing is stored, an existing cookie is
//!   deleted in both scopes, the id from the current request is still returned with
//!   `store: false`; a stored id is not returned.
//! - Bounded work: at most 16 KiB / 256 pairs of a query, 32 KiB / 512 cookies of a
//!   `Cookie` header, 8 KiB of a `Referer`; past that, input is ignored with a warning
//!   (`query_truncated`, `cookie_header_truncated`), never read half.
//!
//! # Hand-off
//!
//! [`decorate_url`] only touches links whose host is within `handoff.sister_domains`;
//! links to the site's own `allowed_domains`, relative links and every other domain come
//! back unchanged. Without a secret the link gets `irclickid=<id>`; with one it gets
//! `irclickid_token=1.<issued unix s>.<id>.<HMAC-SHA256, base64url>`, valid for
//! `token_ttl_secs` (+ `max_clock_skew_secs`) so a link shared later carries nothing.
//!
//! # Warning codes (stable)
//!
//! See [`WarningCode`]. Golden vectors: `tests/vectors/clickid/` (format in its README).

mod capture;
mod config;
mod cookie;
mod handoff;
mod host;
mod value;

pub use capture::{
    capture, capture_json, clear, read_stored, CaptureRequest, Outcome, Source, MAX_REFERER_BYTES,
};
pub use config::{
    Attribution, ClickIdConfig, Consent, HandoffConfig, SameSite, DEFAULT_CLOCK_SKEW_SECS,
    DEFAULT_MAX_AGE_SECS, DEFAULT_TOKEN_TTL_SECS, MAX_MAX_AGE_SECS, MIN_SECRET_LEN,
};
pub use cookie::{MAX_COOKIE_BYTES, MAX_COOKIE_PAIRS};
pub use handoff::{decorate_url, DecorateRequest, Decorated, MAX_DECORATE_URL_BYTES};
pub use value::{validate_click_id, MAX_CLICK_ID_LEN, MAX_QUERY_BYTES, MAX_QUERY_PAIRS};

use serde::{Deserialize, Serialize};

/// Stable warning codes shared by every binding: add new ones, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The parameter was present but empty (`irclickid=` or bare `irclickid`).
    ClickIdEmpty,
    /// The value is longer than 64 bytes (it is never truncated).
    ClickIdTooLong,
    /// The value has characters outside `[A-Za-z0-9._~:-]` or does not decode.
    ClickIdInvalid,
    /// The parameter appears several times with different valid values; the last won.
    ClickIdConflict,
    /// The query was larger than the scan limit; the rest was not read.
    QueryTruncated,
    /// The `Cookie` header was larger than the scan limit; the rest was not read.
    CookieHeaderTruncated,
    /// A stored cookie value is malformed; it was ignored (and deleted if nothing replaces it).
    StoredCookieInvalid,
    /// A stored click is older than the referral window; it was ignored.
    StoredCookieExpired,
    /// Several copies of the cookie were sent; the newest valid won, the stale one is deleted.
    StoredCookieDuplicate,
    /// First-click attribution kept the stored id over a new one.
    FirstClickKept,
    /// Consent denied: nothing stored, an existing cookie deleted.
    ConsentDenied,
    /// Consent unknown and treated as denied (`consent_unknown`).
    ConsentUnknown,
    /// The host is outside `allowed_domains`: no cookie written.
    HostNotAllowed,
    /// The Host header is not a host name: no cookie written.
    InvalidHost,
    /// The host is not within the explicit `domain`; the cookie is host-only.
    CookieDomainMismatch,
    /// `X-Forwarded-Proto: https` was not believed (`trust_forwarded_proto` is off).
    ForwardedProtoIgnored,
    /// `SameSite=None` on a non-https request: browsers drop the cookie.
    SameSiteNoneInsecure,
    /// A hand-off token arrived but no secret is configured.
    HandoffNotConfigured,
    /// A hand-off token is malformed or its signature does not match.
    HandoffInvalid,
    /// A hand-off token is older than its lifetime (plus skew).
    HandoffExpired,
    /// A hand-off token is issued further in the future than the allowed skew.
    HandoffNotYetValid,
    /// `decorate_url` could not parse the URL and left it unchanged.
    UrlUnparsable,
}

impl WarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::ClickIdEmpty => "click_id_empty",
            WarningCode::ClickIdTooLong => "click_id_too_long",
            WarningCode::ClickIdInvalid => "click_id_invalid",
            WarningCode::ClickIdConflict => "click_id_conflict",
            WarningCode::QueryTruncated => "query_truncated",
            WarningCode::CookieHeaderTruncated => "cookie_header_truncated",
            WarningCode::StoredCookieInvalid => "stored_cookie_invalid",
            WarningCode::StoredCookieExpired => "stored_cookie_expired",
            WarningCode::StoredCookieDuplicate => "stored_cookie_duplicate",
            WarningCode::FirstClickKept => "first_click_kept",
            WarningCode::ConsentDenied => "consent_denied",
            WarningCode::ConsentUnknown => "consent_unknown",
            WarningCode::HostNotAllowed => "host_not_allowed",
            WarningCode::InvalidHost => "invalid_host",
            WarningCode::CookieDomainMismatch => "cookie_domain_mismatch",
            WarningCode::ForwardedProtoIgnored => "forwarded_proto_ignored",
            WarningCode::SameSiteNoneInsecure => "same_site_none_insecure",
            WarningCode::HandoffNotConfigured => "handoff_not_configured",
            WarningCode::HandoffInvalid => "handoff_invalid",
            WarningCode::HandoffExpired => "handoff_expired",
            WarningCode::HandoffNotYetValid => "handoff_not_yet_valid",
            WarningCode::UrlUnparsable => "url_unparsable",
        }
    }
}

/// A non-fatal finding: a stable `code` for programs, a `message` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            code,
            message: message.into(),
        }
    }
}
