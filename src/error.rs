//! The one error type every capability returns, with stable codes a flow can route on.

use std::fmt;

/// The SentinelOne error entry (`errors[0]`) of an error response, when the body had one.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UpstreamDetail {
    /// SentinelOne's numeric error code, e.g. 4010010.
    pub code: Option<i64>,
    /// SentinelOne's error title, e.g. "Authentication Failed".
    pub title: Option<String>,
    /// SentinelOne's error detail, when given.
    pub detail: Option<String>,
}

/// Everything that can go wrong in a capability call; `code()` is the stable contract.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectorError {
    /// The capability input is missing, mistyped or not an acceptable value.
    InvalidInput(String),
    /// The connection properties (base URL, API token) are missing or unacceptable.
    InvalidConnection(String),
    /// The console answered 401: the token is invalid or expired.
    Unauthorized(UpstreamDetail),
    /// The console answered 403: the token's scope does not allow this read.
    Forbidden(UpstreamDetail),
    /// The console answered 429 and the wait did not fit the remaining budget.
    RateLimited {
        /// How long the console asked us to wait, when it said.
        retry_after_ms: Option<u64>,
        /// The error entry of the body, when it had one.
        upstream: UpstreamDetail,
    },
    /// The console answered with a 5xx status.
    UpstreamUnavailable {
        /// The HTTP status.
        status: u16,
        /// The error entry of the body, when it had one.
        upstream: UpstreamDetail,
    },
    /// The console answered with another status the connector does not expect.
    UpstreamError {
        /// The HTTP status.
        status: u16,
        /// The error entry of the body, when it had one.
        upstream: UpstreamDetail,
    },
    /// The console answered with a redirect (code `UPSTREAM_ERROR`): the agents API never redirects,
    /// so the base URL is not a console's root.
    Redirect {
        /// The HTTP status (3xx); `None` when a browser hid the redirect (an opaque redirect).
        status: Option<u16>,
        /// Where it pointed (its `Location`), when that is printable ASCII of a sane length.
        location: Option<String>,
    },
    /// The whole call did not finish within its deadline.
    Timeout {
        /// The deadline that expired, in milliseconds.
        timeout_ms: u64,
    },
    /// No response was obtained: the host fetch rejected or threw.
    Network(String),
    /// No response was obtained, for a reason another attempt cannot mend (code `NETWORK`, not
    /// retryable): the console's TLS certificate is not trusted or not for its name, or it speaks no TLS.
    NetworkFinal(String),
    /// The host fetch resolved with something that is not a response object.
    ShimContract(String),
    /// The console answered 2xx with a body that is not the documented JSON.
    MalformedResponse {
        /// The HTTP status of that response, when known.
        status: Option<u16>,
        /// What is wrong with the body.
        message: String,
    },
    /// The response body (or the number of matching agents) exceeds what the connector accepts.
    ResponseTooLarge(String),
    /// `invoke` was called with a capability name the connector does not have.
    UnknownCapability(String),
    /// The host aborted the call through `options.signal`.
    Aborted,
}

impl ConnectorError {
    /// One error of every kind, in declaration order: for tests that must cover every code.
    #[doc(hidden)]
    pub fn one_of_each() -> Vec<Self> {
        let upstream = UpstreamDetail::default;
        let all = vec![
            Self::InvalidInput(String::new()),
            Self::InvalidConnection(String::new()),
            Self::Unauthorized(upstream()),
            Self::Forbidden(upstream()),
            Self::RateLimited {
                retry_after_ms: Some(5),
                upstream: upstream(),
            },
            Self::UpstreamUnavailable {
                status: 503,
                upstream: upstream(),
            },
            Self::UpstreamError {
                status: 418,
                upstream: upstream(),
            },
            Self::Timeout { timeout_ms: 1 },
            Self::Network(String::new()),
            Self::ShimContract(String::new()),
            Self::MalformedResponse {
                status: Some(200),
                message: String::new(),
            },
            Self::ResponseTooLarge(String::new()),
            Self::UnknownCapability(String::new()),
            Self::Aborted,
        ];
        // Exhaustive on purpose: a new variant does not compile until it is added to the list above
        // (a redirect is an UPSTREAM_ERROR: the list has one error of each code).
        for error in &all {
            match error {
                Self::InvalidInput(_)
                | Self::InvalidConnection(_)
                | Self::Unauthorized(_)
                | Self::Forbidden(_)
                | Self::RateLimited { .. }
                | Self::UpstreamUnavailable { .. }
                | Self::UpstreamError { .. }
                | Self::Redirect { .. }
                | Self::Timeout { .. }
                | Self::Network(_)
                | Self::NetworkFinal(_)
                | Self::ShimContract(_)
                | Self::MalformedResponse { .. }
                | Self::ResponseTooLarge(_)
                | Self::UnknownCapability(_)
                | Self::Aborted => {}
            }
        }
        all
    }

    /// The stable, documented code of this error (e.g. `"UNAUTHORIZED"`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput(_) => "INVALID_INPUT",
            Self::InvalidConnection(_) => "INVALID_CONNECTION",
            Self::Unauthorized(_) => "UNAUTHORIZED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::UpstreamUnavailable { .. } => "UPSTREAM_UNAVAILABLE",
            Self::UpstreamError { .. } | Self::Redirect { .. } => "UPSTREAM_ERROR",
            Self::Timeout { .. } => "TIMEOUT",
            Self::Network(_) | Self::NetworkFinal(_) => "NETWORK",
            Self::ShimContract(_) => "SHIM_CONTRACT",
            Self::MalformedResponse { .. } => "MALFORMED_RESPONSE",
            Self::ResponseTooLarge(_) => "RESPONSE_TOO_LARGE",
            Self::UnknownCapability(_) => "UNKNOWN_CAPABILITY",
            Self::Aborted => "ABORTED",
        }
    }

    /// Whether trying the same call again later may succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::UpstreamUnavailable { .. }
                | Self::Timeout { .. }
                | Self::Network(_)
        )
    }

    /// A response with status `status` whose body is not the documented JSON: what it was read as,
    /// and why not. A body that is an HTML page (a sign-in portal or a proxy answering for the
    /// console) says so: the base URL is then the likelier fault than the console.
    pub fn malformed(status: u16, what: &str, reason: &str, body: &str) -> Self {
        let mut message = String::from(what);
        message.push_str(": ");
        message.push_str(reason);
        if body.trim_ascii_start().starts_with('<') {
            message.push_str(
                " (an HTML page, not the console's API: is baseUrl the console's root URL?)",
            );
        }
        Self::MalformedResponse {
            status: Some(status),
            message,
        }
    }

    /// The upstream HTTP status this error came from, if it came from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized(_) => Some(401),
            Self::Forbidden(_) => Some(403),
            Self::RateLimited { .. } => Some(429),
            Self::UpstreamUnavailable { status, .. } | Self::UpstreamError { status, .. } => {
                Some(*status)
            }
            Self::Redirect { status, .. } | Self::MalformedResponse { status, .. } => *status,
            _ => None,
        }
    }

    /// How long the console asked the caller to wait before retrying, when known.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// The SentinelOne error entry carried by the response, when there was one.
    pub fn upstream(&self) -> Option<&UpstreamDetail> {
        match self {
            Self::Unauthorized(u) | Self::Forbidden(u) => Some(u),
            Self::RateLimited { upstream, .. }
            | Self::UpstreamUnavailable { upstream, .. }
            | Self::UpstreamError { upstream, .. } => Some(upstream),
            _ => None,
        }
    }
}

impl ConnectorError {
    /// The same error with `secret` removed from every text it carries (shim messages, upstream titles).
    pub fn redacted(self, secret: &str) -> Self {
        use crate::redact::redact_owned as r;
        let u = |u: UpstreamDetail| UpstreamDetail {
            code: u.code,
            title: u.title.map(|t| r(t, secret)),
            detail: u.detail.map(|d| r(d, secret)),
        };
        match self {
            Self::InvalidInput(m) => Self::InvalidInput(r(m, secret)),
            Self::InvalidConnection(m) => Self::InvalidConnection(r(m, secret)),
            Self::Unauthorized(d) => Self::Unauthorized(u(d)),
            Self::Forbidden(d) => Self::Forbidden(u(d)),
            Self::RateLimited {
                retry_after_ms,
                upstream,
            } => Self::RateLimited {
                retry_after_ms,
                upstream: u(upstream),
            },
            Self::UpstreamUnavailable { status, upstream } => Self::UpstreamUnavailable {
                status,
                upstream: u(upstream),
            },
            Self::UpstreamError { status, upstream } => Self::UpstreamError {
                status,
                upstream: u(upstream),
            },
            Self::Redirect { status, location } => Self::Redirect {
                status,
                location: location.map(|l| r(l, secret)),
            },
            Self::Network(m) => Self::Network(r(m, secret)),
            Self::NetworkFinal(m) => Self::NetworkFinal(r(m, secret)),
            Self::ShimContract(m) => Self::ShimContract(r(m, secret)),
            Self::MalformedResponse { status, message } => Self::MalformedResponse {
                status,
                message: r(message, secret),
            },
            Self::ResponseTooLarge(m) => Self::ResponseTooLarge(r(m, secret)),
            Self::UnknownCapability(m) => Self::UnknownCapability(r(m, secret)),
            other @ (Self::Timeout { .. } | Self::Aborted) => other,
        }
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_title = |f: &mut fmt::Formatter<'_>, head: &str, u: &UpstreamDetail| {
            f.write_str(head)?;
            match (&u.title, u.code) {
                (Some(title), Some(code)) => write!(f, " (SentinelOne {code}: {title})"),
                (Some(title), None) => write!(f, " (SentinelOne: {title})"),
                (None, Some(code)) => write!(f, " (SentinelOne {code})"),
                (None, None) => Ok(()),
            }
        };
        match self {
            Self::InvalidInput(m) => write!(f, "invalid input: {m}"),
            Self::InvalidConnection(m) => write!(f, "invalid connection: {m}"),
            Self::Unauthorized(u) => with_title(
                f,
                "the SentinelOne console rejected the API token (HTTP 401): it is invalid or expired",
                u,
            ),
            Self::Forbidden(u) => with_title(
                f,
                "the API token may not read agents (HTTP 403): give its service user the Viewer role on this scope",
                u,
            ),
            Self::RateLimited {
                retry_after_ms,
                upstream,
            } => {
                let head = match retry_after_ms {
                    Some(ms) => format!("the SentinelOne console is rate limiting this token (HTTP 429); retry after {ms} ms"),
                    None => "the SentinelOne console is rate limiting this token (HTTP 429)".to_owned(),
                };
                with_title(f, &head, upstream)
            }
            Self::UpstreamUnavailable { status, upstream } => with_title(
                f,
                // Statuses are formatted as u64, as every other count is: u16's own formatting
                // code would be linked for these two lines alone (0.2 KB).
                &format!(
                    "the SentinelOne console is unavailable (HTTP {})",
                    u64::from(*status)
                ),
                upstream,
            ),
            Self::UpstreamError { status, upstream } => {
                with_title(f, &unexpected_status(*status, None), upstream)
            }
            Self::Redirect {
                status: Some(status),
                location,
            } => f.write_str(&unexpected_status(*status, location.as_deref())),
            Self::Redirect { status: None, .. } => {
                f.write_str("the SentinelOne console answered with a redirect, which a browser does not show")?;
                f.write_str(BASE_URL_HINT)
            }
            Self::Timeout { timeout_ms } => {
                write!(f, "the call did not finish within {timeout_ms} ms")
            }
            Self::Network(m) | Self::NetworkFinal(m) => {
                write!(f, "no response from the SentinelOne console: {m}")
            }
            Self::ShimContract(m) => write!(f, "the host fetch function broke its contract: {m}"),
            Self::MalformedResponse { message, .. } => {
                write!(f, "the SentinelOne console sent a malformed response: {message}")
            }
            Self::ResponseTooLarge(m) => write!(f, "response too large: {m}"),
            Self::Aborted => f.write_str("the host aborted the call (options.signal)"),
            Self::UnknownCapability(name) => write!(
                f,
                "unknown capability {}; the capabilities are {} (names are case-sensitive)",
                crate::json_writer::quoted(name),
                crate::capability::NAMES
            ),
        }
    }
}

impl std::error::Error for ConnectorError {}

/// What a 404 or a redirect suggests: the base URL is not the console's root.
const BASE_URL_HINT: &str =
    ": is baseUrl the console's root URL, e.g. https://usea1-partners.sentinelone.net?";

/// The message of an unexpected status: where a redirect pointed, and what a 404 or a redirect from
/// the agents API nearly always means, a base URL that is not a console's root (a login portal, a
/// path pasted after the host).
fn unexpected_status(status: u16, location: Option<&str>) -> String {
    let mut head = format!(
        "the SentinelOne console answered with unexpected HTTP {}",
        u64::from(status)
    );
    if let Some(location) = location {
        head.push_str(" (a redirect to ");
        head.push_str(location);
        head.push(')');
    }
    if status == 404 || (300..400).contains(&status) {
        head.push_str(BASE_URL_HINT);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let all = ConnectorError::one_of_each();
        let codes: Vec<&str> = all.iter().map(ConnectorError::code).collect();
        assert_eq!(
            codes,
            [
                "INVALID_INPUT",
                "INVALID_CONNECTION",
                "UNAUTHORIZED",
                "FORBIDDEN",
                "RATE_LIMITED",
                "UPSTREAM_UNAVAILABLE",
                "UPSTREAM_ERROR",
                "TIMEOUT",
                "NETWORK",
                "SHIM_CONTRACT",
                "MALFORMED_RESPONSE",
                "RESPONSE_TOO_LARGE",
                "UNKNOWN_CAPABILITY",
                "ABORTED"
            ]
        );
        let retryable: Vec<&str> = all
            .iter()
            .filter(|e| e.retryable())
            .map(ConnectorError::code)
            .collect();
        assert_eq!(
            retryable,
            ["RATE_LIMITED", "UPSTREAM_UNAVAILABLE", "TIMEOUT", "NETWORK"]
        );
        assert_eq!(all[2].status(), Some(401));
        assert_eq!(all[5].status(), Some(503));
        assert_eq!(all[0].status(), None);
        assert_eq!(all[4].retry_after_ms(), Some(5));
    }

    #[test]
    fn redaction_reaches_every_text() {
        let secret = "tok-1234567890abcdef";
        let e = ConnectorError::UpstreamError {
            status: 400,
            upstream: UpstreamDetail {
                code: Some(1),
                title: Some(format!("bad token {secret}")),
                detail: Some(secret.to_owned()),
            },
        }
        .redacted(secret);
        let printed = format!("{e} {e:?}");
        assert!(!printed.contains(secret), "{printed}");
        assert!(printed.contains("[REDACTED]"));
        let e = ConnectorError::Redirect {
            status: Some(302),
            location: Some(format!("/login?token={secret}")),
        }
        .redacted(secret);
        assert!(
            e.to_string()
                .contains("(a redirect to /login?token=[REDACTED])"),
            "{e}"
        );
        let e = ConnectorError::Network(format!("fetch failed for {secret}")).redacted(secret);
        assert_eq!(
            e.to_string(),
            "no response from the SentinelOne console: fetch failed for [REDACTED]"
        );
    }

    #[test]
    fn message_carries_the_upstream_title_and_code() {
        let e = ConnectorError::Unauthorized(UpstreamDetail {
            code: Some(4010010),
            title: Some("Authentication Failed".into()),
            detail: None,
        });
        let m = e.to_string();
        assert!(m.contains("HTTP 401"), "{m}");
        assert!(m.contains("4010010: Authentication Failed"), "{m}");
    }
}
