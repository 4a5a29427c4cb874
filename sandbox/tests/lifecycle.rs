//! Auth, submissions (status progression, duplicates), actions and the rate-limit budget.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{encode, seed_with, Api, SEED, TOKEN};
use impact_sandbox::SandboxConfig;
use reqwest::Method;
use std::time::Duration;

#[tokio::test]
async fn every_api_route_needs_the_accounts_basic_auth() {
    let api = Api::new().await;
    let body = encode(SEED);
    let sid = api.sid();
    let other_sid = "IROTHER000000000000000000000001";
    type Attempt<'a> = (&'a str, Option<(&'a str, &'a str)>, String);
    let attempts: Vec<Attempt> = vec![
        ("no credentials", None, api.url("Conversions")),
        (
            "wrong token",
            Some((&sid, "wrong-token")),
            api.url("Conversions"),
        ),
        (
            "wrong user",
            Some((other_sid, TOKEN)),
            api.url("Conversions"),
        ),
        (
            "another account's path",
            Some((&sid, TOKEN)),
            format!("{}/Advertisers/{other_sid}/Conversions", api.sb.base_url()),
        ),
        (
            "status without credentials",
            None,
            api.url("APISubmissions/A-1"),
        ),
    ];
    for (name, creds, url) in attempts {
        let mut req = api
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone());
        if url.contains("APISubmissions") {
            req = api.http.get(&url);
        }
        if let Some((user, pass)) = creds {
            req = req.basic_auth(user, Some(pass));
        }
        let a = Api::answer(req.send().await.unwrap()).await;
        assert_eq!(a.status, 401, "{name}: {}", a.text);
        assert_eq!(a.json["Status"], "ERROR", "{name}");
        assert!(a.json["Message"].is_string(), "{name}");
        assert!(
            !a.text.contains("wrong-token") && !a.text.contains(TOKEN),
            "{name}"
        );
    }
    // A bearer token is not Basic auth.
    let r = api
        .http
        .post(api.url("Conversions"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(api.sb.accepted_count("O1234567"), 0);
    // Recorded, with the Authorization value masked.
    let received = api.sb.received();
    assert_eq!(received.len(), 6);
    assert!(received.iter().all(|r| r.status == 401));
    for r in &received {
        for (k, v) in &r.headers {
            assert!(!v.contains("wrong-token"), "{k}: {v}");
            if k == "authorization" {
                assert_eq!(v, "Basic ***");
            }
        }
    }
}

#[tokio::test]
async fn bodies_other_than_forms_and_unknown_routes() {
    let api = Api::new().await;
    let r = api
        .http
        .post(api.url("Conversions"))
        .basic_auth(api.sid(), Some(TOKEN))
        .header("content-type", "application/json")
        .body(r#"{"CampaignId":1000}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    // The media type is case-insensitive and may carry a charset.
    let r = api
        .http
        .post(api.url("Conversions"))
        .basic_auth(api.sid(), Some(TOKEN))
        .header(
            "content-type",
            "Application/X-WWW-Form-URLEncoded; charset=UTF-8",
        )
        .body(encode(SEED))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    for tail in ["Nope", "APISubmissions", "Conversions/1"] {
        let a = api.get(&format!("/Advertisers/{}/{tail}", api.sid())).await;
        assert_eq!(a.status, 404, "{tail}");
    }
    let a = api.get("/somewhere/else").await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn a_submission_goes_queued_in_progress_complete() {
    let api = Api::with(SandboxConfig {
        processing_delay: Duration::from_millis(600),
        ..SandboxConfig::default()
    })
    .await;
    let a = api.convert(SEED).await;
    let uri = a.json["QueuedUri"].as_str().unwrap().to_owned();
    let first = api.get(&uri).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let s = &first.json;
    assert_eq!(s["Status"], "Queued");
    assert_eq!(s["Type"], "Conversion");
    assert_eq!(s["BatchId"], uri.rsplit('/').next().unwrap());
    assert_eq!(s["Uri"], uri.as_str());
    assert_eq!(s["CampaignId"], 1000);
    assert_eq!(s["ActionTrackerId"], 9876);
    assert!(s["EventCode"].is_null());
    assert_eq!(s["OrderId"], "O1234567");
    assert_eq!(s["Payload"], encode(SEED).as_str());
    assert!(s["CompletionDate"].is_null() && s["ErrorType"].is_null());
    chrono::DateTime::parse_from_rfc3339(s["SubmissionDate"].as_str().unwrap()).unwrap();

    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(api.get(&uri).await.json["Status"], "In Progress");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let done = api.get(&uri).await.json;
    assert_eq!(done["Status"], "Complete");
    chrono::DateTime::parse_from_rfc3339(done["CompletionDate"].as_str().unwrap()).unwrap();
    assert!(done["ErrorType"].is_null() && done["ErrorReason"].is_null());

    let missing = api
        .get(&format!("/Advertisers/{}/APISubmissions/A-nope", api.sid()))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json["Status"], "ERROR");
}

#[tokio::test]
async fn a_second_conversion_of_an_order_completes_as_a_duplicate() {
    let api = Api::with(SandboxConfig {
        processing_delay: Duration::from_millis(50),
        ..SandboxConfig::default()
    })
    .await;
    let uri = |a: common::Answer| a.json["QueuedUri"].as_str().unwrap().to_owned();
    let first = uri(api.convert(SEED).await);
    // Queued is not accepted: the retry is answered QUEUED as well.
    let again = uri(api.convert(SEED).await);
    // The older name of the same event type is the same event type.
    let old_name = uri(api
        .convert(&seed_with(&[("ActionTrackerId", "9876")], &["EventTypeId"]))
        .await);
    // Another event type, or another order, is not a duplicate.
    let other_event = uri(api
        .convert(&seed_with(&[("EventTypeId", "1111")], &[]))
        .await);
    let other_order = uri(api.convert(&seed_with(&[("OrderId", "O2")], &[])).await);
    assert_ne!(first, again);
    assert_eq!(api.sb.accepted_count("O1234567"), 4);
    assert_eq!(api.sb.accepted_count("O2"), 1);
    assert_eq!(api.sb.accepted_count("never"), 0);
    tokio::time::sleep(Duration::from_millis(80)).await;
    for (u, duplicate) in [
        (&first, false),
        (&again, true),
        (&old_name, true),
        (&other_event, false),
        (&other_order, false),
    ] {
        let s = api.get(u).await.json;
        assert_eq!(s["Status"], "Complete", "{u}");
        if duplicate {
            assert_eq!(s["ErrorType"], "Contract Error", "{u}");
            assert_eq!(s["ErrorReason"], "CONV_DUPLICATE", "{u}");
        } else {
            assert!(
                s["ErrorType"].is_null() && s["ErrorReason"].is_null(),
                "{s}"
            );
        }
    }
    let orders: serde_json::Value = api
        .http
        .get(api.control("orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders, serde_json::json!({"O1234567": 4, "O2": 1}));
}

#[tokio::test]
async fn actions_are_modified_and_reversed_as_documented() {
    let api = Api::with(SandboxConfig {
        processing_delay: Duration::from_millis(10),
        ..SandboxConfig::default()
    })
    .await;
    let put = |body: &'static str| api.form(Method::PUT, "Actions", body.to_owned());
    let delete = |body: &'static str| api.form(Method::DELETE, "Actions", body.to_owned());

    let ok = [
        put("ActionId=1000.4636.158133&Reason=ORDER_UPDATE&CustomerStatus=EXISTING").await,
        put("ActionId=1000.4636.158133&Reason=ORDER_UPDATE&Amount=19.99").await,
        put("ActionTrackerId=9876&OrderId=O1234567&Reason=ITEM_RETURNED&Sku=1ABC2345&Quantity=1&ItemSubTotalDelta=-14.00").await,
        put("ActionId=1000.4636.158133&Reason=ITEM_RETURNED&Sku=A&Quantity=0&Sku2=B&Quantity2=1").await,
        put("ActionId=1000.4636.158133&Reason=ORDER_UPDATE&Sku=A&Amount=10.00&DispositionCode=ORDER_UPDATE").await,
        delete("ActionId=1000.4636.158133&DispositionCode=ITEM_RETURNED").await,
        delete("ActionTrackerId=9876&OrderId=O1234567&DispositionCode=TEST_ACTION").await,
    ];
    for (i, a) in ok.iter().enumerate() {
        assert_eq!(a.status, 200, "#{i}: {}", a.text);
        assert_eq!(a.json["Status"], "QUEUED");
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    let modification = api
        .get(ok[2].json["QueuedUri"].as_str().unwrap())
        .await
        .json;
    assert_eq!(modification["Type"], "Modification");
    assert_eq!(modification["Status"], "Complete");
    assert_eq!(modification["OrderId"], "O1234567");
    assert_eq!(modification["ActionTrackerId"], 9876);
    let reversal = api
        .get(ok[5].json["QueuedUri"].as_str().unwrap())
        .await
        .json;
    assert_eq!(reversal["Type"], "Reversal");
    assert!(reversal["OrderId"].is_null());
    // Modifications and reversals are not conversions.
    assert_eq!(api.sb.accepted_count("O1234567"), 0);

    let refused = [
        (put("Reason=ORDER_UPDATE&Amount=1.00").await, "ActionId"),
        (
            put("ActionTrackerId=9876&Reason=ORDER_UPDATE&Amount=1.00").await,
            "OrderId",
        ),
        (
            put("OrderId=O1&Reason=ORDER_UPDATE&Amount=1.00").await,
            "ActionTrackerId",
        ),
        (
            put("ActionTrackerId=abc&OrderId=O1&Reason=ORDER_UPDATE&Amount=1.00").await,
            "ActionTrackerId",
        ),
        (put("ActionId=1&Amount=1.00").await, "Reason"),
        (put("ActionId=1&Reason=BECAUSE&Amount=1.00").await, "Reason"),
        (put("ActionId=1&Reason=ORDER_UPDATE").await, "Amount"),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Amount=-1.00").await,
            "Amount",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Amount=1e2").await,
            "Amount",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Quantity=2").await,
            "Sku",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Sku=A&Quantity=-1").await,
            "Quantity",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Sku=A&ItemSubTotalDelta=five").await,
            "ItemSubTotalDelta",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Sku=A").await,
            "Quantity",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Sku=A&Quantity=1&Quantity2=1").await,
            "Sku2",
        ),
        (
            put("ActionId=1&Reason=ORDER_UPDATE&Amount=1.00&Colour=red").await,
            "Colour",
        ),
        (
            put("ActionId=1%0D%0A&Reason=ORDER_UPDATE&Amount=1.00").await,
            "ActionId",
        ),
        (delete("ActionId=1").await, "DispositionCode"),
        (
            delete("ActionId=1&DispositionCode=BECAUSE").await,
            "DispositionCode",
        ),
        (delete("DispositionCode=ITEM_RETURNED").await, "ActionId"),
        (
            delete("ActionTrackerId=9876&DispositionCode=ITEM_RETURNED").await,
            "OrderId",
        ),
        (
            delete("ActionId=1&DispositionCode=ITEM_RETURNED&Reason=ORDER_UPDATE").await,
            "Reason",
        ),
    ];
    for (i, (a, field)) in refused.iter().enumerate() {
        assert_eq!(a.status, 400, "#{i}: {}", a.text);
        assert!(
            a.fields().iter().any(|f| f == field),
            "#{i} wants {field}: {}",
            a.text
        );
    }
    // Actions take forms too.
    let r = api
        .http
        .delete(api.url("Actions?ActionId=1&DispositionCode=ITEM_RETURNED"))
        .basic_auth(api.sid(), Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
}

#[tokio::test]
async fn every_answer_carries_the_budget_and_429_when_spent() {
    let api = Api::new().await;
    let a = api.convert(SEED).await;
    assert_eq!(a.header("x-ratelimit-limit"), Some("1000"));
    assert_eq!(a.header("x-ratelimit-remaining"), Some("999"));
    let reset: u64 = a.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&reset), "{reset}");
    // Errors count and carry the headers too.
    let bad = api.convert(&seed_with(&[], &["OrderId"])).await;
    assert_eq!(bad.header("x-ratelimit-remaining"), Some("998"));
    let status = api.get(a.json["QueuedUri"].as_str().unwrap()).await;
    assert_eq!(status.header("x-ratelimit-remaining"), Some("997"));

    api.sb.set_hourly_budget(4);
    assert_eq!(api.convert(SEED).await.status, 200);
    let spent = api.convert(SEED).await;
    assert_eq!(spent.status, 429);
    assert_eq!(spent.json["Status"], "ERROR");
    assert_eq!(spent.header("x-ratelimit-limit"), Some("4"));
    assert_eq!(spent.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = spent.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&reset));
    assert!(spent.headers.get("retry-after").is_none());
    assert_eq!(api.sb.accepted_count("O1234567"), 2);
    // Status checks are refused too once the budget is spent.
    assert_eq!(
        api.get(a.json["QueuedUri"].as_str().unwrap()).await.status,
        429
    );

    // The control API raises the budget; a reset forgets the usage.
    let r = api
        .http
        .post(api.control("config"))
        .body(r#"{"hourly_budget": 10}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let a = api.convert(SEED).await;
    assert_eq!(a.status, 200);
    // Four used: the refused requests did not use any.
    assert_eq!(a.header("x-ratelimit-remaining"), Some("5"));
    api.sb.clear();
    assert_eq!(
        api.convert(SEED).await.header("x-ratelimit-remaining"),
        Some("9")
    );
    assert_eq!(api.sb.received().len(), 1);
}
