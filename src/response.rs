//! Turning an HTTP response's status and size into the connector's error codes.

use crate::error::ConnectorError;
use crate::transport::{HttpResponse, TransportError};
use crate::wire;

/// The largest response body the connector parses (a 1000-agent page is about 6 MiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The response headers the core reads, lower-cased and comma-separated: a host-side transport (the
/// JS driver) passes only these across (a `Headers` object of ten costs ~15 µs to copy whole).
pub const READ_HEADERS: &str = "retry-after,location";

/// Makes `buffer` `len` bytes long for a response body to be written into, keeping its first `keep`
/// bytes (zeros after them). False, leaving it empty, when the memory cannot be had: many calls at once
/// each holding a body near [`MAX_BODY_BYTES`] can reach WebAssembly's 4 GiB, and an allocation that
/// fails there aborts, which traps and poisons the instance; this one fails the fetch instead.
pub fn resize_body_buffer(buffer: &mut Vec<u8>, len: usize, keep: usize) -> bool {
    if buffer.capacity() == 0 && len > 0 {
        // A call's first body: zeroed memory straight from the allocator (one bulk fill, or none for
        // fresh WebAssembly pages), as `vec![0; len]` would take it, but without aborting on failure.
        // `resize` would fill byte by byte at this opt-level: +1 ms on a 4.5 MB page.
        let Ok(layout) = std::alloc::Layout::array::<u8>(len) else {
            return false;
        };
        // SAFETY: `layout` has a non-zero size. A non-null pointer is a zero-filled allocation of the
        // global allocator with exactly this layout, so a Vec<u8> of length and capacity `len` over it
        // is initialised and owns it (it frees it with the same layout).
        let bytes = unsafe { std::alloc::alloc_zeroed(layout) };
        if bytes.is_null() {
            return false;
        }
        // SAFETY: as above.
        *buffer = unsafe { Vec::from_raw_parts(bytes, len, len) };
        return true;
    }
    buffer.truncate(keep);
    if buffer
        .try_reserve_exact(len.saturating_sub(buffer.len()))
        .is_err()
    {
        *buffer = Vec::new();
        return false;
    }
    buffer.resize(len, 0);
    true
}

/// Accepts a 2xx response of acceptable size, or says which coded error it is (`now_ms` dates `Retry-After`).
pub fn check(response: &HttpResponse, now_ms: f64) -> Result<(), ConnectorError> {
    let status = response.status;
    if (200..300).contains(&status) {
        if response.body.len() > MAX_BODY_BYTES {
            return Err(ConnectorError::ResponseTooLarge(format!(
                "the response body is {} bytes; at most {MAX_BODY_BYTES} are accepted",
                response.body.len()
            )));
        }
        return Ok(());
    }
    Err(status_error(response, now_ms))
}

// Out of line: the engine compiles wasm functions lazily, so a successful first call skips this.
#[cold]
#[inline(never)]
fn status_error(response: &HttpResponse, now_ms: f64) -> ConnectorError {
    let status = response.status;
    let upstream = wire::upstream_detail(body_prefix(&response.body));
    match status {
        401 => ConnectorError::Unauthorized(upstream),
        403 => ConnectorError::Forbidden(upstream),
        429 => ConnectorError::RateLimited {
            retry_after_ms: response
                .header("retry-after")
                .and_then(|value| retry_after_ms(value, now_ms)),
            upstream,
        },
        500..=599 => ConnectorError::UpstreamUnavailable { status, upstream },
        // Status 0 is a redirect the platform hides (a browser's opaque one), as fetch reports it.
        0 | 300..=399 => ConnectorError::Redirect {
            status: (status != 0).then_some(status),
            location: redirect_location(response),
        },
        _ => ConnectorError::UpstreamError { status, upstream },
    }
}

/// Where a redirect points, to be shown in its error: the `Location` of a 3xx response, trimmed, when
/// it is printable ASCII of a sane length (a console's own text is never put in a message unchecked).
fn redirect_location(response: &HttpResponse) -> Option<String> {
    let location = response.header("location")?.trim();
    let printable = location.bytes().all(|b| (b' '..=b'~').contains(&b));
    (printable && !location.is_empty() && location.len() <= MAX_LOCATION_BYTES)
        .then(|| location.to_owned())
}

/// The longest `Location` an error repeats.
const MAX_LOCATION_BYTES: usize = 512;

/// Maps a transport failure to its coded error.
pub fn transport_failure(error: TransportError) -> ConnectorError {
    match error {
        TransportError::Network(m) => ConnectorError::Network(m),
        TransportError::NetworkFinal(m) => ConnectorError::NetworkFinal(m),
        TransportError::Contract(m) => ConnectorError::ShimContract(m),
        TransportError::TooLarge(m) => ConnectorError::ResponseTooLarge(m),
        TransportError::Aborted => ConnectorError::Aborted,
        TransportError::NotAllowed(m) => ConnectorError::InvalidConnection(m),
    }
}

/// Parses a `Retry-After` value, delay-seconds (whole, per RFC 9110) or an HTTP-date, into
/// milliseconds from `now_ms`.
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.len() <= 9 && value.bytes().all(|b| b.is_ascii_digit()) {
        return crate::loose::parse_u64(value).map(|seconds| seconds * 1000);
    }
    let at = crate::timestamp::parse_http_date_ms(value)? as f64;
    Some((at - now_ms).max(0.0) as u64)
}

// An error body is only read for its first entry; a huge one is cut rather than parsed whole.
fn body_prefix(body: &str) -> &str {
    const LIMIT: usize = 64 * 1024;
    if body.len() <= LIMIT {
        body
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_buffer_keeps_its_prefix_and_fails_without_aborting_when_memory_cannot_be_had() {
        let mut buffer = Vec::new();
        assert!(resize_body_buffer(&mut buffer, 4, 0));
        assert_eq!(buffer, [0; 4]);
        buffer.copy_from_slice(b"abcd");
        assert!(resize_body_buffer(&mut buffer, 6, 2));
        assert_eq!(buffer, *b"ab\0\0\0\0");
        // More than any address space holds: the reservation fails (an infallible one would abort).
        assert!(!resize_body_buffer(&mut buffer, usize::MAX, 2));
        assert!(buffer.is_empty() && buffer.capacity() == 0);
        assert!(resize_body_buffer(&mut buffer, 3, 0), "usable again after");
        // A first body too large for any allocation, by layout or by the allocator's refusal (which
        // Miri, checking the unsafe allocation above, cannot simulate).
        let refused = if cfg!(miri) { 1 } else { 2 };
        for len in [usize::MAX, isize::MAX as usize].into_iter().take(refused) {
            let mut fresh = Vec::new();
            assert!(!resize_body_buffer(&mut fresh, len, 0), "{len}");
            assert!(fresh.is_empty());
        }
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.to_owned(),
        }
    }

    #[test]
    fn statuses_map_to_codes() {
        let s1 = r#"{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}"#;
        for (status, code) in [
            (401, "UNAUTHORIZED"),
            (403, "FORBIDDEN"),
            (429, "RATE_LIMITED"),
            (500, "UPSTREAM_UNAVAILABLE"),
            (503, "UPSTREAM_UNAVAILABLE"),
            (400, "UPSTREAM_ERROR"),
            (404, "UPSTREAM_ERROR"),
        ] {
            let err = check(&response(status, s1), 0.0).unwrap_err();
            assert_eq!(err.code(), code, "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.upstream().and_then(|u| u.code), Some(4010010));
        }
        // A redirect's body is a page for browsers, never an error entry.
        let redirect = check(&response(302, s1), 0.0).unwrap_err();
        assert_eq!(redirect.code(), "UPSTREAM_ERROR");
        assert_eq!(redirect.status(), Some(302));
        assert!(redirect.upstream().is_none());
        assert!(!redirect.retryable());
        assert!(check(&response(200, "{}"), 0.0).is_ok());
        assert!(check(&response(204, ""), 0.0).is_ok());
    }

    #[test]
    fn a_redirect_says_where_it_pointed_when_that_is_printable() {
        let redirect = |status, location: &str| {
            let mut r = response(status, "");
            r.headers.push(("Location".into(), location.into()));
            check(&r, 0.0).unwrap_err().to_string()
        };
        assert_eq!(
            redirect(301, " https://usea1-partners.sentinelone.net/web/api/v2.1/agents?serialNumber=X "),
            "the SentinelOne console answered with unexpected HTTP 301 (a redirect to \
             https://usea1-partners.sentinelone.net/web/api/v2.1/agents?serialNumber=X): is baseUrl \
             the console's root URL, e.g. https://usea1-partners.sentinelone.net?"
        );
        assert!(redirect(302, "/login").contains("(a redirect to /login):"));
        // Not repeated: a control character, text that is not ASCII, a location longer than any
        // console's, an empty one; nor a Location on a status that is not a redirect.
        for location in ["/login\u{1b}[2J", "/connexion/é", &"/a".repeat(300), "  "] {
            let message = redirect(307, location);
            assert!(
                message.starts_with(
                    "the SentinelOne console answered with unexpected HTTP 307: is baseUrl"
                ),
                "{message}"
            );
        }
        assert!(!redirect(404, "/login").contains("redirect"));
    }

    #[test]
    fn a_host_the_host_application_does_not_allow_is_a_connection_error_never_retried() {
        let error = transport_failure(TransportError::NotAllowed(
            "baseUrl's host x is not one".into(),
        ));
        assert_eq!(error.code(), "INVALID_CONNECTION");
        assert!(!error.retryable());
        assert_eq!(
            error.to_string(),
            "invalid connection: baseUrl's host x is not one"
        );
    }

    #[test]
    fn a_network_failure_no_retry_can_mend_is_network_but_final() {
        let message = "fetch failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)";
        let error = transport_failure(TransportError::NetworkFinal(message.into()));
        assert_eq!(error.code(), "NETWORK");
        assert!(!error.retryable());
        assert_eq!(
            error.to_string(),
            format!("no response from the SentinelOne console: {message}")
        );
        assert!(transport_failure(TransportError::Network(message.into())).retryable());
    }

    #[test]
    fn a_redirect_a_browser_hides_is_still_a_redirect_never_retried() {
        let error = check(&response(0, ""), 0.0).unwrap_err();
        assert_eq!(error.code(), "UPSTREAM_ERROR");
        assert!(!error.retryable());
        assert_eq!(error.status(), None);
        assert_eq!(
            error.to_string(),
            "the SentinelOne console answered with a redirect, which a browser does not show: is \
             baseUrl the console's root URL, e.g. https://usea1-partners.sentinelone.net?"
        );
    }

    #[test]
    fn retry_after_seconds_are_read() {
        let mut r = response(429, "");
        r.headers.push(("retry-after".into(), "3".into()));
        assert_eq!(check(&r, 0.0).unwrap_err().retry_after_ms(), Some(3000));
        assert_eq!(retry_after_ms("0.5", 0.0), None, "delay-seconds are whole");
        assert_eq!(retry_after_ms(" 120 ", 0.0), Some(120_000));
        assert_eq!(retry_after_ms("9999999999", 0.0), None);
        assert_eq!(retry_after_ms("-1", 0.0), None);
        assert_eq!(retry_after_ms("NaN", 0.0), None);
        assert_eq!(retry_after_ms("soon", 0.0), None);
        let now = 784_111_770_000.0;
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(7000)
        );
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 60_000.0),
            Some(0)
        );
    }

    #[test]
    fn an_error_body_is_read_up_to_64_kib() {
        let body = |padding: usize| {
            format!(
                r#"{{"errors":[{{"code":4010010,"title":"Authentication Failed"}}],"pad":"{}"}}"#,
                "x".repeat(padding)
            )
        };
        let message = |padding| {
            check(&response(401, &body(padding)), 0.0)
                .unwrap_err()
                .to_string()
        };
        assert!(
            message(4_000).contains("Authentication Failed"),
            "{}",
            message(4_000)
        );
        assert!(
            !message(70_000).contains("Authentication Failed"),
            "{}",
            message(70_000)
        );
    }

    #[test]
    fn oversized_bodies_are_refused_before_parsing() {
        let big = "x".repeat(MAX_BODY_BYTES + 1);
        assert_eq!(
            check(&response(200, &big), 0.0).unwrap_err().code(),
            "RESPONSE_TOO_LARGE"
        );
        let largest = "x".repeat(MAX_BODY_BYTES);
        assert!(check(&response(200, &largest), 0.0).is_ok());
    }
}
