//! The core's validator and the emulator's independent one agree on every conversion vector:
//! what the core accepts the emulator queues; what the core rejects the emulator refuses
//! when a hand-written integration sends it as-is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use impact_conversions::{encode, Conversion};
use impact_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;
use std::path::PathBuf;

/// What a naive integration sends for an input the core refuses: each key as given, items
/// numbered `Item<Key><i>`, values as their JSON text.
fn naive_form(input: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in input.as_object()? {
        match (key.as_str(), value) {
            ("items", items) => {
                for (i, item) in items.as_array()?.iter().enumerate() {
                    for (k, v) in item.as_object()? {
                        let mut base = k.trim_start_matches("Item").to_owned();
                        if let Some(first) = base.get(..1) {
                            base = first.to_uppercase() + base.get(1..).unwrap_or("");
                        }
                        let base = base.replace("_total", "Total");
                        form.append_pair(&format!("Item{base}{}", i + 1), &text(v));
                    }
                }
            }
            ("extra", extra) => {
                for (k, v) in extra.as_object()? {
                    form.append_pair(k, &text(v));
                }
            }
            (_, Value::Null) => {}
            (k, v) => {
                form.append_pair(k, &text(v));
            }
        }
    }
    Some(form.finish())
}

#[tokio::test]
async fn core_and_emulator_agree_on_every_vector() {
    let config = SandboxConfig {
        // Parameters newer than the emulator, sent through `extra` by the vectors.
        extra_params: vec!["FutureParam".into(), "OtherParam".into()],
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.unwrap();
    let http = reqwest::Client::new();
    let url = format!(
        "{}/Advertisers/{}/Conversions",
        sb.base_url(),
        sb.config().account_sid
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/conversions");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut checked, mut skipped, mut disagreements) = (0, Vec::new(), Vec::new());
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let input = &vector["input"];
        let accepted = vector["expect"].get("body").is_some();
        let body = if accepted {
            encode(&Conversion::from_json(input).unwrap()).unwrap()
        } else {
            match naive_form(input) {
                Some(b) => b,
                None => {
                    skipped.push(name);
                    continue;
                }
            }
        };
        let response = http
            .post(&url)
            .basic_auth(&sb.config().account_sid, Some(&sb.config().auth_token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer = response.text().await.unwrap();
        checked += 1;
        match (accepted, status) {
            (true, 200) | (false, 400) => {}
            _ => disagreements.push(format!(
                "{name}: core {} / emulator {status}\n  sent {body}\n  answer {answer}",
                if accepted { "accepts" } else { "rejects" }
            )),
        }
    }
    assert!(
        checked >= 80,
        "only {checked} vectors checked (skipped {skipped:?})"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // Only inputs whose shape cannot be written as a form at all are skipped.
    assert!(skipped.len() <= 3, "skipped {skipped:?}");
}
