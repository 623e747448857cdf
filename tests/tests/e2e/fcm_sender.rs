//! The FCM HTTP v1 sender against the fake FCM, over real HTTP on loopback.
//! No database: these run once, not on both backends.

use std::collections::BTreeMap;
use std::time::Duration;

use gridops_infra::push::{FcmSender, Platform, PushMessage, PushOutcome, PushSetupError};
use gridops_tests::fake_fcm::{CLIENT_EMAIL, FakeFcm, PROJECT_ID, TokenFate};
use serde_json::Value;

struct Setup {
    fake: FakeFcm,
    sender: FcmSender,
    _dir: tempfile::TempDir,
}

async fn setup(max_in_flight: usize) -> Setup {
    let fake = FakeFcm::start().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = fake.write_service_account(dir.path());
    let sender = FcmSender::from_service_account_file(&path, Some(&fake.endpoint()), max_in_flight)
        .expect("the sender reads the fake's service account");
    Setup {
        fake,
        sender,
        _dir: dir,
    }
}

/// A registration token of the usual length.
fn device_token(n: usize) -> String {
    format!("cXk3s9Rm{n:04}:APA91bF{}", "x".repeat(140))
}

fn message(n: usize) -> PushMessage {
    PushMessage {
        message_id: format!("0190c3f2a1b27c3d9e8f0011223{n:05}"),
        token: device_token(n),
        platform: Platform::Android,
        title: "Outage in your area".into(),
        body: format!("Feeder {n} is down; crews are on their way."),
        data: BTreeMap::from([("incident_id".to_owned(), format!("{n}"))]),
    }
}

fn delivered(outcome: &PushOutcome) -> bool {
    matches!(
        outcome,
        PushOutcome::Delivered {
            provider_id: Some(_)
        }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_with_bearer_token_and_the_message_id_phones_deduplicate_by() {
    let Setup { fake, sender, _dir } = setup(4).await;
    let msg = message(1);

    let outcome = sender.send(&msg).await;

    let PushOutcome::Delivered {
        provider_id: Some(name),
    } = &outcome
    else {
        panic!("not delivered: {outcome:?}");
    };
    assert!(
        name.starts_with(&format!("projects/{PROJECT_ID}/messages/")),
        "{name}"
    );
    let deliveries = fake.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(&deliveries[0].name, name);
    assert_eq!(fake.issued_tokens(), [deliveries[0].bearer.clone()]);
    let sent = &deliveries[0].message;
    assert_eq!(sent["token"], Value::from(msg.token.clone()));
    assert_eq!(sent["notification"]["title"], "Outage in your area");
    assert_eq!(sent["notification"]["body"], Value::from(msg.body.clone()));
    let id = Value::from(msg.message_id.clone());
    assert_eq!(sent["data"]["message_id"], id);
    assert_eq!(sent["data"]["incident_id"], "1");
    assert_eq!(sent["android"]["notification"]["tag"], id);
    assert!(sent["android"].get("collapse_key").is_none(), "{sent}");
    assert_eq!(sent["android"]["priority"], "high");
    assert_eq!(sent["apns"]["headers"]["apns-collapse-id"], id);
    assert_eq!(sent["webpush"]["headers"]["Topic"], id);
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_access_token_serves_many_concurrent_sends() {
    let Setup { fake, sender, _dir } = setup(8).await;
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..40 {
        let sender = sender.clone();
        sends.spawn(async move { sender.send(&message(n)).await });
    }
    while let Some(outcome) = sends.join_next().await {
        let outcome = outcome.expect("the send task");
        assert!(delivered(&outcome), "{outcome:?}");
    }
    // Forty sends racing for a token: one refresh, shared.
    assert_eq!(fake.token_requests(), 1);
    let deliveries = fake.deliveries();
    assert_eq!(deliveries.len(), 40);
    assert!(deliveries.iter().all(|d| d.bearer == deliveries[0].bearer));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_token_is_refreshed_before_it_expires() {
    let Setup { fake, sender, _dir } = setup(4).await;
    // A short-lived token is used for half its life: two seconds.
    fake.set_token_lifetime(4);

    assert!(delivered(&sender.send(&message(1)).await));
    assert!(delivered(&sender.send(&message(2)).await));
    assert_eq!(fake.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(delivered(&sender.send(&message(3)).await));

    assert_eq!(fake.token_requests(), 2);
    let bearers: Vec<_> = fake.deliveries().into_iter().map(|d| d.bearer).collect();
    assert_eq!(bearers[0], bearers[1]);
    assert_ne!(bearers[1], bearers[2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_access_token_is_dropped_and_fetched_again() {
    let Setup { fake, sender, _dir } = setup(4).await;
    assert!(delivered(&sender.send(&message(1)).await));
    fake.revoke_access_tokens();

    match sender.send(&message(2)).await {
        PushOutcome::Retry {
            after: None,
            reason,
        } => {
            assert!(reason.contains("401 UNAUTHENTICATED"), "{reason}")
        }
        other => panic!("expected a retry: {other:?}"),
    }
    assert!(delivered(&sender.send(&message(2)).await));
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_token_is_gone() {
    let Setup { fake, sender, _dir } = setup(4).await;
    let msg = message(1);
    fake.unregister(&msg.token);

    assert_eq!(sender.send(&msg).await, PushOutcome::TokenGone);
    assert!(fake.delivered().is_empty());
    assert_eq!(fake.requests_at().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_messages_are_rejected_without_the_token_in_the_reason() {
    let Setup { fake, sender, _dir } = setup(4).await;
    for (n, fate, code) in [
        (1, TokenFate::Invalid, "INVALID_ARGUMENT"),
        (2, TokenFate::SenderIdMismatch, "SENDER_ID_MISMATCH"),
        (3, TokenFate::ThirdPartyAuthError, "THIRD_PARTY_AUTH_ERROR"),
    ] {
        let msg = message(n);
        fake.set_token_fate(&msg.token, fate);
        match sender.send(&msg).await {
            PushOutcome::Rejected { reason } => {
                assert!(reason.contains(code), "{reason}");
                assert!(!reason.contains(&msg.token), "{reason}");
            }
            other => panic!("{code}: expected a rejection: {other:?}"),
        }
    }
    // THIRD_PARTY_AUTH_ERROR is a 401 too, but not ours: the token stays.
    assert!(delivered(&sender.send(&message(4)).await));
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_registration_token_is_rejected_by_fcm() {
    let Setup { fake, sender, _dir } = setup(4).await;
    let mut msg = message(1);
    msg.token = String::new();
    match sender.send(&msg).await {
        PushOutcome::Rejected { reason } => {
            assert!(reason.contains("INVALID_ARGUMENT"), "{reason}")
        }
        other => panic!("expected a rejection: {other:?}"),
    }
    assert!(fake.delivered().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_send_is_retried_after_retry_after() {
    let Setup { fake, sender, _dir } = setup(4).await;
    fake.throttle_next(1, 7);

    match sender.send(&message(1)).await {
        PushOutcome::Retry { after, reason } => {
            assert_eq!(after, Some(Duration::from_secs(7)));
            assert!(reason.contains("QUOTA_EXCEEDED"), "{reason}");
        }
        other => panic!("expected a retry: {other:?}"),
    }
    assert!(delivered(&sender.send(&message(1)).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried() {
    let Setup { fake, sender, _dir } = setup(4).await;
    fake.fail_next(1, 500);
    fake.fail_next(1, 503);
    fake.fail_next(1, 502);

    for code in ["INTERNAL", "UNAVAILABLE", "502"] {
        match sender.send(&message(1)).await {
            PushOutcome::Retry {
                after: None,
                reason,
            } => {
                assert!(reason.contains(code), "{code}: {reason}")
            }
            other => panic!("{code}: expected a retry: {other:?}"),
        }
    }
    assert!(delivered(&sender.send(&message(1)).await));
    assert_eq!(fake.requests_at().len(), 4);
    assert_eq!(fake.delivered().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_is_retried_then_delivered_when_fcm_is_back() {
    let Setup { fake, sender, _dir } = setup(4).await;
    assert!(delivered(&sender.send(&message(1)).await));

    fake.go_down().await;
    // The first try may meet the pooled connection the fake just closed
    // ("connection closed before message completed"); then the port refuses.
    let mut refused = false;
    for _ in 0..3 {
        match sender.send(&message(2)).await {
            PushOutcome::Retry {
                after: None,
                reason,
            } => {
                if reason.contains("cannot connect to FCM") {
                    refused = true;
                    break;
                }
            }
            other => panic!("expected a retry: {other:?}"),
        }
    }
    assert!(
        refused,
        "the port of a fake that is down refuses connections"
    );

    fake.come_back().await;
    let outcome = sender.send(&message(2)).await;
    assert!(delivered(&outcome), "{outcome:?}");
    assert_eq!(fake.delivered().len(), 2);
    // The access token outlived the outage.
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_fcm_times_out_into_a_retry() {
    let Setup { fake, sender, _dir } = setup(4).await;
    let sender = sender.with_request_timeout(Duration::from_millis(300));
    assert!(delivered(&sender.send(&message(1)).await));
    fake.set_latency(Duration::from_secs(3));

    match sender.send(&message(2)).await {
        PushOutcome::Retry {
            after: None,
            reason,
        } => {
            assert!(reason.contains("did not answer within"), "{reason}")
        }
        other => panic!("expected a retry: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_stay_within_max_in_flight() {
    let Setup { fake, sender, _dir } = setup(3).await;
    fake.set_latency(Duration::from_millis(150));
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..12 {
        let sender = sender.clone();
        sends.spawn(async move { sender.send(&message(n)).await });
    }
    while let Some(outcome) = sends.join_next().await {
        assert!(delivered(&outcome.expect("the send task")));
    }
    let most = fake.max_concurrent_sends();
    assert!((2..=3).contains(&most), "at most 3 at once, saw {most}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_refusal_is_a_retry_naming_the_oauth_error() {
    let fake = FakeFcm::start().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut account = fake.service_account_json();
    // The assertion's `aud` is the file's token_uri; the fake expects its own.
    account["token_uri"] = format!("{}?audience=wrong", fake.token_uri()).into();
    let path = dir.path().join("sa.json");
    std::fs::write(&path, account.to_string()).expect("written");
    let sender = FcmSender::from_service_account_file(&path, Some(&fake.endpoint()), 2)
        .expect("a well-formed file");

    match sender.send(&message(1)).await {
        PushOutcome::Retry {
            after: None,
            reason,
        } => {
            assert!(reason.contains("400"), "{reason}");
            assert!(reason.contains("invalid_grant"), "{reason}");
        }
        other => panic!("expected a retry: {other:?}"),
    }
    assert_eq!(fake.token_requests(), 1);
    assert!(
        fake.requests_at().is_empty(),
        "nothing sent without a token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_service_account_file_names_the_field() {
    let fake = FakeFcm::start().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("sa.json");
    let load = |account: &Value| {
        std::fs::write(&path, account.to_string()).expect("written");
        FcmSender::from_service_account_file(&path, Some(&fake.endpoint()), 2)
            .expect_err("a broken service account")
    };

    for field in [
        "client_email",
        "private_key",
        "token_uri",
        "project_id",
        "type",
    ] {
        let mut account = fake.service_account_json();
        account.as_object_mut().expect("an object").remove(field);
        let error = load(&account);
        assert!(
            matches!(&error, PushSetupError::MissingField { field: f, .. } if *f == field),
            "{error}"
        );
        let text = error.to_string();
        assert!(text.contains(&format!("`{field}`")), "{text}");
        assert!(text.contains("sa.json"), "{text}");
    }

    let mut account = fake.service_account_json();
    account["private_key"] =
        "-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n".into();
    let error = load(&account);
    assert!(
        matches!(
            error,
            PushSetupError::InvalidField {
                field: "private_key",
                ..
            }
        ),
        "{error}"
    );

    let mut account = fake.service_account_json();
    account["type"] = "authorized_user".into();
    assert!(load(&account).to_string().contains("\"service_account\""));

    std::fs::write(&path, "{ not json").expect("written");
    let error = FcmSender::from_service_account_file(&path, None, 2).expect_err("not JSON");
    assert!(matches!(error, PushSetupError::NotJson { .. }), "{error}");

    let account = fake.service_account_json();
    assert_eq!(account["client_email"], CLIENT_EMAIL);
    std::fs::write(&path, account.to_string()).expect("written");
    let error = FcmSender::from_service_account_file(&path, Some("not a url"), 2)
        .expect_err("a bad endpoint");
    assert!(
        matches!(error, PushSetupError::InvalidEndpoint { .. }),
        "{error}"
    );
    let error = FcmSender::from_service_account_file(&path, None, 0).expect_err("no concurrency");
    assert!(matches!(error, PushSetupError::NoConcurrency), "{error}");
}
