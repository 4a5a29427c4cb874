//! Runs every conformance vector in `tests/vectors/conversions/` through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use impact_conversions::{allocate_discount, encode, validate::validate_json, Conversion};
use serde_json::Value;
use std::path::PathBuf;

fn vectors() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/conversions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect()
}

/// (code, path, field) of each issue, sorted; `field` left empty when not compared.
fn issues(list: &Value, with_field: bool) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = list
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|i| {
            let s = |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            (
                s("code"),
                s("path"),
                if with_field {
                    s("field")
                } else {
                    String::new()
                },
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_vector_matches() {
    let all = vectors();
    assert!(all.len() >= 40, "only {} vectors", all.len());
    let mut failures = Vec::new();
    for (name, v) in &all {
        let input = &v["input"];
        let expect = &v["expect"];
        let report = serde_json::to_value(validate_json(input)).unwrap();
        if let Some(body) = expect.get("body") {
            if !report["errors"].as_array().unwrap().is_empty() {
                failures.push(format!("{name}: unexpected errors {}", report["errors"]));
                continue;
            }
            let got = Conversion::from_json(input).and_then(|c| encode(&c));
            match got {
                Ok(b) if Value::String(b.clone()) == *body => {}
                other => failures.push(format!("{name}: body\n  want {body}\n  got  {other:?}")),
            }
            let want_w = issues(&expect["warnings"], false);
            let got_w = issues(&report["warnings"], false);
            if want_w != got_w {
                failures.push(format!("{name}: warnings want {want_w:?} got {got_w:?}"));
            }
            if let Some(want) = expect.get("discount") {
                let alloc = allocate_discount(&Conversion::from_json(input).unwrap()).unwrap();
                let got: Vec<Value> = alloc
                    .items
                    .iter()
                    .map(|s| Value::String(s.share.clone()))
                    .collect();
                if Value::Array(got.clone()) != *want {
                    failures.push(format!("{name}: discount want {want} got {got:?}"));
                }
            }
        } else {
            let want = issues(&expect["errors"], true);
            let got = issues(&report["errors"], true);
            if want != got {
                failures.push(format!("{name}: errors\n  want {want:?}\n  got  {got:?}"));
            }
            if Conversion::from_json(input)
                .and_then(|c| encode(&c))
                .is_ok()
            {
                failures.push(format!("{name}: encode accepted an invalid conversion"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
