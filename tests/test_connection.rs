//! Test Connection: a least-privilege read, token expiry, and every failure returned as data.
#![cfg(not(target_arch = "wasm32"))] // native: schema validation uses the jsonschema crate

mod support;

use sentinelone_connector::capability::Capability;
use sentinelone_connector::options::CallOptions;
use sentinelone_connector::transport::{HttpResponse, TransportError};
use serde_json::{json, Value};
use support::*;

const NOW_MS: f64 = 1_715_797_800_000.0; // 2024-05-15T18:30:00Z

fn count_url() -> String {
    format!("{BASE}/web/api/v2.1/agents?limit=1&countOnly=true")
}

fn details_url() -> String {
    format!("{BASE}/web/api/v2.1/users/api-token-details")
}

fn count_body(n: u64) -> String {
    json!({ "data": [], "pagination": { "totalItems": n, "nextCursor": null } }).to_string()
}

fn details(expires_at: Value) -> String {
    json!({ "data": { "createdAt": "2024-01-01T00:00:00Z", "expiresAt": expires_at } }).to_string()
}

/// The count request, answered with `answer`.
fn count(answer: Result<HttpResponse, TransportError>) -> Exchange {
    Exchange {
        url: count_url(),
        answer,
    }
}

/// The token-details request, answered with `answer`.
fn expiry(answer: Result<HttpResponse, TransportError>) -> Exchange {
    Exchange {
        url: details_url(),
        answer,
    }
}

/// A health check of a console that sees `agents` agents and says the token expires at `expires_at`.
fn check_healthy(agents: u64, expires_at: &str) -> Value {
    check(
        vec![
            count(ok(count_body(agents))),
            expiry(ok(details(json!(expires_at)))),
        ],
        connection_json(),
        &FakeRuntime::default(),
    )
}

fn check(exchanges: Vec<Exchange>, connection: Value, runtime: &FakeRuntime) -> Value {
    let transport = FakeTransport::new(exchanges);
    let options = CallOptions {
        now_ms: Some(NOW_MS),
        ..CallOptions::default()
    };
    let out = invoke_json(
        &transport,
        runtime,
        Capability::TestConnection,
        connection,
        json!({}),
        options,
    )
    .expect("a health check never rejects");
    transport.assert_all_used();
    out
}

#[test]
fn a_good_connection_reports_count_latency_and_expiry() {
    let out = check_healthy(58, "2025-05-15T18:30:00Z");
    assert_eq!(out["ok"], json!(true));
    assert_eq!(out["statusCode"], json!(200));
    assert_eq!(out["agentCount"], json!(58));
    assert_eq!(out["latencyMs"], json!(0));
    assert_eq!(out["tokenExpiresAt"], json!("2025-05-15T18:30:00Z"));
    assert_eq!(out["warnings"], json!([]));
    assert_eq!(out["error"], Value::Null);
}

#[test]
fn a_console_over_plain_http_draws_a_warning() {
    let base = "http://127.0.0.1:4010";
    let out = check(
        vec![
            Exchange {
                url: format!("{base}/web/api/v2.1/agents?limit=1&countOnly=true"),
                answer: ok(count_body(58)),
            },
            Exchange {
                url: format!("{base}/web/api/v2.1/users/api-token-details"),
                answer: ok(details(json!("2025-05-15T18:30:00Z"))),
            },
        ],
        json!({ "baseUrl": base, "apiToken": TOKEN }),
        &FakeRuntime::default(),
    );
    assert_eq!(out["ok"], json!(true));
    assert_eq!(
        out["warnings"],
        json!(["baseUrl uses plain http://, which is only for local testing"])
    );
}

#[test]
fn a_token_expiring_within_14_days_draws_a_warning() {
    let out = check_healthy(3, "2024-05-20T18:30:00.000000Z");
    assert_eq!(out["ok"], json!(true));
    let warnings = out["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .contains("expires in 5.0 days"),
        "{warnings:?}"
    );

    let out = check_healthy(3, "2024-05-30T18:31:00Z");
    assert_eq!(out["warnings"], json!([]), "15 days ahead is fine");

    // Expiring this very moment is not expired yet; a moment before is.
    let out = check_healthy(3, "2024-05-15T18:30:00Z");
    assert_eq!(
        out["warnings"],
        json!(["the API token expires in 0.0 days (at 2024-05-15T18:30:00Z): regenerate it before then"])
    );
    let out = check_healthy(3, "2024-05-15T18:29:59Z");
    assert_eq!(
        out["warnings"],
        json!(["the API token expired at 2024-05-15T18:29:59Z"])
    );
    assert_eq!(
        out["ok"],
        json!(true),
        "the read worked: a warning, not a failure"
    );
}

#[test]
fn only_the_data_object_says_when_the_token_expires() {
    let body = json!({ "meta": { "expiresAt": "2024-05-16T00:00:00Z" }, "data": {} }).to_string();
    let out = check(
        vec![count(ok(count_body(3))), expiry(ok(body))],
        connection_json(),
        &FakeRuntime::default(),
    );
    assert_eq!(out["tokenExpiresAt"], Value::Null);
    assert_eq!(
        out["warnings"],
        json!(["the console did not report when the token expires"])
    );
}

#[test]
fn a_missing_or_unreadable_expiry_is_tolerated_with_a_warning() {
    for (answer, expected) in [
        (
            ok(details(Value::Null)),
            "did not report when the token expires",
        ),
        (
            ok(json!({ "data": {} }).to_string()),
            "did not report when the token expires",
        ),
        (ok(details(json!("soon"))), "is not a timestamp"),
        (
            status(403, r#"{"errors":[{"code":4030010,"title":"Forbidden"}]}"#),
            "could not read the token's expiry: the console answered HTTP 403",
        ),
        (
            status(404, "<html>"),
            "could not read the token's expiry: the console answered HTTP 404",
        ),
    ] {
        let out = check(
            vec![count(ok(count_body(3))), expiry(answer)],
            connection_json(),
            &FakeRuntime::default(),
        );
        assert_eq!(out["ok"], json!(true), "{expected}");
        let warnings = out["warnings"].to_string();
        assert!(warnings.contains(expected), "{warnings}");
        // The agents read worked: no advice about reading agents or the base URL.
        assert!(
            !warnings.contains("read agents") && !warnings.contains("baseUrl"),
            "{warnings}"
        );
    }
}

#[test]
fn auth_failures_are_returned_not_thrown() {
    for (code, expected) in [(401, "UNAUTHORIZED"), (403, "FORBIDDEN")] {
        let out = check(
            vec![count(status(
                code,
                r#"{"errors":[{"code":4010010,"title":"Authentication Failed"}]}"#,
            ))],
            connection_json(),
            &FakeRuntime::default(),
        );
        assert_eq!(out["ok"], json!(false));
        assert_eq!(out["statusCode"], json!(code));
        assert_eq!(out["error"]["code"], json!(expected));
        assert!(out["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("HTTP {code}")));
        assert_eq!(out["agentCount"], Value::Null);
    }
}

#[test]
fn a_bad_configuration_is_reported_without_a_request() {
    let out = check(
        vec![],
        json!({ "baseUrl": "http://console.example", "apiToken": TOKEN }),
        &FakeRuntime::default(),
    );
    assert_eq!(out["ok"], json!(false));
    assert_eq!(out["error"]["code"], json!("INVALID_CONNECTION"));
    assert_eq!(out["statusCode"], Value::Null);
    let out = check(vec![], json!({ "baseUrl": BASE }), &FakeRuntime::default());
    assert_eq!(out["error"]["code"], json!("INVALID_CONNECTION"));
}

#[test]
fn latency_includes_retries_and_an_empty_scope_is_flagged() {
    let runtime = FakeRuntime {
        random: 0.0,
        ..FakeRuntime::default()
    };
    let out = check(
        vec![
            count(status(503, "")),
            count(ok(count_body(0))),
            expiry(ok(details(json!("2030-01-01T00:00:00Z")))),
        ],
        connection_json(),
        &runtime,
    );
    assert_eq!(out["ok"], json!(true));
    assert_eq!(out["latencyMs"], json!(125));
    assert!(out["warnings"][0]
        .as_str()
        .unwrap()
        .contains("sees no agents"));

    // A check that failed after its retries says how long it took too.
    let out = check(
        vec![
            count(status(503, "")),
            count(status(503, "")),
            count(status(503, "")),
        ],
        connection_json(),
        &runtime,
    );
    assert_eq!(out["ok"], json!(false));
    assert_eq!(out["error"]["code"], json!("UPSTREAM_UNAVAILABLE"));
    assert_eq!(out["latencyMs"], json!(375));
}

#[test]
fn a_malformed_count_is_a_failed_check() {
    let out = check(
        vec![count(ok("<html>login</html>"))],
        connection_json(),
        &FakeRuntime::default(),
    );
    assert_eq!(out["ok"], json!(false));
    assert_eq!(out["error"]["code"], json!("MALFORMED_RESPONSE"));
    assert_eq!(out["statusCode"], json!(200), "the read was answered");
}
