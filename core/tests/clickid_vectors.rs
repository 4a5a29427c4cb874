//! Runs every golden vector in `tests/vectors/clickid/` through the public API and compares
//! exactly (warnings by code, in order). `CLICKID_BLESS=1` rewrites `expected` from the
//! current output — review the diff before committing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use impact_conversions::clickid::{
    capture_json, clear, decorate_url, ClickIdConfig, DecorateRequest,
};
use serde_json::{json, Value};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/clickid")
}

fn files() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Warnings compared by code only: messages are for people.
fn codes_only(mut v: Value) -> Value {
    if let Some(w) = v.get_mut("warnings") {
        let codes: Vec<Value> = w
            .as_array()
            .map(|a| a.iter().map(|x| json!({"code": x["code"]})).collect())
            .unwrap_or_default();
        *w = Value::Array(codes);
    }
    v
}

/// `request_fill` builds huge strings: `{"query": {"prefix", "repeat", "times", "suffix"}}`.
fn fill(request: &mut Value, spec: &Value) {
    for (field, f) in spec.as_object().unwrap() {
        let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let times = f["times"].as_u64().unwrap() as usize;
        request[field] = Value::String(format!(
            "{}{}{}",
            s("prefix"),
            s("repeat").repeat(times),
            s("suffix")
        ));
    }
}

fn run(v: &Value) -> Result<Value, Value> {
    let err = |e: impact_conversions::Error| json!({"code": e.code.as_str()});
    if let Some(req) = v.get("request") {
        let mut req = req.clone();
        if let Some(spec) = v.get("request_fill") {
            fill(&mut req, spec);
        }
        return capture_json(&v["config"], &req)
            .map(codes_only)
            .map_err(err);
    }
    let cfg = ClickIdConfig::from_json(&v["config"]).map_err(err)?;
    if let Some(d) = v.get("decorate") {
        let d: DecorateRequest = serde_json::from_value(d.clone()).unwrap();
        let out = decorate_url(&cfg, &d.url, &d.click_id, d.now).map_err(err)?;
        return Ok(codes_only(serde_json::to_value(out).unwrap()));
    }
    if let Some(c) = v.get("clear") {
        let host = c["host"].as_str().unwrap();
        return Ok(json!({"set_cookie": clear(&cfg, host).map_err(err)?}));
    }
    panic!("vector has none of request / decorate / clear");
}

#[test]
fn every_clickid_vector_matches() {
    let bless = std::env::var_os("CLICKID_BLESS").is_some();
    let all = files();
    assert!(all.len() >= 50, "only {} vectors", all.len());
    let mut failures = Vec::new();
    for path in &all {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let got = run(&v);
        if bless {
            let obj = v.as_object_mut().unwrap();
            obj.remove("expected");
            obj.remove("expected_error");
            match got {
                Ok(o) => obj.insert("expected".into(), o),
                Err(e) => obj.insert("expected_error".into(), e),
            };
            let text = serde_json::to_string_pretty(&v).unwrap() + "\n";
            std::fs::write(path, text).unwrap();
            continue;
        }
        match (&got, v.get("expected"), v.get("expected_error")) {
            (Ok(o), Some(want), None) if o == want => {}
            (Err(e), None, Some(want)) if e["code"] == want["code"] => {}
            _ => failures.push(format!(
                "{name}:\n  want {}\n  got  {}",
                v.get("expected")
                    .or(v.get("expected_error"))
                    .unwrap_or(&Value::Null),
                match &got {
                    Ok(o) => o.to_string(),
                    Err(e) => format!("error {e}"),
                }
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Types bindings exchange survive a JSON round trip unchanged.
#[test]
fn json_round_trips() {
    let cfg = ClickIdConfig::default();
    let back: ClickIdConfig = serde_json::from_value(serde_json::to_value(&cfg).unwrap()).unwrap();
    assert_eq!(cfg, back);
    for path in files() {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Some(req) = v.get("request") {
            let r: impact_conversions::clickid::CaptureRequest =
                match serde_json::from_value(req.clone()) {
                    Ok(r) => r,
                    Err(_) => continue,
                };
            let again: impact_conversions::clickid::CaptureRequest =
                serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
            assert_eq!(r, again);
        }
    }
}
