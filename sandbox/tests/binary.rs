//! The `impact-sandbox` binary as other languages' tests use it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

fn url_line(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("IMPACT_SANDBOX_URL=")
        .expect(&line);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    url.to_owned()
}

#[tokio::test]
async fn settings_from_the_environment_and_sigterm_stops_it() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_impact-sandbox"))
        .args(["--port", "0", "--hourly-budget", "5"])
        .env(
            "IMPACT_SANDBOX_ACCOUNT_SID",
            "IRENV000000000000000000000000001",
        )
        .env("IMPACT_SANDBOX_AUTH_TOKEN", "env-token")
        .env("IMPACT_SANDBOX_PROCESSING_DELAY_MS", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = url_line(&mut child);
    let http = reqwest::Client::new();
    let r = http
        .post(format!(
            "{url}/Advertisers/IRENV000000000000000000000000001/Conversions"
        ))
        .basic_auth("IRENV000000000000000000000000001", Some("env-token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("CampaignId=1&EventTypeId=2&EventDate=2024-08-01T23%3A55%3A24-08%3A00&OrderId=O1&CustomerId=C1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-ratelimit-limit"], "5");
    let queued: serde_json::Value = r.json().await.unwrap();
    let status: serde_json::Value = http
        .get(format!("{url}{}", queued["QueuedUri"].as_str().unwrap()))
        .basic_auth("IRENV000000000000000000000000001", Some("env-token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["Status"], "Complete");

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("env-token"), "{stderr}");
}

#[test]
fn help_does_not_show_the_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_impact-sandbox"))
        .arg("--help")
        .env("IMPACT_SANDBOX_AUTH_TOKEN", "secret-from-env")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--port",
        "--account-sid",
        "--auth-token",
        "--hourly-budget",
        "--processing-delay-ms",
    ] {
        assert!(help.contains(flag), "{flag} missing from {help}");
    }
    assert!(!help.contains("secret-from-env"), "{help}");
    assert!(!help.contains("sandbox-auth-token"), "{help}");
}
