//! Sans-IO HTTP types and the one-method trait every way of sending a request implements.

use std::future::Future;

/// An outgoing HTTP request, built by the core and sent by a [`Transport`].
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The HTTP method, e.g. `GET`.
    pub method: &'static str,
    /// The absolute request URL, every query value percent-encoded.
    pub url: String,
    /// Header names and values, in the order they are sent.
    pub headers: Vec<(&'static str, String)>,
    /// The request body, when there is one.
    pub body: Option<String>,
}

// The Authorization header carries the API token: Debug must never print it.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                if name.eq_ignore_ascii_case("authorization") {
                    (*name, "[REDACTED]")
                } else {
                    (*name, value.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|_| "[BODY]"))
            .finish()
    }
}

/// A response as the transport received it, whatever its status (a 401 is a response, not a failure).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The HTTP status code; 0 for a redirect the platform hides (a browser's opaque redirect).
    pub status: u16,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The response body as text.
    pub body: String,
}

impl HttpResponse {
    /// The value of the first header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a transport obtained no response at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The request could not be completed (DNS, TLS, connection reset, the shim rejected).
    Network(String),
    /// As `Network`, for a reason another attempt cannot mend (an untrusted TLS certificate).
    NetworkFinal(String),
    /// The transport produced something that is not a response.
    Contract(String),
    /// The response body is larger than the connector accepts; it was not read.
    TooLarge(String),
    /// The host aborted the call before a response was obtained.
    Aborted,
    /// The host application's policy forbids the request's host (`options.allowedHosts`): not sent.
    NotAllowed(String),
}

/// Sends one HTTP request and resolves with whatever response came back.
pub trait Transport {
    /// Sends `request`; resolves `Ok` for every HTTP status and `Err` only when no response was obtained.
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_authorization_header() {
        let request = HttpRequest {
            method: "GET",
            url: "https://console.example/web/api/v2.1/agents".into(),
            headers: vec![
                ("Authorization", "ApiToken s3cr3t-token".into()),
                ("Accept", "application/json".into()),
            ],
            body: Some("{\"apiToken\":\"s3cr3t-token\"}".into()),
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("s3cr3t-token"), "{printed}");
        assert!(printed.contains("[REDACTED]"));
        assert!(printed.contains("application/json"));
    }

    #[test]
    fn header_lookup_ignores_case() {
        let response = HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), "3".into())],
            body: String::new(),
        };
        assert_eq!(response.header("Retry-After"), Some("3"));
        assert_eq!(response.header("x-rqid"), None);
    }
}
