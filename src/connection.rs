//! Connection properties: validating the console base URL and API token, and building request URLs.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::ConnectorError;
use crate::json_writer::quoted;
use crate::value::Value;

/// Query values keep only RFC 3986 unreserved characters; everything else (`&`, `+`, `#`, `,`, space) is encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The shortest token accepted; SentinelOne's are 80 characters (legacy) or longer JWTs.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Every byte JSON text holds outside strings: numbers, punctuation and the letters of the literals.
const OUTSIDE_STRINGS: &[u8] = b"0123456789+-.eE,:[]{}truefalsn";

/// The connection properties exactly as a host passes them (camelCase, all optional on the wire).
#[derive(Default)]
pub struct ConnectionProperties {
    /// The console's base URL, e.g. `https://usea1-partners.sentinelone.net`.
    pub base_url: Option<Value>,
    /// The service user's API token.
    pub api_token: Option<Value>,
    /// Optional site ids every agents query is limited to (an array, or a comma-separated string).
    pub site_ids: Option<Value>,
    /// Optional account ids every agents query is limited to (an array, or a comma-separated string).
    pub account_ids: Option<Value>,
}

impl ConnectionProperties {
    /// The properties of a connection object, moved out of it; `None` when `value` is not a JSON object.
    pub fn from_json(value: Value) -> Option<Self> {
        let Value::Object(mut members) = value else {
            return None;
        };
        Some(Self {
            base_url: members.take("baseUrl"),
            api_token: members.take("apiToken"),
            site_ids: members.take("siteIds"),
            account_ids: members.take("accountIds"),
        })
    }
}

/// The most ids the API accepts in one `siteIds` or `accountIds` filter.
pub const MAX_SCOPE_IDS: usize = 500;

/// A validated connection: a normalised base URL and a token safe to put in a header.
#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    base: String,
    api_token: String,
    scope: Vec<(&'static str, String)>,
}

// The token must not reach logs through Debug.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("base", &self.base)
            .field("api_token", &"[REDACTED]")
            .field("scope", &self.scope)
            .finish()
    }
}

impl Connection {
    /// Validates raw connection properties into a connection, or explains what is wrong.
    pub fn from_properties(props: &ConnectionProperties) -> Result<Self, ConnectorError> {
        let base_url = match &props.base_url {
            Some(Value::String(s)) => s,
            None | Some(Value::Null) => {
                return Err(invalid("baseUrl is required"));
            }
            Some(_) => return Err(invalid("baseUrl must be a string")),
        };
        let api_token = match &props.api_token {
            Some(Value::String(s)) => s,
            None | Some(Value::Null) => {
                return Err(invalid("apiToken is required"));
            }
            Some(_) => return Err(invalid("apiToken must be a string")),
        };
        let mut connection = Self::new(base_url, api_token)?;
        for (name, value) in [
            ("siteIds", &props.site_ids),
            ("accountIds", &props.account_ids),
        ] {
            // Most connections set neither: then the reader is never called, so V8 (which compiles a
            // wasm function on its first call) never compiles it.
            if let Some(value) = value.as_ref().filter(|value| !matches!(value, Value::Null)) {
                if let Some(ids) = scope_ids(name, value)? {
                    connection.scope.push((name, ids));
                }
            }
        }
        Ok(connection)
    }

    /// The scope filters (`siteIds`, `accountIds`) every agents query carries, as query pairs.
    pub fn scope(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.scope.iter().map(|(name, ids)| (*name, ids.as_str()))
    }

    /// Validates a base URL and token given as plain strings.
    pub fn new(base_url: &str, api_token: &str) -> Result<Self, ConnectorError> {
        Ok(Self {
            base: normalise_base_url(base_url)?,
            api_token: validate_token(api_token)?.to_owned(),
            scope: Vec::new(),
        })
    }

    /// The normalised base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The API token, for the Authorization header and for redacting it from text.
    pub fn api_token(&self) -> &str {
        &self.api_token
    }

    /// The `Authorization` header value SentinelOne expects.
    pub fn authorization(&self) -> String {
        // Pushed, not `concat`: core's generic join is 1 KB more for a first call to compile.
        let mut value = String::with_capacity("ApiToken ".len() + self.api_token.len());
        value.push_str("ApiToken ");
        value.push_str(&self.api_token);
        value
    }

    /// An absolute URL for `path` (a constant starting with `/`) with every query value percent-encoded.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = String::with_capacity(self.base.len() + path.len() + 64);
        url.push_str(&self.base);
        url.push_str(path);
        for (i, (name, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.extend(utf8_percent_encode(name, QUERY_VALUE));
            url.push('=');
            url.extend(utf8_percent_encode(value, QUERY_VALUE));
        }
        url
    }
}

fn invalid(message: &str) -> ConnectorError {
    ConnectorError::InvalidConnection(message.to_owned())
}

/// Reads a scope filter: an array of ids or a comma-separated string; empty means none.
#[inline(never)]
fn scope_ids(name: &str, value: &Value) -> Result<Option<String>, ConnectorError> {
    let ids: Vec<&str> = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::trim))
            .collect::<Option<Vec<&str>>>()
            .ok_or_else(|| ConnectorError::InvalidConnection(format!("{name} must be strings")))?,
        _ => {
            return Err(ConnectorError::InvalidConnection(format!(
                "{name} must be an array of ids or a comma-separated string"
            )))
        }
    };
    if ids.len() > MAX_SCOPE_IDS {
        return Err(ConnectorError::InvalidConnection(format!(
            "{name} has {} ids; the API accepts at most {MAX_SCOPE_IDS}",
            ids.len()
        )));
    }
    if let Some(bad) = ids.iter().find(|id| {
        id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(ConnectorError::InvalidConnection(format!(
            "{name} has an invalid id {}: ids are letters, digits, '-' and '_'",
            quoted(&bad.chars().take(40).collect::<String>())
        )));
    }
    Ok((!ids.is_empty()).then(|| list_value(ids.iter().copied())))
}

fn validate_token(raw: &str) -> Result<&str, ConnectorError> {
    // A trailing newline from copy-paste is common and harmless; anything inside is not.
    let token = raw.trim();
    if token.is_empty() {
        return Err(invalid("apiToken is empty"));
    }
    // Bytes first: a JWT is a few hundred characters, and decoding each one as a `char` was a tenth
    // of a call's fixed cost. Only a token that fails it is looked at character by character.
    let graphic = token.bytes().all(|b| b.is_ascii_graphic());
    if !graphic && token.chars().any(char::is_whitespace) {
        return Err(invalid(
            "apiToken contains whitespace: paste only the raw token value, without an 'ApiToken ' prefix",
        ));
    }
    if token.len() < MIN_TOKEN_CHARS {
        // Also keeps redaction meaningful: a two-letter "token" would be scrubbed out of every text.
        return Err(invalid(
            "apiToken is too short to be a SentinelOne API token",
        ));
    }
    if !graphic {
        return Err(invalid("apiToken contains control or non-ASCII characters"));
    }
    // No SentinelOne token holds one. A quote or a backslash could spell the token across two JSON
    // strings of an output, where no redaction of a single text can see it. A token ending in `[`
    // (or starting with `]`, or holding `[REDACTED]`) is spelled again by the `[REDACTED]` that
    // replaces it in a text a console made to follow it; without brackets no occurrence can reach
    // into the marker, so redaction leaves none.
    if token
        .bytes()
        .any(|b| matches!(b, b'"' | b'\\' | b'[' | b']'))
    {
        return Err(invalid(
            "apiToken contains a quote, a backslash or a square bracket",
        ));
    }
    // Nor is one made only of what JSON writes outside strings: a number a console sends could spell
    // it, and the body redacted of it was no JSON any more (the call failed as a malformed response,
    // blaming the console for the connection's mistake).
    if token.bytes().all(|b| OUTSIDE_STRINGS.contains(&b)) {
        return Err(invalid(
            "apiToken has only digits, signs, JSON punctuation and letters of true/false/null: no SentinelOne token is",
        ));
    }
    Ok(token)
}

fn normalise_base_url(raw: &str) -> Result<String, ConnectorError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(invalid("baseUrl is empty"));
    }
    if !raw.bytes().all(|b| b.is_ascii_graphic()) {
        check_not_graphic_url(raw)?;
    }
    // `split_once(':')` then "//", not `split_once("://")`: a string pattern links the Two-Way searcher.
    let scheme_and_rest = raw
        .split_once(':')
        .and_then(|(scheme, rest)| Some((scheme, rest.strip_prefix("//")?)));
    let (scheme, rest) = scheme_and_rest.ok_or_else(|| {
        invalid("baseUrl must be an absolute URL such as https://usea1-partners.sentinelone.net")
    })?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(invalid("baseUrl must use https://"));
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(invalid("baseUrl must not have a query or fragment"));
    }
    // `split_once`, not indexing: a slice that could panic links core's formatted panic message
    // (char `Debug` and Unicode tables, ~4 KB of .wasm).
    let (authority, path) = match rest.split_once('/') {
        Some((authority, path)) => (authority, path),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(invalid(
            "baseUrl must not contain credentials; put the token in apiToken",
        ));
    }
    let (host, port) = split_host_port(authority)?;
    let host = host.to_ascii_lowercase();
    if scheme == "http" && !is_loopback(&host) {
        return Err(invalid(
            "baseUrl must use https:// (plain http:// is allowed only for localhost, for the mock console)",
        ));
    }

    let mut url = String::with_capacity(scheme.len() + 3 + host.len());
    url.push_str(&scheme);
    url.push_str("://");
    url.push_str(&host);
    if let Some(port) = port {
        url.push(':');
        url.push_str(port);
    }
    if !path.is_empty() {
        append_path(&mut url, path)?;
    }
    Ok(url)
}

/// Why a base URL with a byte that is not printable ASCII is refused, if it is.
#[inline(never)]
fn check_not_graphic_url(raw: &str) -> Result<(), ConnectorError> {
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid("baseUrl contains whitespace or control characters"));
    }
    Ok(())
}

/// Appends a base URL's path to its origin in `url`, without empty segments or an API root.
#[inline(never)]
fn append_path(url: &mut String, path: &str) -> Result<(), ConnectorError> {
    let origin_len = url.len();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Err(invalid(
                "baseUrl path must not contain '.' or '..' segments",
            ));
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%!$'()*+,;=:".contains(&b))
        {
            return Err(invalid("baseUrl path has characters that are not allowed"));
        }
        url.push('/');
        url.push_str(segment);
    }
    // People paste the API root they see in the docs; the connector adds it itself.
    for api_root in ["/web/api/v2.1", "/web/api/v2.0", "/web/api"] {
        if url.len() >= origin_len + api_root.len() && url.ends_with(api_root) {
            url.truncate(url.len() - api_root.len());
            break;
        }
    }
    Ok(())
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), ConnectorError> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        split_ipv6(authority, v6)?
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(invalid("baseUrl has no host"));
    }
    if !host.starts_with('[') && !is_host_name(host) {
        return Err(invalid(
            "baseUrl host must be an ASCII host name or IP address",
        ));
    }
    if let Some(port) = port {
        check_port(port)?;
    }
    Ok((host, port))
}

// Out of line, as are the other rare checks here: V8 compiles a wasm function when it is first
// called, so what a console's usual https://host URL never runs stays out of a host's first call.
#[inline(never)]
fn split_ipv6<'a>(
    authority: &'a str,
    v6: &'a str,
) -> Result<(&'a str, Option<&'a str>), ConnectorError> {
    let (addr, after) = v6
        .split_once(']')
        .ok_or_else(|| invalid("baseUrl has an unterminated IPv6 address"))?;
    if addr.is_empty()
        || !addr
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    {
        return Err(invalid("baseUrl has an invalid IPv6 address"));
    }
    let port = match after {
        "" => None,
        p => Some(
            p.strip_prefix(':')
                .ok_or_else(|| invalid("baseUrl has an invalid host"))?,
        ),
    };
    // `[` + address + `]`, all ASCII.
    Ok((authority.get(..addr.len() + 2).unwrap_or(authority), port))
}

fn is_host_name(host: &str) -> bool {
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    host.len() <= 253 && host.trim_end_matches('.').split('.').all(valid_label)
}

#[inline(never)]
fn check_port(port: &str) -> Result<(), ConnectorError> {
    let valid = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && matches!(crate::loose::parse_u64(port), Some(1..=65535));
    if valid {
        Ok(())
    } else {
        Err(invalid("baseUrl has an invalid port"))
    }
}

#[inline(never)]
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3
                && rest
                    .split('.')
                    .all(|o| crate::loose::parse_u64(o).is_some_and(|o| o <= 255))
        })
}

/// A list as one query value: the items joined by commas (`siteIds=1,2`).
pub fn list_value<'a>(items: impl Iterator<Item = &'a str>) -> String {
    // By hand: core's generic `join` is 1 KB of .wasm.
    let mut text = String::new();
    for (at, item) in items.enumerate() {
        if at > 0 {
            text.push(',');
        }
        text.push_str(item);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_values_are_joined_by_commas() {
        assert_eq!(list_value(std::iter::empty()), "");
        assert_eq!(list_value(["1"].into_iter()), "1");
        assert_eq!(list_value(["1", "22", "3"].into_iter()), "1,22,3");
        assert_eq!(list_value(["", "a", ""].into_iter()), ",a,");
    }

    fn base(raw: &str) -> Result<String, String> {
        normalise_base_url(raw).map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_and_normalises_console_urls() {
        assert_eq!(
            base("https://usea1-partners.sentinelone.net").unwrap(),
            "https://usea1-partners.sentinelone.net"
        );
        assert_eq!(
            base("  HTTPS://USEA1-Partners.SentinelOne.net/  ").unwrap(),
            "https://usea1-partners.sentinelone.net"
        );
        assert_eq!(
            base("https://console.example//proxy///s1/").unwrap(),
            "https://console.example/proxy/s1"
        );
        assert_eq!(
            base("https://console.example/web/api/v2.1/").unwrap(),
            "https://console.example"
        );
        assert_eq!(
            base("https://console.example:8443").unwrap(),
            "https://console.example:8443"
        );
        assert_eq!(
            base("http://127.0.0.1:4010").unwrap(),
            "http://127.0.0.1:4010"
        );
        assert_eq!(
            base("http://localhost:4010/").unwrap(),
            "http://localhost:4010"
        );
        assert_eq!(base("http://[::1]:4010").unwrap(), "http://[::1]:4010");
        assert_eq!(
            base("https://[2001:db8::1]").unwrap(),
            "https://[2001:db8::1]"
        );
        assert_eq!(
            base("https://[::ffff:192.0.2.1]:8443").unwrap(),
            "https://[::ffff:192.0.2.1]:8443"
        );
        // An API root is removed from the path only: a host named "web" keeps its "/api".
        assert_eq!(base("https://web/api").unwrap(), "https://web/api");
        assert_eq!(base("https://web/web/api").unwrap(), "https://web");
    }

    #[test]
    fn refuses_unsafe_or_ambiguous_urls() {
        for (raw, why) in [
            ("", "empty"),
            ("usea1-partners.sentinelone.net", "absolute URL"),
            ("ftp://console.example", "https"),
            ("http://console.example", "localhost"),
            ("http://127.0.0.1.evil.example", "localhost"),
            ("http://127.0.0.256", "localhost"),
            ("http://127.1", "localhost"),
            ("https://user:pass@console.example", "credentials"),
            ("https://console.example?x=1", "query"),
            ("https://console.example/#frag", "query or fragment"),
            ("https://console.example/a/../b", "'..'"),
            ("https://console .example", "whitespace"),
            ("https://console.example/\u{7f}", "control"),
            ("https://console.example/a\u{2003}b", "whitespace"),
            ("https://console.example/é", "not allowed"),
            ("https://console.example:0", "port"),
            ("https://console.example:99999", "port"),
            ("https://console.example:", "port"),
            ("https://bücher.example", "ASCII"),
            ("https://-bad.example", "ASCII"),
            ("https://", "no host"),
            ("https://[::1", "IPv6"),
            ("https://[]", "IPv6"),
            ("https://[::g]", "IPv6"),
            ("https://[::1]x", "invalid host"),
            ("https://console.example/a\"b", "not allowed"),
        ] {
            let err = base(raw).expect_err(raw);
            assert!(err.contains(why), "{raw:?}: {err}");
        }
    }

    #[test]
    fn tokens_are_trimmed_but_never_carry_whitespace_or_controls() {
        assert_eq!(
            validate_token("  abc.DEF_123-=abcdefgh  \n").unwrap(),
            "abc.DEF_123-=abcdefgh"
        );
        // One character JSON never writes outside a string is enough.
        assert_eq!(
            validate_token("1234567890123456x").unwrap(),
            "1234567890123456x"
        );
        for (bad, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("short-token", "too short"),
            ("a b", "whitespace"),
            ("ab\u{0}", "too short"),
            ("ApiToken abcdefghijklmnopqrstuvwxyz", "whitespace"),
            ("abcdefghijklmnop\r\nX-Evil: 1", "whitespace"),
            ("abcdefghijklmnop\u{a0}abc", "whitespace"),
            ("abcdefghijklmnop\u{0}c", "control or non-ASCII"),
            ("abcdefghijklmnop\u{7f}c", "control or non-ASCII"),
            ("tökén-abcdefghijklmnop", "control or non-ASCII"),
            (
                "abcdefghijklmnop\"c",
                "a quote, a backslash or a square bracket",
            ),
            (
                "\\abcdefghijklmnop",
                "a quote, a backslash or a square bracket",
            ),
            ("1234567890123456", "only digits"),
            ("1700000000000000000", "only digits"),
            ("1e10,-2.5E+3:{},0.5", "only digits"),
            ("true,false,null,1", "only digits"),
            // Each would be spelled again by the [REDACTED] replacing it (redact.rs's test).
            ("abcdefghijklmnop[", "a square bracket"),
            ("]abcdefghijklmnop", "a square bracket"),
            ("abcdefgh[REDACTED]ijklmnop", "a square bracket"),
        ] {
            let err = validate_token(bad).expect_err(bad);
            assert_eq!(err.code(), "INVALID_CONNECTION");
            assert!(err.to_string().contains(why), "{bad:?}: {err}");
            if !bad.trim().is_empty() {
                assert!(!err.to_string().contains(bad.trim()), "token echoed: {err}");
            }
        }
    }

    #[test]
    fn properties_must_be_strings() {
        let props = ConnectionProperties::from_json(
            crate::value::json!({"baseUrl": 12, "apiToken": "test-token-0123456789"}),
        )
        .unwrap();
        let err = Connection::from_properties(&props).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid connection: baseUrl must be a string"
        );
        let props =
            ConnectionProperties::from_json(crate::value::json!({"baseUrl": "https://a.example"}))
                .unwrap();
        let err = Connection::from_properties(&props).unwrap_err();
        assert_eq!(err.to_string(), "invalid connection: apiToken is required");
    }

    #[test]
    fn query_values_are_percent_encoded_as_one_value_each() {
        let c = Connection::new("https://console.example/", "test-token-0123456789").unwrap();
        assert_eq!(
            c.url(
                "/web/api/v2.1/agents",
                &[("serialNumber__contains", "AB&limit=1"), ("limit", "1000")]
            ),
            "https://console.example/web/api/v2.1/agents?serialNumber__contains=AB%26limit%3D1&limit=1000"
        );
        assert_eq!(
            c.url("/p", &[("s", "C02 X+Y#1,Z/é")]),
            "https://console.example/p?s=C02%20X%2BY%231%2CZ%2F%C3%A9"
        );
    }

    #[test]
    fn scope_ids_come_as_arrays_or_comma_strings() {
        let props = |v: Value| ConnectionProperties::from_json(v).unwrap();
        let c = Connection::from_properties(&props(crate::value::json!({
            "baseUrl": "https://a.example", "apiToken": "test-token-0123456789",
            "siteIds": ["225494730938493804", " 225494730938493915 "], "accountIds": "1, 2,"
        })))
        .unwrap();
        let scope: Vec<(&str, &str)> = c.scope().collect();
        assert_eq!(
            scope,
            [
                ("siteIds", "225494730938493804,225494730938493915"),
                ("accountIds", "1,2")
            ]
        );
        for bad in [
            serde_json::json!({ "siteIds": 5 }),
            serde_json::json!({ "siteIds": [5] }),
            serde_json::json!({ "accountIds": ["1&x=2"] }),
            serde_json::json!({ "siteIds": vec!["1"; 501] }),
        ] {
            let mut v = bad.clone();
            v["baseUrl"] = "https://a.example".into();
            v["apiToken"] = "test-token-0123456789".into();
            let err =
                Connection::from_properties(&props(crate::value::from_serde(&v))).unwrap_err();
            assert_eq!(err.code(), "INVALID_CONNECTION", "{bad}");
        }
        let none = Connection::from_properties(&props(crate::value::json!({
            "baseUrl": "https://a.example", "apiToken": "test-token-0123456789", "siteIds": [], "accountIds": null
        })))
        .unwrap();
        assert_eq!(none.scope().count(), 0);
        // As many ids as the API takes, and not one more (above).
        let most =
            Connection::from_properties(&props(crate::value::from_serde(&serde_json::json!({
                "baseUrl": "https://a.example", "apiToken": "test-token-0123456789",
                "siteIds": vec!["1"; MAX_SCOPE_IDS]
            }))))
            .unwrap();
        assert_eq!(most.scope().count(), 1);
    }

    #[test]
    fn debug_hides_the_token() {
        let c = Connection::new("https://console.example", "very-secret-token").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-token"), "{shown}");
        // Still says where it connects, with the token's place marked.
        assert!(shown.contains("https://console.example"), "{shown}");
        assert!(shown.contains("[REDACTED]"), "{shown}");
    }
}
