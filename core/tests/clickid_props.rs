//! Property tests over `capture`: no panic on any input, and every `Set-Cookie` it emits is
//! syntactically valid (RFC 6265 name token, cookie-octets, known attributes only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use impact_conversions::clickid::{
    capture, decorate_url, CaptureRequest, ClickIdConfig, Consent, HandoffConfig,
};
use proptest::prelude::*;

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_cookie_octets(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E))
}

fn check_set_cookie(h: &str) -> Result<(), String> {
    let mut parts = h.split("; ");
    let first = parts.next().ok_or("empty")?;
    let (name, value) = first.split_once('=').ok_or("no '='")?;
    if !is_token(name) || !is_cookie_octets(value) {
        return Err(format!("bad name/value in {h:?}"));
    }
    let mut seen = Vec::new();
    for attr in parts {
        let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
        let ok = match k {
            "Max-Age" => {
                !v.is_empty()
                    && v.bytes().all(|b| b.is_ascii_digit())
                    && v.parse::<u64>().is_ok_and(|n| n <= 34_560_000)
            }
            "Domain" => {
                !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            }
            "Path" => {
                v.starts_with('/') && v.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b';')
            }
            "Secure" | "HttpOnly" => v.is_empty() && !attr.contains('='),
            "SameSite" => matches!(v, "Lax" | "Strict" | "None"),
            _ => false,
        };
        if !ok || seen.contains(&k) {
            return Err(format!("bad or repeated attribute {attr:?} in {h:?}"));
        }
        seen.push(k);
    }
    if !seen.contains(&"Max-Age") || !seen.contains(&"Path") {
        return Err(format!("missing Max-Age or Path in {h:?}"));
    }
    Ok(())
}

/// Strings built from the pieces that matter here, plus arbitrary text.
fn messy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("irclickid=".to_owned()),
        Just("IRCLICKID=".to_owned()),
        Just("irclickid_token=1.1700000000.abc.".to_owned()),
        Just("&".to_owned()),
        Just(";".to_owned()),
        Just("%".to_owned()),
        Just("%3A".to_owned()),
        Just("%C3%A9".to_owned()),
        Just("%FF".to_owned()),
        Just("+".to_owned()),
        Just("\"".to_owned()),
        Just("impact_irclickid=".to_owned()),
        Just("1.1700000000000.".to_owned()),
        Just("=".to_owned()),
        Just(" ".to_owned()),
        "[A-Za-z0-9._~:-]{0,70}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("www.example.com".to_owned()),
        Just("[::1]:8080".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("EXAMPLE.COM.".to_owned()),
        Just("foo.github.io".to_owned()),
        Just("localhost".to_owned()),
        Just("www.münchen.de".to_owned()),
        any::<String>(),
    ]
}

fn config() -> impl Strategy<Value = ClickIdConfig> {
    (any::<bool>(), any::<bool>(), 0..3u8, any::<bool>()).prop_map(
        |(first, http_only, dom, secret)| {
            let mut c = ClickIdConfig {
                http_only,
                domain: ["auto", "host_only", "example.com"][dom as usize].to_owned(),
                handoff: HandoffConfig {
                    secret: secret.then(|| "x".repeat(40)),
                    sister_domains: vec!["example-shop.de".into()],
                    ..HandoffConfig::default()
                },
                ..ClickIdConfig::default()
            };
            if first {
                c.attribution = impact_conversions::clickid::Attribution::FirstClick;
            }
            c
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn capture_never_panics_and_cookies_are_valid(
        cfg in config(),
        scheme in prop_oneof![Just("https".to_owned()), Just("http".to_owned()), any::<String>()],
        host in host(),
        query in messy(),
        cookie in messy(),
        referer in prop::option::of(messy().prop_map(|q| format!("https://www.example.com/?{q}"))),
        consent in prop_oneof![Just(Consent::Granted), Just(Consent::Denied), Just(Consent::Unknown)],
        now in prop_oneof![Just(1_700_000_000_000i64), any::<i64>()],
    ) {
        let req = CaptureRequest {
            scheme, host, url: None, query: Some(query), cookie: Some(cookie), referer,
            forwarded_proto: Some("https".into()), consent, now,
        };
        let out = capture(&cfg, &req).unwrap();
        for h in &out.set_cookie {
            prop_assert!(check_set_cookie(h).is_ok(), "{:?}", check_set_cookie(h));
        }
        if let Some(id) = &out.click_id {
            prop_assert!(impact_conversions::clickid::validate_click_id(id).is_ok());
        }
        if consent == Consent::Granted {
            prop_assert!(out.store == (out.click_id.is_some() && !out.warnings.iter().any(|w| matches!(w.code.as_str(), "invalid_host" | "host_not_allowed"))));
        } else {
            prop_assert!(!out.store);
            prop_assert!(out.set_cookie.iter().all(|h| h.contains("Max-Age=0")));
        }
    }

    #[test]
    fn decorate_never_panics(cfg in config(), url in any::<String>(), q in messy(), id in "[A-Za-z0-9:]{1,64}") {
        for u in [url, format!("https://www.example-shop.de/?{q}")] {
            let d = decorate_url(&cfg, &u, &id, 1_700_000_000_000).unwrap();
            prop_assert!(d.decorated || d.url == u);
        }
    }
}

/// Multi-megabyte inputs are cut at the documented limits and reported, never read whole
/// (their cost is measured in `benches/clickid.rs`, not here).
#[test]
fn huge_inputs_are_truncated_and_reported() {
    let cfg = ClickIdConfig::default();
    let big = "a=b&".repeat(1 << 20);
    let req = CaptureRequest {
        scheme: "https".into(),
        host: "www.example.com".into(),
        url: Some(format!("/x?{big}")),
        query: None,
        cookie: Some("c=d; ".repeat(1 << 20)),
        referer: Some(format!("https://www.example.com/?{big}")),
        forwarded_proto: None,
        consent: Consent::Granted,
        now: 0,
    };
    let outcome = capture(&cfg, &req).unwrap();
    let codes: Vec<String> = outcome
        .warnings
        .iter()
        .map(|w| {
            serde_json::to_value(w).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(codes.iter().any(|c| c == "query_truncated"), "{codes:?}");
    assert!(
        codes.iter().any(|c| c == "cookie_header_truncated"),
        "{codes:?}"
    );
    assert!(outcome.click_id.is_none());
}
