//! Configuration of click-id capture, with the documented defaults and their validation.

use super::host::{parse_host, SiteHost};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// 30 days, impact.com's default referral window.
pub const DEFAULT_MAX_AGE_SECS: i64 = 30 * 24 * 60 * 60;
/// 400 days: browsers cap cookie lifetimes here, so a longer Max-Age would be a lie.
pub const MAX_MAX_AGE_SECS: i64 = 400 * 24 * 60 * 60;
/// Hand-off tokens live two minutes: long enough for a redirect, too short to share.
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 120;
/// Hand-off tokens tolerate this much clock difference between the two servers.
pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 30;
/// Shortest accepted hand-off secret, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// How a request's consent state is given (and what `unknown` is treated as).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Granted,
    Denied,
    #[default]
    Unknown,
}

/// `SameSite` attribute of the cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SameSite {
    #[default]
    Lax,
    Strict,
    None,
}

impl SameSite {
    pub fn as_attr(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// Which click wins when a visitor arrives with a new id while one is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    #[default]
    LastClick,
    FirstClick,
}

/// Cross-domain hand-off settings (see [`super::decorate_url`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HandoffConfig {
    /// The site's other registrable domains that may receive the click id. Empty: never.
    pub sister_domains: Vec<String>,
    /// Shared HMAC-SHA256 secret (>= 32 bytes). Set: links carry a short-lived signed token
    /// instead of the bare id, and received tokens are verified. Unset: the bare id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Older secrets still accepted when verifying, for rotation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub previous_secrets: Vec<String>,
    /// Query parameter carrying the signed token.
    pub token_param: String,
    /// Token lifetime in seconds (1..=3600).
    pub token_ttl_secs: i64,
    /// Tolerated clock difference between the signing and verifying servers (0..=300).
    pub max_clock_skew_secs: i64,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        HandoffConfig {
            sister_domains: Vec::new(),
            secret: None,
            previous_secrets: Vec::new(),
            token_param: "irclickid_token".into(),
            token_ttl_secs: DEFAULT_TOKEN_TTL_SECS,
            max_clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
        }
    }
}

/// Everything that decides what `capture` does. `{}` in JSON gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClickIdConfig {
    /// Query parameter names carrying the click id, matched ignoring ASCII case.
    pub param_names: Vec<String>,
    /// Cookie name; namespaced so it cannot collide with the site's own cookies.
    pub cookie_name: String,
    /// Referral window and cookie Max-Age in seconds (1..=34560000, i.e. 400 days).
    pub max_age_secs: i64,
    /// Cookie `Path`.
    pub path: String,
    pub same_site: SameSite,
    /// `HttpOnly`; turn off only when front-end code must read the cookie.
    pub http_only: bool,
    /// Believe `X-Forwarded-Proto` (only behind a proxy that sets it).
    pub trust_forwarded_proto: bool,
    /// Cookie `Domain`: `"auto"` (registrable domain from the public-suffix list),
    /// `"host_only"` (no Domain attribute), or an explicit parent domain of the host.
    pub domain: String,
    /// The site's own domains; when non-empty, no cookie is written for other hosts.
    pub allowed_domains: Vec<String>,
    pub attribution: Attribution,
    /// The same id arriving again restarts the window (`true`) or keeps the original
    /// expiry (`false`, default: the window counts from the click).
    pub extend_on_repeat: bool,
    /// What `consent: "unknown"` means: `denied` (default) or `granted`.
    pub consent_unknown: Consent,
    /// Read the click id from a same-site `Referer` when nothing else has one.
    pub referer_fallback: bool,
    pub handoff: HandoffConfig,
}

impl Default for ClickIdConfig {
    fn default() -> Self {
        ClickIdConfig {
            param_names: vec!["irclickid".into()],
            cookie_name: "impact_irclickid".into(),
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            path: "/".into(),
            same_site: SameSite::Lax,
            http_only: true,
            trust_forwarded_proto: false,
            domain: "auto".into(),
            allowed_domains: Vec::new(),
            attribution: Attribution::LastClick,
            extend_on_repeat: false,
            consent_unknown: Consent::Denied,
            referer_fallback: true,
            handoff: HandoffConfig::default(),
        }
    }
}

/// How the `domain` setting was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DomainMode {
    Auto,
    HostOnly,
    Explicit(String),
}

/// A validated configuration with its domain lists parsed once.
pub(crate) struct Checked<'a> {
    pub cfg: &'a ClickIdConfig,
    pub domain: DomainMode,
    pub allowed: Vec<SiteHost>,
    pub sisters: Vec<SiteHost>,
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_domain_list(field: &str, list: &[String]) -> Result<Vec<SiteHost>> {
    list.iter()
        .map(|d| {
            parse_host(d)
                .filter(|h| !h.fqdn && h.name == d.to_ascii_lowercase())
                .ok_or_else(|| {
                    Error::config(format!(
                        "click_id.{field}: {d:?} is not a plain host name; write it like \"example.com\" (no scheme, port, path or trailing dot)"
                    ))
                })
        })
        .collect()
}

impl ClickIdConfig {
    /// Checks every field; the error names the field and the fix.
    pub fn validate(&self) -> Result<()> {
        self.check().map(|_| ())
    }

    pub(crate) fn check(&self) -> Result<Checked<'_>> {
        if self.param_names.is_empty() {
            return Err(Error::config(
                "click_id.param_names is empty; list at least one name, e.g. [\"irclickid\"]",
            ));
        }
        for name in self.param_names.iter().chain([&self.handoff.token_param]) {
            if name.is_empty()
                || name.len() > 64
                || !name.bytes().all(is_token_char)
                || name.contains(['&', '=', '#', '%', '+'])
            {
                return Err(Error::config(format!(
                    "click_id.param_names / handoff.token_param: {name:?} is not a usable query parameter name; use 1-64 letters, digits, '_' or '-'"
                )));
            }
        }
        if self
            .param_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&self.handoff.token_param))
        {
            return Err(Error::config(
                "click_id.handoff.token_param must differ from every name in param_names",
            ));
        }
        let n = &self.cookie_name;
        if n.is_empty() || n.len() > 128 || !n.bytes().all(is_token_char) {
            return Err(Error::config(format!(
                "click_id.cookie_name {n:?} is not a valid cookie name; use 1-128 letters, digits, '_' or '-'"
            )));
        }
        if !(1..=MAX_MAX_AGE_SECS).contains(&self.max_age_secs) {
            return Err(Error::config(format!(
                "click_id.max_age_secs is {}; it must be between 1 and {MAX_MAX_AGE_SECS} (400 days, the browser cap); the default is {DEFAULT_MAX_AGE_SECS} (30 days)",
                self.max_age_secs
            )));
        }
        let p = &self.path;
        if !p.starts_with('/')
            || p.len() > 1024
            || !p.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b';')
        {
            return Err(Error::config(format!(
                "click_id.path {p:?} must start with '/' and contain no spaces, ';' or control characters; the default is \"/\""
            )));
        }
        let domain = match self.domain.as_str() {
            "auto" => DomainMode::Auto,
            "host_only" => DomainMode::HostOnly,
            d => {
                let h = parse_domain_list("domain", &[d.to_owned()])?;
                match h.first() {
                    Some(h) if h.registrable.is_some() && !h.is_ip => DomainMode::Explicit(h.name.clone()),
                    _ => {
                        return Err(Error::config(format!(
                            "click_id.domain {d:?} is an IP address, a single label or a public suffix; use \"auto\", \"host_only\" or the site's registrable domain"
                        )))
                    }
                }
            }
        };
        if n.starts_with("__Host-") && (domain != DomainMode::HostOnly || self.path != "/") {
            return Err(Error::config(
                "click_id.cookie_name starts with __Host-, which needs domain \"host_only\" and path \"/\"",
            ));
        }
        if self.consent_unknown == Consent::Unknown {
            return Err(Error::config(
                "click_id.consent_unknown must be \"denied\" or \"granted\"",
            ));
        }
        let allowed = parse_domain_list("allowed_domains", &self.allowed_domains)?;
        let h = &self.handoff;
        let sisters = parse_domain_list("handoff.sister_domains", &h.sister_domains)?;
        for s in &sisters {
            if allowed
                .iter()
                .any(|a| s.is_within(&a.name) || a.is_within(&s.name))
            {
                return Err(Error::config(format!(
                    "click_id.handoff.sister_domains: {:?} overlaps allowed_domains; list the site's own domains only in allowed_domains",
                    s.name
                )));
            }
        }
        for secret in h.secret.iter().chain(h.previous_secrets.iter()) {
            if secret.len() < MIN_SECRET_LEN {
                return Err(Error::config(format!(
                    "click_id.handoff.secret (or previous_secrets) has {} bytes; use at least {MIN_SECRET_LEN} random bytes, the same on every sister domain",
                    secret.len()
                )));
            }
        }
        if !(1..=3600).contains(&h.token_ttl_secs) {
            return Err(Error::config(format!(
                "click_id.handoff.token_ttl_secs is {}; it must be between 1 and 3600 (default {DEFAULT_TOKEN_TTL_SECS})",
                h.token_ttl_secs
            )));
        }
        if !(0..=300).contains(&h.max_clock_skew_secs) {
            return Err(Error::config(format!(
                "click_id.handoff.max_clock_skew_secs is {}; it must be between 0 and 300 (default {DEFAULT_CLOCK_SKEW_SECS})",
                h.max_clock_skew_secs
            )));
        }
        Ok(Checked {
            cfg: self,
            domain,
            allowed,
            sisters,
        })
    }

    /// Reads a configuration from JSON (unknown keys are an error, missing keys default).
    pub fn from_json(value: &serde_json::Value) -> Result<ClickIdConfig> {
        let cfg: ClickIdConfig = serde_json::from_value(value.clone())
            .map_err(|e| Error::config(format!("click_id config: {e}")))?;
        cfg.validate()?;
        Ok(cfg)
    }
}
