//! The command as a user runs it: exit codes, the emulator subcommand, submit and status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_impact-conversions");
const SEED: &str = r#"{"CampaignId":1000,"EventTypeId":9876,"EventDate":"2024-08-01T23:55:24-08:00","OrderId":"O-cli","ClickId":"abc","CurrencyCode":"USD","Amount":"10.00"}"#;

fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validate_and_encode_exit_codes() {
    let (code, out, _) = run(&["validate", "-"], SEED, &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(&["encode"], SEED, &[]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("CampaignId=1000&EventDate=2024-08-01T23%3A55%3A24-08%3A00&OrderId=O-cli")
    );
    let (code, out, _) = run(&["validate"], r#"{"CampaignId":1000}"#, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("\"required\""));
    let (code, _, err) = run(&["encode", "/nonexistent.json"], "", &[]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn submit_and_status_against_the_sandbox_subcommand() {
    let mut sandbox = Command::new(BIN)
        .args(["sandbox", "--port", "0", "--processing-delay-ms", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sandbox.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("IMPACT_SANDBOX_URL=")
        .unwrap()
        .to_owned();
    let env = [
        ("IMPACT_ACCOUNT_SID", "IRSANDBOX00000000000000000000001"),
        ("IMPACT_AUTH_TOKEN", "sandbox-auth-token"),
        ("IMPACT_BASE_URL", url.as_str()),
    ];
    let (code, out, err) = run(&["submit", "--wait", "5"], SEED, &env);
    assert_eq!(code, 0, "{err}");
    // Two JSON documents: the receipt, then the final status.
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&out)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let id = docs[0]["submission_id"].as_str().unwrap().to_owned();
    assert_eq!(docs[1]["status"], "Complete", "{out}");
    let (code, out, _) = run(&["status", &id], "", &env);
    assert_eq!(code, 0);
    assert!(out.contains("\"complete\": true"));
    let bad_token = [env[0], ("IMPACT_AUTH_TOKEN", "wrong"), env[2]];
    let (code, _, err) = run(&["submit"], SEED, &bad_token);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"auth\"") && !err.contains("wrong"), "{err}");
    let (code, _, err) = run(&["submit"], SEED, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("IMPACT_ACCOUNT_SID"));
    sandbox.kill().unwrap();
    let _ = sandbox.wait();
}
