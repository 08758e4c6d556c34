//! What the fuzz targets run, shared with the native test that replays the kept corpus.
//! Each function must return normally for every input: a panic is a finding.
#![allow(dead_code)]

use sentinelone_connector::capability::{self, Capability, CapabilityOutput};
use sentinelone_connector::connection::{Connection, ConnectionProperties};
use sentinelone_connector::fields::{self, Fields};
use sentinelone_connector::json_writer::quoted;
use sentinelone_connector::json_writer::to_json_string;
use sentinelone_connector::options::CallOptions;
use sentinelone_connector::pairs::Pairs;
use sentinelone_connector::runtime::Runtime;
use sentinelone_connector::sync::{self, SerialEntry, Snapshot, SnapshotHead, SyncSummary};
use sentinelone_connector::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use sentinelone_connector::trust::TrustRules;
use sentinelone_connector::value::{Number, Value};
use sentinelone_connector::{json, latin1, redact, response, serial, timestamp, wire};
use std::cell::RefCell;
use std::collections::BTreeMap;

const TOKEN: &str = "fuzz-token-0123456789abcdef";
const SERIAL: &str = "C02XK1ABJG5J";

struct Canned {
    status: u16,
    retry_after: String,
    body: String,
}

impl Transport for Canned {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: self.status,
            // The first line is every header the core reads: Retry-After, and a redirect's Location.
            headers: vec![
                ("retry-after".into(), self.retry_after.clone()),
                ("location".into(), self.retry_after.clone()),
            ],
            body: self.body.clone(),
        })
    }
}

struct Instant;

impl Runtime for Instant {
    fn now_ms(&self) -> f64 {
        1_700_000_000_000.0
    }
    async fn sleep(&self, _ms: u64) {}
    fn random(&self) -> f64 {
        0.5
    }
}

/// The token search (a pair probe per token length on long texts) finds what `str::contains`
/// finds: a stretch of the body as the needle, the body after fillers of every length up to the
/// needle's, so that the needle's occurrences meet the probes at every offset.
fn token_search_agrees(body: &str) {
    let len = [32, 33, 80, 163][body.len() % 4];
    let start = (0..=body.len() / 3)
        .rev()
        .find(|&i| body.is_char_boundary(i))
        .unwrap_or(0);
    let Some(needle) = body.get(start..start + len) else {
        return;
    };
    let mut haystack = "#".repeat(1024);
    for _ in 0..len {
        haystack.push('#');
        let text = [haystack.as_str(), body].concat();
        assert_eq!(
            sentinelone_connector::redact::contains(&text, needle),
            text.contains(needle),
            "{needle:?} after {} fillers",
            haystack.len()
        );
    }
}

/// Runs a whole lookup against an arbitrary response: first byte the status, then a
/// Retry-After value up to a newline, then the body.
pub fn agents_response(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // 0: a redirect the platform hides (a browser's opaque one).
    const STATUSES: [u16; 13] = [
        200, 200, 200, 200, 201, 401, 403, 429, 500, 503, 404, 302, 0,
    ];
    let status = STATUSES[usize::from(selector) % STATUSES.len()];
    let text = String::from_utf8_lossy(rest);
    let (retry_after, body) = text.split_once('\n').unwrap_or(("", &text));
    token_search_agrees(body);
    let transport = Canned {
        status,
        retry_after: retry_after.to_owned(),
        body: body.to_owned(),
    };
    let connection = ConnectionProperties::from_json(
        json::parse_value(&format!(
            r#"{{"baseUrl": "https://usea1-partners.sentinelone.net", "apiToken": "{TOKEN}"}}"#
        ))
        .expect("static JSON"),
    )
    .expect("static connection");
    let options = CallOptions {
        timeout_ms: 10_000,
        max_attempts: 2,
        ..CallOptions::default()
    };
    let input =
        json::parse_value(&format!(r#"{{"serialNumber": "{SERIAL}"}}"#)).expect("static JSON");
    let result = pollster::block_on(capability::invoke(
        &transport,
        &Instant,
        Capability::GetAgentBySerialNumber,
        &connection,
        &input,
        options,
    ));
    match result {
        Ok(CapabilityOutput::Lookup(lookup)) => {
            let out = &lookup.output;
            assert!(out.status_code.is_some_and(|s| (200..300).contains(&s)));
            assert_eq!(out.agent_found, out.match_count > 0);
            if out.agent_found {
                assert_eq!(out.serial_number.as_deref(), Some(SERIAL));
            }
            // As JSON.parse reads it: still JSON once redacted (the token holds no backslash or
            // quote, and letters keep it out of numbers), and no value holds the token.
            assert!(
                !mentions_token(&lookup.raw_response),
                "{}",
                lookup.raw_response
            );
            let _ = lookup.to_json_text();
        }
        Ok(_) => unreachable!("only lookups here"),
        Err(error) => {
            let text = format!("{error} {error:?}");
            assert!(!text.contains(TOKEN), "{text}");
            let _ = (
                error.code(),
                error.retryable(),
                error.status(),
                error.retry_after_ms(),
            );
        }
    }
    // The same response judged for trust: a trusted verdict needs an exact, unique, found agent.
    let trust = pollster::block_on(capability::invoke(
        &transport,
        &Instant,
        Capability::EvaluateDeviceTrust,
        &connection,
        &input,
        options,
    ));
    if let Ok(CapabilityOutput::Trust { evaluation, .. }) = trust {
        if evaluation.trusted {
            assert!(evaluation.lookup.agent_found && evaluation.lookup.match_count == 1);
            assert!(evaluation.reasons.is_empty());
        } else {
            assert!(!evaluation.reasons.is_empty());
        }
        assert!(!mentions_token(&to_json_string(&evaluation)));
    }
    // The same response as every page of a sync: every agent judged and merged, and no snapshot,
    // whole or partial, nor error holds the token.
    let sync = pollster::block_on(capability::sync_agents(
        &transport,
        &Instant,
        &connection,
        &json::parse_value("{}").expect("static JSON"),
        options,
        &|_| {},
    ));
    assert_sync_keeps_the_token(sync);
    // The same response to Test Connection's two reads (agents and token details): a health report,
    // never thrown, that fails exactly when it says why, and holds no token.
    let health = pollster::block_on(capability::invoke(
        &transport,
        &Instant,
        Capability::TestConnection,
        &connection,
        &json::parse_value("{}").expect("static JSON"),
        options,
    ));
    match health {
        Ok(CapabilityOutput::Health(health)) => {
            assert_eq!(health.ok, health.error.is_none(), "{health:?}");
            assert!(!mentions_token(&to_json_string(&health)));
        }
        other => panic!("Test Connection reports, never throws: {other:?}"),
    }
    // The pieces on their own, with the same bytes.
    if let Ok(page) = wire::parse_agents_page(body) {
        // Redaction skips its escape scan on this word: a page read whole holds a backslash only in
        // an escape, so the reader met one exactly when the text has one.
        assert_eq!(page.escaped, body.contains('\\'), "escaped");
    }
    json_reader_agrees_with_serde(body);
    let _ = wire::upstream_detail(body);
    let _ = response::retry_after_ms(retry_after, 1_700_000_000_000.0);
    let _ = timestamp::parse_micros(retry_after);
    let _ = timestamp::parse_http_date_ms(retry_after);
}

/// Validates arbitrary connection properties, serials and options; when they pass, the request URL
/// must keep the serial as exactly one query value. The same bytes, read as Latin-1 text the driver
/// copied, must widen to that text in UTF-8, and with a count of bytes to widen one too many be refused
/// (one too few leaves other bytes).
pub fn inputs(data: &[u8]) {
    let latin1_text: String = data.iter().map(|&b| char::from(b)).collect();
    let high = latin1::high_bytes(data);
    assert_eq!(high, latin1_text.len() - data.len());
    for count in [high, high + 1, high.wrapping_sub(1)] {
        let mut buffer = data.to_vec();
        let widened = latin1::widen_in_place(&mut buffer, count);
        if count == high {
            assert!(widened);
            assert_eq!(buffer, latin1_text.as_bytes());
        } else if count == high + 1 {
            assert!(!widened, "one too many");
        } else if widened {
            assert_ne!(buffer, latin1_text.as_bytes(), "one too few");
        }
    }
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\u{1}');
    let (base, token, serial_text, numbers) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut floats = numbers.split(',').map(|n| n.parse::<f64>().ok());
    let _ = CallOptions::new(floats.next().flatten(), floats.next().flatten());
    if let Ok(rules) = json::parse_value(numbers) {
        let _ = TrustRules::from_json(Some(&rules));
    }
    let value = Value::String(serial_text.to_owned());
    let serial = serial::validate(Some(&value));
    let _ = serial.as_ref().map(|s| serial::is_placeholder(s));
    let Ok(connection) = Connection::new(base, token) else {
        return;
    };
    // Any token the connection takes, in a text a console could make around it (the fuzzed serial
    // before, the numbers after): redacted, no text nor JSON text spells it, nor any of its strings.
    let secret = connection.api_token();
    let around = format!("{serial_text}{secret}{numbers}");
    let clean = redact::redact(&around, secret);
    assert!(
        !redact::spells(&clean, secret),
        "{around:?} became {clean:?}"
    );
    let json_text = redact::redact_json_text(quoted(&around), secret);
    assert!(!json_text.contains(secret), "{around:?} became {json_text}");
    if let Ok(read) = json::parse_value(&json_text) {
        assert!(!redact::value_contains(&read, secret), "{json_text}");
    }
    let base_url = connection.base_url();
    assert!(base_url.starts_with("https://") || base_url.starts_with("http://"));
    assert!(!base_url.contains(['?', '#', '@', ' ']));
    if let Ok(serial) = serial {
        let url = connection.url(
            "/web/api/v2.1/agents",
            &[("serialNumber__contains", serial), ("limit", "1000")],
        );
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let pairs: Vec<&str> = query.split('&').collect();
        assert_eq!(pairs.len(), 2, "{url}");
        assert!(
            pairs[0].starts_with("serialNumber__contains=") && pairs[1] == "limit=1000",
            "{url}"
        );
        // '+' is legal in the base URL's path; in the query it would read as a space.
        assert!(!query.contains([' ', '#', '+']), "{url}");
        assert!(!url.contains([' ', '#']), "{url}");
        let authorization = connection.authorization();
        assert!(!authorization.contains(['\r', '\n']));
    }
}

/// Answers every request with one last page (`body`) and keeps the URLs it was sent.
#[derive(Default)]
struct LastPage {
    body: String,
    urls: RefCell<Vec<String>>,
}

impl Transport for LastPage {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.urls.borrow_mut().push(request.url);
        Ok(HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: self.body.clone(),
        })
    }
}

/// A last page whose agents merge into a stored snapshot's entry for `serial`: the agent it names
/// (`agent_id`), a new one, one decommissioned, and agents with no serial and a placeholder one.
fn page_merging_into(serial: &str, agent_id: Option<&str>) -> String {
    let agent = |id: &str, serial: serde_json::Value, decommissioned: bool| {
        serde_json::json!({
            "id": id, "serialNumber": serial, "isDecommissioned": decommissioned,
            "lastActiveDate": "2023-11-14T22:10:00.000000Z", "osType": "windows",
            "isActive": true, "infected": false, "activeThreats": 0
        })
    };
    let data = vec![
        agent(agent_id.unwrap_or("fuzz-known"), serial.into(), false),
        agent("fuzz-new", serial.into(), false),
        agent("fuzz-old", serial.into(), true),
        agent("fuzz-null", serde_json::Value::Null, false),
        agent("fuzz-oem", "To be filled by O.E.M.".into(), false),
    ];
    serde_json::json!({ "data": data, "pagination": { "totalItems": 5, "nextCursor": null } })
        .to_string()
}

/// Reads an arbitrary stored snapshot every way a host hands one back: to checkSerial (its head and
/// one entry), and to a sync as `resumeFrom` and as `previous`.
pub fn snapshot(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(tree) = json::parse_value(&text) else {
        return;
    };
    const NOW: f64 = 1_700_000_000_000.0;
    // The snapshot's first serial (a real-looking one when it has none) and that serial's entry.
    let (serial, stored_entry) = tree
        .get("serials")
        .and_then(Value::as_object)
        .and_then(|s| s.iter().next())
        .map_or((SERIAL, None), |(name, entry)| (name.as_str(), Some(entry)));
    if let Ok(head) = SnapshotHead::from_json(&tree) {
        let entry = stored_entry.and_then(|e| SerialEntry::from_json(e).ok());
        let input = Value::String(serial.to_owned());
        if let Ok(answer) = sync::check_serial(&head, entry.as_ref(), Some(&input), NOW, 60.0) {
            if answer.trusted {
                assert!(head.complete && entry.is_some(), "trusted without an entry");
                assert!(answer.reasons.is_empty());
            } else {
                assert!(!answer.reasons.is_empty());
            }
            let _ = to_json_string(&answer);
        }
    }
    // Snapshots are read straight from text, `serials` entry by entry (`stored.rs`), exactly as the
    // whole tree was read before. `Snapshot::from_json` reads the tree as written (a number is read
    // exactly only in the range people and JSON.stringify write, within a few units in the last place
    // beyond, so a 103-digit one written shortest reads back a little apart): the tree reader reads
    // that same text.
    let read = Snapshot::from_json(&tree);
    let written_tree = json::parse_value(&to_json_string(&tree))
        .unwrap_or_else(|e| panic!("a value written does not read back ({e}): {text}"));
    assert_eq!(read, snapshot_from_tree(&written_tree), "{text}");
    // A snapshot that reads is written back as one that reads the same.
    if let Ok(read) = read {
        let written = to_json_string(&read);
        let again = json::parse_value(&written)
            .ok()
            .and_then(|t| Snapshot::from_json(&t).ok())
            .unwrap_or_else(|| panic!("a written snapshot does not read back: {written}"));
        assert!(again.serials.keys().eq(read.serials.keys()));
        assert_eq!(
            (
                &again.summary,
                again.complete,
                &again.resume_cursor,
                &again.filters
            ),
            (
                &read.summary,
                read.complete,
                &read.resume_cursor,
                &read.filters
            )
        );
    }
    // Resumed from it, or incremental on it: every page request is the agents endpoint with only
    // the parameters a sync writes, each once.
    let connection = ConnectionProperties::from_json(
        json::parse_value(&format!(
            r#"{{"baseUrl": "https://usea1-partners.sentinelone.net", "apiToken": "{TOKEN}"}}"#
        ))
        .expect("static JSON"),
    )
    .expect("static connection");
    let agent_id = stored_entry
        .and_then(|e| e.get("agentId"))
        .and_then(Value::as_str);
    let merging_page = page_merging_into(serial, agent_id);
    // An incremental sync also reads the serial's judged agent under another serial, after reading
    // another agent of that serial: the entry it leaves keeps that one (judged, when it is all that is
    // left) or another, never the one that moved.
    let moved = agent_id.unwrap_or("fuzz-known");
    let moving_page = page_moving_from(serial, moved);
    for (key, body) in [
        ("resumeFrom", &merging_page),
        ("previous", &merging_page),
        ("previous", &moving_page),
    ] {
        let input = Value::Object(sentinelone_connector::value::Object::from_members(vec![(
            key.to_owned(),
            tree.clone(),
        )]));
        let transport = LastPage {
            body: body.clone(),
            ..LastPage::default()
        };
        let options = CallOptions {
            now_ms: Some(NOW),
            ..CallOptions::default()
        };
        let result = pollster::block_on(capability::sync_agents(
            &transport,
            &Instant,
            &connection,
            &input,
            options,
            &|_| {},
        ));
        for url in transport.urls.borrow().iter() {
            let query = url
                .strip_prefix("https://usea1-partners.sentinelone.net/web/api/v2.1/agents?")
                .unwrap_or_else(|| panic!("{url}"));
            let mut names: Vec<&str> = query
                .split('&')
                .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
                .collect();
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "a parameter twice: {url}");
            assert!(
                names
                    .iter()
                    .all(|n| ["limit", "osTypes", "updatedAt__gt", "cursor"].contains(n)),
                "{url}"
            );
        }
        if let (Ok(snapshot), true) = (&result, body == &moving_page && serial.trim() != MOVED_TO) {
            if let Some(entry) = snapshot.serials.get(serial.trim()) {
                assert!(entry.agents >= 1, "{text}");
                assert_ne!(entry.agent_id.as_deref(), Some(moved), "{text}");
                assert!(
                    !entry.other_agent_ids.iter().any(|id| id == moved),
                    "{text}"
                );
                // The one agent left, read in this sync, is judged as read.
                if entry.agents == 1 && entry.agent_id.as_deref() == Some("fuzz-new") {
                    assert_eq!(
                        entry.last_active_date.as_deref(),
                        Some(MOVING_PAGE_DATE),
                        "{text}"
                    );
                }
            }
        }
        assert_sync_keeps_the_token(result);
    }
}

/// The serial [`page_moving_from`] moves an agent to.
const MOVED_TO: &str = "FUZZ-MOVED-TO";

/// When the agents of [`page_moving_from`] were last active.
const MOVING_PAGE_DATE: &str = "2023-11-14T22:05:00.000000Z";

/// A last page with an agent of `serial`, then agent `moved` under another serial.
fn page_moving_from(serial: &str, moved: &str) -> String {
    let agent = |id: &str, serial: &str| {
        serde_json::json!({
            "id": id, "serialNumber": serial, "isDecommissioned": false,
            "lastActiveDate": MOVING_PAGE_DATE, "osType": "windows",
            "isActive": true, "infected": false, "activeThreats": 0
        })
    };
    let data = vec![agent("fuzz-new", serial), agent(moved, MOVED_TO)];
    serde_json::json!({ "data": data, "pagination": { "totalItems": 2, "nextCursor": null } })
        .to_string()
}

/// A sync's result: a complete snapshot whose summary counts its serials, or an error and an
/// incomplete partial; neither holds the token.
fn assert_sync_keeps_the_token(result: Result<Snapshot, sync::SyncFailure>) {
    match result {
        Ok(snapshot) => {
            assert!(snapshot.complete);
            assert_eq!(snapshot.summary.serials, snapshot.serials.len() as u64);
            assert!(!mentions_token(&to_json_string(&snapshot)));
        }
        Err(failure) => {
            let text = format!("{} {:?}", failure.error, failure.error);
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!failure.partial.complete);
            assert!(!mentions_token(&to_json_string(&*failure.partial)));
        }
    }
}

/// Whether any string or member name of the JSON `text` holds the token, or spells it once written
/// as JSON again (as a host's JSON.stringify writes it: a form feed and "uzz-token…" are written
/// `\fuzz-token…`). Not the text itself: a string spelling the token only in escapes (`\u0066uzz`)
/// is the same string.
fn mentions_token(text: &str) -> bool {
    fn spells(text: &str) -> bool {
        serde_json::to_string(text).is_ok_and(|written| written.contains(TOKEN))
    }
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => spells(s),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(members) => {
                members.iter().any(|(name, v)| spells(name) || walk(v))
            }
            _ => false,
        }
    }
    let value: serde_json::Value =
        serde_json::from_str(&as_serde_reads(text)).expect("the connector writes JSON");
    walk(&value)
}

/// `text` with what JSON.parse accepts and serde_json's Value cannot hold made readable to it without
/// changing which strings hold what: a number beyond f64 (JSON.parse: Infinity) becomes 0, and a lone
/// surrogate escape (JSON.parse keeps the lone code unit) becomes U+FFFD.
fn as_serde_reads(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let surrogate = |from: usize| -> Option<u32> {
        let hex = text.get(from..from + 6)?.strip_prefix("\\u")?;
        u32::from_str_radix(hex, 16)
            .ok()
            .filter(|c| (0xD800..0xE000).contains(c))
    };
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                out.push('"');
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    if bytes[at] == b'\\' {
                        if let Some(first) = surrogate(at) {
                            let paired = first < 0xDC00
                                && surrogate(at + 6).is_some_and(|second| second >= 0xDC00);
                            if paired {
                                out.push_str(&text[at..at + 12]);
                                at += 12;
                            } else {
                                out.push_str("\\ufffd");
                                at += 6;
                            }
                            continue;
                        }
                        // The backslash and whatever follows it (the text need not be JSON here).
                        out.push('\\');
                        at += 1;
                        if let Some(next) = text[at..].chars().next() {
                            out.push(next);
                            at += next.len_utf8();
                        }
                        continue;
                    }
                    let len = text[at..].chars().next().map_or(1, char::len_utf8);
                    out.push_str(&text[at..at + len]);
                    at += len;
                }
                out.push('"');
                at += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = text[at..]
                    .find(|c: char| !matches!(c, '-' | '+' | '.' | 'e' | 'E' | '0'..='9'))
                    .map_or(text.len(), |n| at + n);
                let number = &text[at..end];
                out.push_str(
                    if serde_json::from_str::<serde_json::Value>(number).is_ok() {
                        number
                    } else {
                        "0"
                    },
                );
                at = end;
            }
            _ => {
                let len = text[at..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[at..at + len]);
                at += len;
            }
        }
    }
    out
}

/// The connector's JSON reader accepts exactly what serde_json accepts (within its nesting limit):
/// the driver re-parses accepted bodies with `JSON.parse`, which is as strict as serde_json.
fn json_reader_agrees_with_serde(text: &str) {
    let mut reader = json::Reader::new(text, 64);
    let ours = reader.skip().and_then(|()| reader.end());
    if matches!(&ours, Err(e) if e.contains("deeper than")) {
        return;
    }
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    // serde_json refuses a lone surrogate escape and a number beyond f64 in a Value; JSON.parse
    // accepts both (a string with a lone surrogate, Infinity), and so does skipping: such a refusal
    // counts for nothing when serde_json accepts the text with those values made readable.
    let value_only = theirs.as_ref().is_err_and(|e| {
        let e = e.to_string();
        (e.contains("surrogate") || e.contains("out of range") || e.contains("hex escape"))
            && serde_json::from_str::<serde_json::Value>(&as_serde_reads(text)).is_ok()
    });
    if !value_only {
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{text:?}: {ours:?} / {theirs:?}"
        );
    }
    // Inputs and stored snapshots are read into a tree by the same reader: the same tree serde builds.
    match (json::parse_value(text), &theirs) {
        (Ok(tree), Ok(theirs)) => {
            assert!(same_tree(&tree, theirs), "{text:?}: {tree:?} / {theirs}")
        }
        (Err(e), Ok(_)) => assert!(e.contains("deeper than"), "{text:?}: {e}"),
        (Ok(tree), Err(e)) => panic!("{text:?}: read {tree:?}, serde_json refused: {e}"),
        (Err(_), Err(_)) => {}
    }
}

/// Equal trees, floats within a few units in the last place: the connector's reader is exact from
/// about 1e-5 to 1e19 and close beyond (it leaves out core's tables), and serde_json's default float
/// parsing is not always correctly rounded either. Objects keep every member as written; serde_json
/// keeps the last of a name given twice, which is the one `get` finds.
fn same_tree(ours: &Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as Theirs;
    match (ours, theirs) {
        (Value::Number(x), Theirs::Number(y)) => match (*x, y.as_u64(), y.as_i64()) {
            (Number::Unsigned(x), Some(y), _) => x == y,
            (Number::Negative(x), _, Some(y)) => x == y,
            (x, _, _) if y.is_f64() => {
                let (x, y) = (x.as_f64(), y.as_f64().unwrap_or(f64::NAN));
                x == y || ((x - y).abs() <= x.abs().max(y.abs()) * 16.0 * f64::EPSILON)
            }
            _ => false,
        },
        (Value::Array(x), Theirs::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_tree(x, y))
        }
        (Value::Object(x), Theirs::Object(y)) => {
            let mut names: Vec<&String> = x.iter().map(|(name, _)| name).collect();
            names.sort();
            names.dedup();
            names.len() == y.len()
                && y.iter()
                    .all(|(name, vy)| x.get(name).is_some_and(|vx| same_tree(vx, vy)))
        }
        (Value::Null, Theirs::Null) => true,
        (Value::Bool(x), Theirs::Bool(y)) => x == y,
        (Value::String(x), Theirs::String(y)) => x == y,
        _ => false,
    }
}

/// How a stored snapshot was read before `stored.rs`: from its whole JSON tree, with the same
/// messages. The streaming reader must agree with it on every input.
fn snapshot_from_tree(value: &Value) -> Result<Snapshot, String> {
    let f = Fields::of(value).ok_or("a snapshot is a JSON object")?;
    let serials = f.required("serials", |v| v.as_object())?;
    let mut entries = BTreeMap::new();
    for (serial, entry) in serials {
        let entry = SerialEntry::from_json(entry)
            .map_err(|e| format!("serials[{}]: {e}", quoted(serial)))?;
        entries.insert(serial.clone(), entry);
    }
    Ok(Snapshot {
        version: f.required("version", fields::unsigned32)?,
        synced_at: f.required("syncedAt", fields::string)?,
        complete: f.required("complete", fields::boolean)?,
        resume_cursor: f.optional("resumeCursor", fields::string)?,
        rules: f.required("rules", fields::any)?,
        filters: f.required("filters", |v| Pairs::from_json(v, fields::string))?,
        serials: entries,
        summary: SyncSummary::from_json(f.required("summary", Some)?)
            .map_err(|e| format!("summary: {e}"))?,
    })
}
