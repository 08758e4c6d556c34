//! Deadlines and retries: a virtual clock makes every wait exact and the suite instant.
#![cfg(not(target_arch = "wasm32"))] // native: schema validation uses the jsonschema crate

mod support;

use sentinelone_connector::options::CallOptions;
use sentinelone_connector::transport::{HttpResponse, TransportError};
use serde_json::json;
use support::*;

const FOUND: &str = r#"{"data":[{"id":"1","serialNumber":"C02XK1ABJG5J"}],"pagination":{"totalItems":1,"nextCursor":null}}"#;

fn script(answers: Vec<Result<HttpResponse, TransportError>>) -> FakeTransport {
    FakeTransport::new(
        answers
            .into_iter()
            .map(|answer| Exchange {
                url: agents_url("C02XK1ABJG5J"),
                answer,
            })
            .collect(),
    )
}

fn with_header(code: u16, name: &str, value: &str) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status: code,
        headers: vec![(name.to_owned(), value.to_owned())],
        body: String::new(),
    })
}

fn options(timeout_ms: u64, max_attempts: u32) -> CallOptions {
    CallOptions {
        timeout_ms,
        max_attempts,
        ..CallOptions::default()
    }
}

fn lookup(
    transport: &FakeTransport,
    runtime: &FakeRuntime,
    opts: CallOptions,
) -> Result<String, String> {
    run_with(
        transport,
        runtime,
        opts,
        json!({ "serialNumber": "C02XK1ABJG5J" }),
    )
    .map(|l| l.output.agent_id.unwrap_or_default())
    .map_err(|e| e.code().to_owned())
}

#[test]
fn a_shim_that_never_settles_times_out_exactly_at_the_deadline() {
    let runtime = FakeRuntime::default();
    let start = runtime.now.get();
    let transport = script(vec![hang()]);
    let err = run_with(
        &transport,
        &runtime,
        options(2_500, 3),
        json!({ "serialNumber": "C02XK1ABJG5J" }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "TIMEOUT");
    assert!(err.retryable());
    assert_eq!(err.to_string(), "the call did not finish within 2500 ms");
    assert_eq!(runtime.now.get() - start, 2_500.0);
    transport.assert_all_used();
}

#[test]
fn a_call_the_host_aborted_is_never_retried() {
    let runtime = FakeRuntime::default();
    let transport = script(vec![Err(TransportError::Aborted)]);
    assert_eq!(
        lookup(&transport, &runtime, options(10_000, 5)),
        Err("ABORTED".into())
    );
    transport.assert_all_used();
    assert!(runtime.sleeps.borrow().is_empty(), "no backoff wait either");
}

#[test]
fn transient_failures_are_retried_with_growing_jittered_backoff() {
    let runtime = FakeRuntime {
        random: 0.0,
        ..FakeRuntime::default()
    };
    let transport = script(vec![
        status(503, "{}"),
        Err(TransportError::Network("ECONNRESET".into())),
        ok(FOUND),
    ]);
    assert_eq!(
        lookup(&transport, &runtime, options(10_000, 3)),
        Ok("1".into())
    );
    transport.assert_all_used();
    // random() = 0 gives the lower edge of the jitter: half of 250 ms, then half of 500 ms.
    assert_eq!(*runtime.sleeps.borrow(), vec![125, 250]);

    let runtime = FakeRuntime {
        random: 0.999_999,
        ..FakeRuntime::default()
    };
    let transport = script(vec![status(500, ""), status(502, ""), ok(FOUND)]);
    assert_eq!(
        lookup(&transport, &runtime, options(10_000, 3)),
        Ok("1".into())
    );
    assert_eq!(*runtime.sleeps.borrow(), vec![249, 499]);
}

#[test]
fn backoff_is_capped() {
    let runtime = FakeRuntime {
        random: 0.999_999,
        ..FakeRuntime::default()
    };
    let transport = script((0..9).map(|_| status(503, "")).chain([ok(FOUND)]).collect());
    assert_eq!(
        lookup(&transport, &runtime, options(300_000, 10)),
        Ok("1".into())
    );
    let sleeps = runtime.sleeps.borrow();
    assert_eq!(sleeps.len(), 9);
    assert!(sleeps.iter().all(|&s| s <= 4_000), "{sleeps:?}");
    assert_eq!(sleeps[8], 3_999);
}

#[test]
fn attempts_are_bounded_by_max_attempts() {
    let runtime = FakeRuntime::default();
    let transport = script(vec![status(503, ""), status(503, "")]);
    assert_eq!(
        lookup(&transport, &runtime, options(10_000, 2)),
        Err("UPSTREAM_UNAVAILABLE".into())
    );
    transport.assert_all_used();
    let transport = script(vec![status(503, "")]);
    assert_eq!(
        lookup(&transport, &FakeRuntime::default(), options(10_000, 1)),
        Err("UPSTREAM_UNAVAILABLE".into())
    );
}

#[test]
fn client_errors_are_never_retried() {
    for (code, expected) in [
        (400, "UPSTREAM_ERROR"),
        (401, "UNAUTHORIZED"),
        (403, "FORBIDDEN"),
        (404, "UPSTREAM_ERROR"),
    ] {
        let runtime = FakeRuntime::default();
        let transport = script(vec![status(code, "{}")]);
        assert_eq!(
            lookup(&transport, &runtime, options(10_000, 5)),
            Err(expected.into())
        );
        assert!(runtime.sleeps.borrow().is_empty());
    }
    for answer in [
        ok("not json"),
        Err(TransportError::Contract("undefined".into())),
    ] {
        let transport = script(vec![answer]);
        assert!(lookup(&transport, &FakeRuntime::default(), options(10_000, 5)).is_err());
        transport.assert_all_used();
    }
}

#[test]
fn retry_after_is_honoured_when_it_fits_the_budget() {
    let runtime = FakeRuntime::default();
    let transport = script(vec![with_header(429, "Retry-After", "2"), ok(FOUND)]);
    assert_eq!(
        lookup(&transport, &runtime, options(10_000, 3)),
        Ok("1".into())
    );
    assert_eq!(*runtime.sleeps.borrow(), vec![2_000]);

    // An HTTP-date 3 seconds ahead of the host clock.
    let runtime = FakeRuntime {
        now: std::cell::Cell::new(784_111_774_000.0),
        ..FakeRuntime::default()
    };
    let transport = script(vec![
        with_header(429, "retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ok(FOUND),
    ]);
    assert_eq!(
        lookup(&transport, &runtime, options(10_000, 3)),
        Ok("1".into())
    );
    assert_eq!(*runtime.sleeps.borrow(), vec![3_000]);
}

#[test]
fn a_retry_after_beyond_the_budget_fails_fast_with_the_wait() {
    let runtime = FakeRuntime::default();
    let start = runtime.now.get();
    let transport = script(vec![with_header(429, "Retry-After", "30")]);
    let err = run_with(
        &transport,
        &runtime,
        options(10_000, 3),
        json!({ "serialNumber": "C02XK1ABJG5J" }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "RATE_LIMITED");
    assert_eq!(err.retry_after_ms(), Some(30_000));
    assert!(
        runtime.sleeps.borrow().is_empty(),
        "no wait that cannot pay off"
    );
    assert_eq!(runtime.now.get(), start);
}

#[test]
fn a_retry_that_would_outlive_the_deadline_is_not_attempted() {
    // 600 ms budget: the first try fails at once, the 125 ms backoff fits, the second try hangs
    // until the deadline.
    let runtime = FakeRuntime {
        random: 0.0,
        ..FakeRuntime::default()
    };
    let start = runtime.now.get();
    let transport = script(vec![status(503, ""), hang()]);
    let err = run_with(
        &transport,
        &runtime,
        options(600, 5),
        json!({ "serialNumber": "C02XK1ABJG5J" }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "TIMEOUT");
    assert_eq!(
        runtime.now.get() - start,
        600.0,
        "the whole call, retries included, is bounded"
    );
    transport.assert_all_used();

    // A 100 ms budget cannot fit a 125 ms backoff: the 503 itself is reported.
    let runtime = FakeRuntime {
        random: 0.0,
        ..FakeRuntime::default()
    };
    let transport = script(vec![status(503, "")]);
    assert_eq!(
        lookup(&transport, &runtime, options(100, 5)),
        Err("UPSTREAM_UNAVAILABLE".into())
    );
}

#[test]
fn the_deadline_spans_every_page() {
    let runtime = FakeRuntime::default();
    let first = r#"{"data":[{"id":"1","serialNumber":"C02XK1ABJG5JX"}],"pagination":{"totalItems":2,"nextCursor":"n2"}}"#;
    let transport = FakeTransport::new(vec![
        Exchange {
            url: agents_url("C02XK1ABJG5J"),
            answer: ok(first),
        },
        Exchange {
            url: format!("{}&cursor=n2", agents_url("C02XK1ABJG5J")),
            answer: hang(),
        },
    ]);
    let err = run_with(
        &transport,
        &runtime,
        options(1_000, 1),
        json!({ "serialNumber": "C02XK1ABJG5J" }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "TIMEOUT");
}

#[test]
fn a_404_or_a_redirect_points_at_the_base_url() {
    use sentinelone_connector::error::{ConnectorError, UpstreamDetail};
    let message = |status| {
        ConnectorError::UpstreamError {
            status,
            upstream: UpstreamDetail::default(),
        }
        .to_string()
    };
    for status in [404, 301, 302, 307] {
        assert!(
            message(status).contains("is baseUrl the console's root URL"),
            "{status}: {}",
            message(status)
        );
    }
    for status in [400, 405, 418] {
        assert!(
            !message(status).contains("baseUrl"),
            "{status}: {}",
            message(status)
        );
    }
}
