//! Host normalization and the cookie `Domain` decision (public-suffix list via `psl`).

use std::net::Ipv6Addr;

/// Longest Host header looked at (DNS names are at most 253 bytes).
const MAX_HOST_LEN: usize = 300;

/// A normalized request host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteHost {
    /// Lowercase ASCII (punycode), no port, no trailing dot; IPv6 in brackets.
    pub name: String,
    /// Registrable domain (eTLD+1) when the host has one; `None` for IPs, `localhost`,
    /// single labels and hosts that are themselves public suffixes.
    pub registrable: Option<String>,
    pub is_ip: bool,
    /// The Host ended in `.`: browsers do not domain-match it, so cookies stay host-only.
    pub fqdn: bool,
}

impl SiteHost {
    /// Equal to `domain` or a subdomain of it.
    pub fn is_within(&self, domain: &str) -> bool {
        self.name == domain
            || (!self.is_ip
                && self
                    .name
                    .strip_suffix(domain)
                    .is_some_and(|rest| rest.ends_with('.')))
    }

    /// The "site" used for same-site checks: the registrable domain, else the host.
    pub fn site(&self) -> &str {
        self.registrable.as_deref().unwrap_or(&self.name)
    }
}

/// Parses a Host header value (`Host`, `host:port`, `[v6]:port`, IDN or punycode).
pub(crate) fn parse_host(raw: &str) -> Option<SiteHost> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_HOST_LEN {
        return None;
    }
    if let Some(rest) = raw.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        let ip: Ipv6Addr = inside.parse().ok()?;
        return Some(ip_host(format!("[{ip}]")));
    }
    if let Ok(ip) = raw.parse::<Ipv6Addr>() {
        return Some(ip_host(format!("[{ip}]")));
    }
    let name = match raw.rsplit_once(':') {
        Some((h, port)) if is_port(port) => h,
        Some(_) => return None,
        None => raw,
    };
    let (name, fqdn) = match name.strip_suffix('.') {
        Some(n) => (n, true),
        None => (name, false),
    };
    if name.is_empty() || name.ends_with('.') {
        return None;
    }
    match url::Host::parse(name).ok()? {
        url::Host::Domain(d) => {
            let d = d.to_ascii_lowercase();
            // WHATWG hosts may hold `&`, `*`, `!`...: not a name a cookie Domain can carry.
            let name_byte =
                |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.';
            if d.is_empty() || d.split('.').any(str::is_empty) || !d.bytes().all(name_byte) {
                return None;
            }
            let registrable = if d.contains('.') {
                psl::domain_str(&d).map(str::to_owned)
            } else {
                None
            };
            Some(SiteHost {
                name: d,
                registrable,
                is_ip: false,
                fqdn,
            })
        }
        url::Host::Ipv4(ip) => Some(ip_host(ip.to_string())),
        url::Host::Ipv6(ip) => Some(ip_host(format!("[{ip}]"))),
    }
}

fn ip_host(name: String) -> SiteHost {
    SiteHost {
        name,
        registrable: None,
        is_ip: true,
        fqdn: false,
    }
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(h: &str) -> Option<String> {
        parse_host(h).and_then(|h| h.registrable)
    }

    #[test]
    fn domains() {
        assert_eq!(reg("www.example.co.uk").as_deref(), Some("example.co.uk"));
        assert_eq!(reg("foo.github.io").as_deref(), Some("foo.github.io"));
        assert_eq!(reg("github.io"), None);
        assert_eq!(reg("127.0.0.1"), None);
        assert_eq!(reg("localhost:3000"), None);
        assert_eq!(reg("WWW.Example.COM:443").as_deref(), Some("example.com"));
        assert_eq!(
            parse_host("[::1]:8080").map(|h| h.name).as_deref(),
            Some("[::1]")
        );
        assert_eq!(reg("www.münchen.de").as_deref(), Some("xn--mnchen-3ya.de"));
        assert!(parse_host("EXAMPLE.COM.").is_some_and(|h| h.fqdn && h.name == "example.com"));
        assert!(parse_host("a b.com").is_none());
        assert!(parse_host("example.com:x").is_none());
        assert!(parse_host("a.&").is_none() && parse_host("shop*.example.com").is_none());
        assert!(parse_host("my_host.internal").is_some());
    }
}
