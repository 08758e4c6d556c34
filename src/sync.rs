//! Fleet sync: every agent of a tenant judged in one paged pass into a compact snapshot keyed by
//! serial, and `checkSerial`, the sign-in-time answer from that snapshot with no network.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use crate::value::Value;

use crate::client::Client;
use crate::connection::{list_value, Connection};
use crate::error::ConnectorError;
use crate::fields::{self, object, Fields};
use crate::json_writer::{quoted, JsonWriter, WriteJson};
use crate::lookup::{self, input_field, PAGE_LIMIT_TEXT};
use crate::loose;
use crate::output::{AgentFacts, AgentLookup, Lookup, RawFacts};
use crate::pairs::Pairs;
use crate::runtime::Runtime;
use crate::serial;
use crate::stored::SyncInput;
use crate::timestamp;
use crate::transport::{HttpRequest, Transport};
use crate::trust::{self, Check, RuleId, TrustEvaluation, TrustRules};
use crate::wire;

/// The snapshot format's version; `checkSerial` refuses others.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The most pages one sync reads (100,000,000 agents): a console that never ends paging is refused.
pub const MAX_SYNC_PAGES: u32 = 100_000;

/// The most serials one snapshot keeps (~150 MB as JSON, ~400 MiB of WebAssembly memory while a sync
/// builds it): a larger fleet is synced in parts, one connection per account or site scope, so that a
/// console that keeps inventing agents cannot take the module to its 4 GiB ceiling.
pub const MAX_SNAPSHOT_SERIALS: usize = 1_000_000;

/// The most agent data one snapshot keeps, counted as [`entry_bytes`] counts it (about 190 bytes a
/// serial for a real fleet, so [`MAX_SNAPSHOT_SERIALS`] binds first): a console sending fields far
/// larger than real ones (ids, dates, values that fail checks) cannot take the module to its 4 GiB
/// ceiling, nor the snapshot's JSON past the longest string JS can hold.
pub const MAX_SNAPSHOT_BYTES: usize = 256 << 20;

/// The most agent data the syncs running at once in one instance keep together, counted as
/// [`MAX_SNAPSHOT_BYTES`] is: two syncs at that limit, so that several hostile consoles at once cannot
/// take the module to its 4 GiB ceiling either.
pub const MAX_LIVE_SNAPSHOT_BYTES: usize = 2 * MAX_SNAPSHOT_BYTES;

/// What the syncs running in this instance keep, counted as [`entry_bytes`] counts it.
static LIVE_SNAPSHOT_BYTES: AtomicUsize = AtomicUsize::new(0);

/// One sync's share of [`LIVE_SNAPSHOT_BYTES`], given back when the sync ends, however it ends
/// (a host abandoning a call drops it too).
struct LiveShare(usize);

impl LiveShare {
    /// Makes the share `bytes`; the total the running syncs keep, this one's included.
    fn set(&mut self, bytes: usize) -> usize {
        if bytes >= self.0 {
            LIVE_SNAPSHOT_BYTES.fetch_add(bytes - self.0, AtomicOrdering::Relaxed);
        } else {
            LIVE_SNAPSHOT_BYTES.fetch_sub(self.0 - bytes, AtomicOrdering::Relaxed);
        }
        self.0 = bytes;
        LIVE_SNAPSHOT_BYTES.load(AtomicOrdering::Relaxed)
    }
}

impl Drop for LiveShare {
    fn drop(&mut self) {
        self.set(0);
    }
}

/// About what an entry of a serial `key_bytes` long takes in memory, its texts counted as JSON writes
/// them (see [`written_len`]), and a fixed share for itself and its node in the map.
#[inline(never)]
fn entry_bytes(key_bytes: usize, entry: &SerialEntry) -> usize {
    // Named field by field, so that a new field does not compile until it is counted here.
    let SerialEntry {
        agent_id,
        last_active_date,
        decommissioned: _,
        agents: _,
        other_agent_ids,
        failed,
    } = entry;
    let text = |t: &Option<String>| t.as_deref().map_or(0, written_len);
    let checks: usize = failed
        .iter()
        .map(|c| 64 + written_len(&c.message) + value_bytes(&c.expected) + value_bytes(&c.actual))
        .sum();
    let others: usize = other_agent_ids.iter().map(|id| 24 + written_len(id)).sum();
    128 + key_bytes + text(agent_id) + text(last_active_date) + others + checks
}

/// About what a JSON value takes in memory, or written as JSON.
fn value_bytes(value: &Value) -> usize {
    24 + match value {
        Value::String(s) => written_len(s),
        Value::Array(items) => items.iter().map(value_bytes).sum(),
        Value::Object(members) => members
            .iter()
            .map(|(name, v)| written_len(name) + value_bytes(v))
            .sum(),
        _ => 0,
    }
}

/// How long `text` is at most once written as JSON: a control character takes six bytes (`\u001f`),
/// a quote or a backslash two. Counted so, a snapshot's JSON stays near what the budget allows.
fn written_len(text: &str) -> usize {
    text.len()
        + text
            .bytes()
            .map(|b| match b {
                0..=0x1f => 5,
                b'"' | b'\\' => 1,
                _ => 0,
            })
            .sum::<usize>()
}

/// How many agents past its own `totalItems` a console may page before the sync stops (at least
/// 1000, or a tenth of the total): fleets grow during a sync, paging that never ends does not.
fn paging_allowance(total_items: u64) -> u64 {
    (total_items / 10).max(1000)
}

/// The shortest time between two page requests: the agents endpoint is commonly limited to about
/// 25 requests per second per token, and a sync should not spend that budget for the sign-in path.
pub const MIN_PAGE_INTERVAL_MS: f64 = 40.0;

/// The default `maxSnapshotAgeMinutes` of `checkSerial`.
pub const DEFAULT_MAX_SNAPSHOT_AGE_MINUTES: f64 = 60.0;

/// What one serial looks like in a snapshot: the preferred agent's verdict, without time-dependent rules.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SerialEntry {
    /// The preferred agent's id (not decommissioned, most recently active, lowest id).
    pub agent_id: Option<String>,
    /// The preferred agent's last contact; `lastActive` is judged from it at check time.
    pub last_active_date: Option<String>,
    /// Whether the preferred agent is decommissioned (for merging agents that share the serial).
    pub decommissioned: Option<bool>,
    /// How many agents have this serial.
    pub agents: u32,
    /// The ids of the other agents with this serial, so that an incremental sync that reads one of
    /// them again does not count it twice (empty in snapshots written before it was kept).
    pub other_agent_ids: Box<[String]>,
    /// The rules the preferred agent failed, except `lastActive` and `uniqueSerial` (judged at check time).
    pub failed: Box<[Check]>,
}

/// Counts over a sync.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncSummary {
    /// Agents read, on every page.
    pub agents_seen: u64,
    /// Distinct usable serials.
    pub serials: u64,
    /// Serials trusted at `syncedAt`.
    pub trusted: u64,
    /// Serials not trusted at `syncedAt`, by failed rule id (a serial counts once per rule).
    pub not_trusted_by_reason: Pairs<u64>,
    /// Agents with no serial (null or missing).
    pub null_serials: u64,
    /// Agents with a firmware placeholder serial (never an identity; not in `serials`).
    pub placeholder_serials: u64,
    /// Serials shared by several agents.
    pub duplicated_serials: u64,
    /// Pages read.
    pub pages: u32,
    /// Requests sent, retries included.
    pub requests: u32,
    /// How long the sync took, in milliseconds.
    pub duration_ms: u64,
    /// `totalItems` as the console last reported it.
    pub total_items: Option<u64>,
}

/// A sync's result: plain JSON a host can store anywhere and hand back to `checkSerial`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    /// The snapshot format's version.
    pub version: u32,
    /// When the sync finished (ISO-8601 UTC); staleness is measured from it.
    pub synced_at: String,
    /// Whether every page was read; an incomplete snapshot answers nothing as trusted.
    pub complete: bool,
    /// Where to continue after a failure (the cursor of the first unread page).
    pub resume_cursor: Option<String>,
    /// The rules as given to the sync (re-read at check time).
    pub rules: Value,
    /// The filters the sync used (for resuming and incremental syncs).
    pub filters: Pairs<String>,
    /// Verdicts by serial (surrounding whitespace trimmed).
    pub serials: BTreeMap<String, SerialEntry>,
    /// Counts over the sync.
    pub summary: SyncSummary,
}

/// Progress reported after each page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Pages read so far.
    pub page: u32,
    /// Agents read so far.
    pub agents_seen: u64,
    /// `totalItems` as the console reported it.
    pub total_items: Option<u64>,
}

impl SerialEntry {
    /// Reads an entry of a snapshot's `serials`.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value).ok_or("a serial entry is a JSON object")?;
        Ok(Self {
            agent_id: f.optional("agentId", fields::string)?,
            last_active_date: f.optional("lastActiveDate", fields::string)?,
            decommissioned: f.optional("decommissioned", fields::boolean)?,
            agents: f.required("agents", fields::unsigned32)?,
            other_agent_ids: f
                .optional("otherAgentIds", |v| {
                    v.as_array()?
                        .iter()
                        .map(|id| id.as_str().map(str::to_owned))
                        .collect()
                })?
                .unwrap_or_default(),
            failed: f.required("failed", |v| {
                v.as_array()?
                    .iter()
                    .map(|c| Check::from_json(c).ok())
                    .collect()
            })?,
        })
    }
}

impl SyncSummary {
    /// Reads a stored snapshot's `summary`.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value).ok_or("summary is a JSON object")?;
        Ok(Self {
            agents_seen: f.required("agentsSeen", fields::unsigned)?,
            serials: f.required("serials", fields::unsigned)?,
            trusted: f.required("trusted", fields::unsigned)?,
            not_trusted_by_reason: f.required("notTrustedByReason", |v| {
                Pairs::from_json(v, fields::unsigned)
            })?,
            null_serials: f.required("nullSerials", fields::unsigned)?,
            placeholder_serials: f.required("placeholderSerials", fields::unsigned)?,
            duplicated_serials: f.required("duplicatedSerials", fields::unsigned)?,
            pages: f.required("pages", fields::unsigned32)?,
            requests: f.required("requests", fields::unsigned32)?,
            duration_ms: f.required("durationMs", fields::unsigned)?,
            total_items: f.optional("totalItems", fields::unsigned)?,
        })
    }
}

impl Snapshot {
    /// Reads a snapshot a host stored and handed back (`resumeFrom`, `previous`), as `stored.rs`
    /// reads it from text.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        crate::stored::snapshot_from_text(&crate::json_writer::to_json_string(value))
    }

    /// A snapshot from its members but `serials`, whose entries `stored.rs` read apart (`None` when
    /// `serials` is not an object; the member itself must still be there, as a placeholder).
    pub(crate) fn from_parts(
        value: &Value,
        entries: Option<Result<BTreeMap<String, SerialEntry>, String>>,
    ) -> Result<Self, String> {
        let f = Fields::of(value).ok_or("a snapshot is a JSON object")?;
        f.required("serials", |v| v.as_object())?;
        let entries = entries.unwrap_or_else(|| Ok(BTreeMap::new()))?;
        Ok(Self {
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
}

/// Reads the entry of `serial` in a snapshot's `serials`; the error names the serial.
pub(crate) fn read_entry(serial: &str, entry: &Value) -> Result<SerialEntry, String> {
    SerialEntry::from_json(entry).map_err(|e| format!("serials[{}]: {e}", quoted(serial)))
}

impl WriteJson for SerialEntry {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("agentId", &self.agent_id);
        out.field("lastActiveDate", &self.last_active_date);
        out.field("decommissioned", &self.decommissioned);
        out.field("agents", &self.agents);
        // Only for a shared serial: most have none, and a sync keeps one entry per serial.
        if !self.other_agent_ids.is_empty() {
            out.field("otherAgentIds", &self.other_agent_ids);
        }
        out.field("failed", &self.failed);
        out.end_object();
    }
}

impl WriteJson for SyncSummary {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("agentsSeen", &self.agents_seen);
        out.field("serials", &self.serials);
        out.field("trusted", &self.trusted);
        out.field("notTrustedByReason", &self.not_trusted_by_reason);
        out.field("nullSerials", &self.null_serials);
        out.field("placeholderSerials", &self.placeholder_serials);
        out.field("duplicatedSerials", &self.duplicated_serials);
        out.field("pages", &self.pages);
        out.field("requests", &self.requests);
        out.field("durationMs", &self.duration_ms);
        out.field("totalItems", &self.total_items);
        out.end_object();
    }
}

impl WriteJson for Snapshot {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("version", &self.version);
        out.field("syncedAt", &self.synced_at);
        out.field("complete", &self.complete);
        out.field("resumeCursor", &self.resume_cursor);
        out.field("rules", &self.rules);
        out.field("filters", &self.filters);
        out.field("serials", &self.serials);
        out.field("summary", &self.summary);
        out.end_object();
    }
}

impl WriteJson for Progress {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("page", &self.page);
        out.field("agentsSeen", &self.agents_seen);
        out.field("totalItems", &self.total_items);
        out.end_object();
    }
}

/// A sync that stopped on an error, with everything needed to resume it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncFailure {
    /// Why it stopped.
    pub error: ConnectorError,
    /// The snapshot so far (`complete: false`, `resumeCursor` set); pass it as `input.resumeFrom`.
    pub partial: Box<Snapshot>,
}

/// Runs a sync: pages through the agents (with optional filters), judges each agent, keeps the
/// preferred agent per serial, and drops each page before the next.
pub async fn sync_agents<T: Transport, R: Runtime>(
    client: &Client<'_, T, R>,
    connection: &Connection,
    input: SyncInput,
    now_ms: f64,
    on_progress: &dyn Fn(Progress),
) -> Result<Snapshot, SyncFailure> {
    let fail = |error: ConnectorError| SyncFailure {
        error,
        partial: Box::default(),
    };
    let SyncInput {
        rest: input,
        resume_from,
        previous,
    } = input;
    let input = &input;
    let given_rules = input_field(input, "rules")
        .map_err(fail)?
        .filter(|rules| !rules.is_null());
    let resume = resume_from.map_err(fail)?;
    let previous = previous.map_err(fail)?;
    let continued = match (&resume, &previous) {
        (Some(partial), _) => Some(("resumeFrom", &partial.rules)),
        (None, Some(previous)) => Some(("previous", &previous.rules)),
        (None, None) => None,
    };
    // A resumed or incremental sync continues a snapshot whose verdicts were judged by its rules:
    // the agents it reads now must be judged by the same ones.
    let rules_value = match (given_rules, continued) {
        (Some(given), Some((name, stored))) => {
            check_same_stored_verdicts(given, stored, name).map_err(fail)?;
            given.clone()
        }
        (Some(given), None) => given.clone(),
        (None, Some((_, stored))) => stored.clone(),
        (None, None) => Value::Null,
    };
    let rules = match continued {
        Some((name, _)) if given_rules.is_none() => stored_rules(&rules_value, name),
        _ => TrustRules::from_json(Some(&rules_value)),
    }
    .map_err(fail)?;
    let meter = Meter::start(client);

    let from_previous = previous.is_some();
    let (mut snapshot, mut cursor) =
        starting_point(input, resume, previous, rules_value).map_err(fail)?;
    // An incremental sync (or a resumed one) reads agents again that its stored entries hold: one
    // now under another serial, or none, must leave the entry of the serial it had. An agent that
    // changes while the sync pages is read again too, even on a snapshot of no serial.
    let incremental = snapshot.filters.get("updatedAt__gt").is_some()
        && (from_previous || !snapshot.serials.is_empty());
    let mut moves = Moves::default();
    snapshot.version = SNAPSHOT_VERSION;
    let mut last_request_at: Option<f64> = None;
    let mut read_now: u64 = 0;
    let mut snapshot_bytes = snapshot
        .serials
        .iter()
        .fold(0usize, |sum, (serial, entry)| {
            sum.saturating_add(entry_bytes(written_len(serial), entry))
        });
    let mut share = LiveShare(0);

    loop {
        if snapshot.summary.pages >= MAX_SYNC_PAGES {
            return Err(fail(ConnectorError::ResponseTooLarge(format!(
                "the console kept paging past {MAX_SYNC_PAGES} pages"
            ))));
        }
        if snapshot.serials.len() > MAX_SNAPSHOT_SERIALS {
            return Err(fail(ConnectorError::ResponseTooLarge(format!(
                "the fleet has more than {MAX_SNAPSHOT_SERIALS} serials, more than one snapshot keeps: \
                 sync it in parts, with accountIds or siteIds in each connection"
            ))));
        }
        if snapshot_bytes > MAX_SNAPSHOT_BYTES {
            return Err(fail(ConnectorError::ResponseTooLarge(format!(
                "the snapshot would keep more than {} MiB of agent data: the console sends ids, dates \
                 or values far larger than real ones",
                MAX_SNAPSHOT_BYTES >> 20
            ))));
        }
        if share.set(snapshot_bytes) > MAX_LIVE_SNAPSHOT_BYTES {
            return Err(fail(ConnectorError::ResponseTooLarge(format!(
                "the syncs running at once in this instance would keep more than {} MiB of agent \
                 data: run them one after another",
                MAX_LIVE_SNAPSHOT_BYTES >> 20
            ))));
        }
        if let Some(last) = last_request_at {
            let wait = MIN_PAGE_INTERVAL_MS - (client.runtime().now_ms() - last);
            if wait > 0.0 {
                client.runtime().sleep(wait.ceil() as u64).await;
            }
        }
        last_request_at = Some(client.runtime().now_ms());
        let request = page_request(connection, &snapshot.filters, cursor.as_deref());
        // Every failure from here on keeps what was read, so the sync can resume at this page.
        let stop = |mut snapshot: Snapshot, error: ConnectorError| {
            snapshot.complete = false;
            snapshot.resume_cursor = Some(cursor.clone().unwrap_or_default());
            tally(&mut snapshot, &rules, now_ms);
            meter.charge(&mut snapshot.summary, client);
            SyncFailure {
                error,
                partial: Box::new(snapshot),
            }
        };
        let response = match client.send(&request).await {
            Ok(response) => response,
            Err(error) => return Err(stop(snapshot, error)),
        };
        let page = match wire::parse_agents_page(&response.body) {
            Ok(page) => page,
            Err(e) => {
                let error =
                    ConnectorError::malformed(response.status, "agents page", &e, &response.body);
                return Err(stop(snapshot, error));
            }
        };
        let pagination = page.pagination.as_ref().map(|p| &p.0);
        let next = pagination
            .and_then(|p| p.next_cursor.as_ref())
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if next.is_some() && (page.data.is_empty() || next == cursor) {
            // Checked before the page is absorbed, so a resume re-reads it cleanly.
            let error = ConnectorError::MalformedResponse {
                status: Some(response.status),
                message: "the console returned a cursor that does not advance".into(),
            };
            return Err(stop(snapshot, error));
        }
        snapshot.summary.total_items = pagination
            .and_then(|p| loose::count(&p.total_items))
            .or(snapshot.summary.total_items);
        if let (Some(total), Some(_)) = (snapshot.summary.total_items, &next) {
            // Counted in this call: a resumed snapshot's own count is the host's text.
            let seen = read_now.saturating_add(page.data.len() as u64);
            if seen > total.saturating_add(paging_allowance(total)) {
                // Fresh cursors over the same agents would otherwise page until the deadline.
                let error = ConnectorError::MalformedResponse {
                    status: Some(response.status),
                    message: format!(
                        "the console kept paging past the {total} agents it reported (totalItems)"
                    ),
                };
                return Err(stop(snapshot, error));
            }
        }
        read_now += page.data.len() as u64;
        for wire::Object(agent) in &page.data {
            let moves = incremental.then_some(&mut moves);
            let added = absorb(&mut snapshot, agent, &rules, now_ms, moves);
            snapshot_bytes = snapshot_bytes.saturating_add_signed(added);
        }
        if !moves.moved.is_empty() {
            forget_moved(&mut snapshot, &moves);
            moves.moved.clear();
        }
        snapshot.summary.pages += 1;
        on_progress(Progress {
            page: snapshot.summary.pages,
            agents_seen: snapshot.summary.agents_seen,
            total_items: snapshot.summary.total_items,
        });
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    snapshot.complete = true;
    snapshot.resume_cursor = None;
    snapshot.synced_at = timestamp::format_iso_ms(now_ms as i64);
    tally(&mut snapshot, &rules, now_ms);
    meter.charge(&mut snapshot.summary, client);
    Ok(snapshot)
}

/// `osTypes` and `updatedSince` from the input; site and account scope come from the connection.
fn read_filters(input: &Value) -> Result<Pairs<String>, ConnectorError> {
    let mut filters = Pairs::default();
    if let Some(os) = input_field(input, "osTypes")? {
        let list: Option<Vec<&str>> = os
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect());
        let list = list.ok_or_else(|| {
            ConnectorError::InvalidInput("osTypes must be an array of strings".into())
        })?;
        if !list.is_empty() {
            filters.set("osTypes", list_value(list.into_iter()));
        }
    }
    if let Some(since) = input_field(input, "updatedSince")? {
        let text = since
            .as_str()
            .filter(|t| timestamp::parse_micros(t).is_some())
            .ok_or_else(|| {
                ConnectorError::InvalidInput("updatedSince must be an ISO-8601 timestamp".into())
            })?;
        filters.set("updatedAt__gt", text.to_owned());
    }
    Ok(filters)
}

/// Where a sync starts: a fresh snapshot with the input's filters, a partial one to resume at its
/// cursor, or a previous complete one whose verdicts carry over for the agents that did not change.
fn starting_point(
    input: &Value,
    resume: Option<Snapshot>,
    previous: Option<Snapshot>,
    rules_value: Value,
) -> Result<(Snapshot, Option<String>), ConnectorError> {
    match (resume, previous) {
        (Some(partial), _) => {
            if partial.complete || partial.resume_cursor.is_none() {
                return Err(ConnectorError::InvalidInput(
                    "resumeFrom must be an incomplete snapshot with a resumeCursor".into(),
                ));
            }
            check_stored_filters(&partial.filters)?;
            if read_filters(input)?.iter().next().is_some() {
                return Err(ConnectorError::InvalidInput(
                    "resumeFrom keeps its sync's filters: leave osTypes and updatedSince out"
                        .into(),
                ));
            }
            let cursor = partial.resume_cursor.clone();
            let mut partial = partial;
            partial.rules = rules_value;
            Ok((partial, cursor))
        }
        (None, previous) => {
            let mut filters = read_filters(input)?;
            let mut snapshot = Snapshot {
                rules: rules_value,
                ..Snapshot::default()
            };
            if let Some(previous) = previous {
                if !previous.complete {
                    return Err(ConnectorError::InvalidInput(
                        "previous must be a complete snapshot; resume an incomplete one with resumeFrom".into(),
                    ));
                }
                let Some(synced_micros) = timestamp::parse_micros(&previous.synced_at) else {
                    return Err(ConnectorError::InvalidInput(
                        "previous.syncedAt must be an ISO-8601 timestamp".into(),
                    ));
                };
                if filters.get("updatedAt__gt").is_some() {
                    return Err(ConnectorError::InvalidInput(
                        "updatedSince cannot be combined with previous (the sync reads what changed since its syncedAt)".into(),
                    ));
                }
                // The same agents as the previous sync, or its verdicts for the others would linger.
                match (filters.get("osTypes"), previous.filters.get("osTypes")) {
                    (None, Some(stored)) => filters.set("osTypes", stored.clone()),
                    (None, None) => {}
                    (Some(given), Some(stored)) if same_items(given, stored) => {}
                    _ => {
                        return Err(ConnectorError::InvalidInput(
                            "osTypes must be previous's (leave them out to keep them; a full sync changes them)".into(),
                        ))
                    }
                }
                // Only agents changed since the previous sync; the rest of its verdicts carry over.
                // `syncedAt` is this host's clock and `updatedAt` the console's: reading a few
                // minutes twice is harmless (an agent read again replaces itself), missing them is not.
                let skew_ms = (trust::MAX_CLOCK_SKEW_MINUTES * 60_000.0) as i64;
                let since = timestamp::format_iso_ms(synced_micros / 1000 - skew_ms);
                filters.set("updatedAt__gt", since);
                snapshot.serials = previous.serials;
            }
            snapshot.filters = filters;
            Ok((snapshot, None))
        }
    }
}

/// Checks that `given` rules judge what a snapshot stores (each serial's failed rules) as the
/// snapshot's own `stored` rules did; the rules applied at check time (the inactivity limit,
/// ambiguity, remediation texts) may change.
fn check_same_stored_verdicts(
    given: &Value,
    stored: &Value,
    name: &str,
) -> Result<(), ConnectorError> {
    let given = TrustRules::from_json(Some(given))?;
    let stored = stored_rules(stored, name)?;
    // Named field by field, so that a new rule does not compile until it is sorted in here.
    let TrustRules {
        max_inactive_minutes: _,
        allow_ambiguous: _,
        remediation: _,
        allowed_network_statuses,
        max_active_threats,
        allowed_operational_states,
        allowed_os_types,
        min_agent_version,
    } = &given;
    let same_list = |a: &Option<Vec<String>>, b: &Option<Vec<String>>| match (a, b) {
        (Some(a), Some(b)) => same_set(a, b),
        (a, b) => a.is_none() && b.is_none(),
    };
    let same = same_list(allowed_network_statuses, &stored.allowed_network_statuses)
        && *max_active_threats == stored.max_active_threats
        && same_set(
            allowed_operational_states,
            &stored.allowed_operational_states,
        )
        && same_list(allowed_os_types, &stored.allowed_os_types)
        && *min_agent_version == stored.min_agent_version;
    if same {
        Ok(())
    } else {
        Err(ConnectorError::InvalidInput(format!(
            "rules judge agents differently from the rules {name} was synced with (network status, \
             threats, operational state, OS type or agent version); run a full sync without {name}"
        )))
    }
}

/// Reads the rules a stored snapshot holds; a refusal names them as the snapshot's (`previous.rules...`).
fn stored_rules(rules: &Value, snapshot: &str) -> Result<TrustRules, ConnectorError> {
    TrustRules::from_json(Some(rules)).map_err(|error| match error {
        ConnectorError::InvalidInput(m) => ConnectorError::InvalidInput(format!("{snapshot}.{m}")),
        error => error,
    })
}

/// Whether two lists hold the same texts, in any order (they are a handful long).
fn same_set(a: &[String], b: &[String]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

/// Whether two comma-separated lists hold the same items, in any order.
fn same_items(a: &str, b: &str) -> bool {
    let has = |list: &str, item: &str| list.split(',').any(|x| x == item);
    a.split(',').all(|x| has(b, x)) && b.split(',').all(|x| has(a, x))
}

/// Checks that a stored snapshot's filters are ones [`read_filters`] writes: they become query
/// parameters of every page, so a snapshot edited in storage must not add others (a second `limit`,
/// or a `siteIds` beside the connection's scope).
fn check_stored_filters(filters: &Pairs<String>) -> Result<(), ConnectorError> {
    for (name, value) in filters.iter() {
        let valid = match name {
            "osTypes" => !value.is_empty(),
            "updatedAt__gt" => timestamp::parse_micros(value).is_some(),
            _ => {
                return Err(ConnectorError::InvalidInput(format!(
                    "resumeFrom.filters has {}, which is not a filter syncAgents writes",
                    quoted(name)
                )))
            }
        };
        if !valid {
            return Err(ConnectorError::InvalidInput(format!(
                "resumeFrom.filters.{name} is not a value syncAgents writes"
            )));
        }
    }
    Ok(())
}

fn page_request(
    connection: &Connection,
    filters: &Pairs<String>,
    cursor: Option<&str>,
) -> HttpRequest {
    let mut query: Vec<(&str, &str)> = vec![("limit", PAGE_LIMIT_TEXT)];
    query.extend(filters.iter().map(|(k, v)| (k, v.as_str())));
    lookup::agents_get(connection, &query, cursor)
}

/// What an incremental sync notes as it reads agents again, for [`forget_moved`].
#[derive(Default)]
struct Moves {
    /// The agents new to their serial's entry, or with no usable serial, each with the serial it
    /// has now (empty for none).
    moved: Vec<(String, String)>,
    /// By agent id, the verdicts of the agents an entry set aside in this sync: judged as read when
    /// its agent outranked them, or as stored when a newly read one outranked them. An entry whose
    /// agent leaves keeps the verdict of the one agent left, if it is here.
    set_aside: BTreeMap<String, SerialEntry>,
}

/// Judges one agent and merges it into its serial's entry; how many bytes the snapshot grew by, as
/// [`entry_bytes`] counts them. With `moves`, an agent new to its serial's entry, or with no usable
/// serial, is noted with the serial it has now, and the agent the entry sets aside is kept judged.
fn absorb(
    snapshot: &mut Snapshot,
    agent: &wire::Agent<'_>,
    rules: &TrustRules,
    now_ms: f64,
    mut moves: Option<&mut Moves>,
) -> isize {
    // Saturating: a resumed snapshot's counts are the host's text, and could be at their limit.
    snapshot.summary.agents_seen = snapshot.summary.agents_seen.saturating_add(1);
    let id = loose::text(&agent.id);
    let tracking = moves.is_some();
    let mut note = |serial: &str, joined: bool| {
        if let (Some(moves), Some(id)) = (moves.as_deref_mut(), &id) {
            // Read again on the page after it was noted under another serial: the last one counts.
            if joined || moves.moved.iter().any(|(noted, _)| noted == id) {
                moves.moved.push((id.clone(), serial.to_owned()));
            }
        }
    };
    let Some(serial) = agent.serial().filter(|s| !s.is_empty()) else {
        snapshot.summary.null_serials = snapshot.summary.null_serials.saturating_add(1);
        note("", true);
        return 0;
    };
    if serial::is_placeholder(&serial) {
        snapshot.summary.placeholder_serials =
            snapshot.summary.placeholder_serials.saturating_add(1);
        note("", true);
        return 0;
    }
    let key_bytes = written_len(&serial);
    let entry = snapshot
        .serials
        .entry(serial.as_ref().to_owned())
        .or_default();
    // A new entry (no agent yet) was not counted; a stored one with none is counted twice, which errs
    // on the safe side.
    let before = if entry.agents == 0 {
        0
    } else {
        entry_bytes(key_bytes, entry)
    };
    // The entry's agent before this one, with its verdict, in case this one outranks it.
    let held = (tracking && entry.agents > 0 && entry.agent_id != id).then(|| SerialEntry {
        agent_id: entry.agent_id.clone(),
        last_active_date: entry.last_active_date.clone(),
        decommissioned: entry.decommissioned,
        agents: 1,
        other_agent_ids: Box::default(),
        failed: entry.failed.clone(),
    });
    let joined = merge(entry, &serial, agent, rules, now_ms);
    note(&serial, joined);
    let mut grown = entry_bytes(key_bytes, entry) as isize - before as isize;
    if let Some(moves) = moves {
        let set_aside = if entry.agent_id == id {
            held
        } else {
            let mut judged = SerialEntry::default();
            merge(&mut judged, &serial, agent, rules, now_ms);
            Some(judged)
        };
        if let Some((id, set_aside)) = set_aside.and_then(|e| Some((e.agent_id.clone()?, e))) {
            // Counted with the snapshot, which its memory is held against.
            grown += entry_bytes(key_bytes, &set_aside) as isize;
            moves.set_aside.insert(id, set_aside);
        }
    }
    grown
}

/// Takes agents out of the entries of serials they no longer report (`moves.moved`: ids with the
/// serial each has now, the last one counting), as an incremental sync reads them under another one.
/// An entry left with no agent is dropped by [`tally`]. One whose preferred agent left keeps another
/// of its agents: judged, if it is the only one left and this sync judged or set it aside;
/// otherwise with no verdict and no date, so it fails `lastActive` until a sync reads that agent.
fn forget_moved(snapshot: &mut Snapshot, moves: &Moves) {
    let moved = &moves.moved;
    // A filter of the moved ids: most entries hold none of them, and pass with one bit test instead
    // of a search through every moved id (a page of 1000 new agents on 100,000 serials: 450 ms).
    let bit = |id: &str| {
        let hash = id
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31) ^ usize::from(b));
        (hash / 64 % 128, 1u64 << (hash % 64))
    };
    let mut filter = [0u64; 128];
    for (id, _) in moved {
        let (word, mask) = bit(id);
        if let Some(word) = filter.get_mut(word) {
            *word |= mask;
        }
    }
    let left = |id: &str, serial: &str| {
        let (word, mask) = bit(id);
        filter.get(word).is_some_and(|w| w & mask != 0)
            && moved
                .iter()
                .rev()
                .find(|(agent, _)| agent == id)
                .is_some_and(|(_, now)| now != serial)
    };
    for (serial, entry) in snapshot.serials.iter_mut() {
        let mut others = std::mem::take(&mut entry.other_agent_ids).into_vec();
        let mut gone = 0;
        let mut at = 0;
        while let Some(id) = others.get(at) {
            if left(id, serial) {
                others.swap_remove(at);
                gone += 1;
            } else {
                at += 1;
            }
        }
        let preferred_left = entry.agent_id.as_deref().is_some_and(|id| left(id, serial));
        entry.agents = entry
            .agents
            .saturating_sub(gone + u32::from(preferred_left));
        if preferred_left {
            // With several left, a verdict kept now may not be the one a full sync would judge
            // (an unread agent may outrank it), and `allowAmbiguous` would trust it.
            let judged = match (entry.agents, &others[..]) {
                (1, [last]) => moves.set_aside.get(last),
                _ => None,
            };
            entry.agent_id = others.pop();
            entry.last_active_date = judged.and_then(|r| r.last_active_date.clone());
            entry.decommissioned = judged.and_then(|r| r.decommissioned);
            entry.failed = judged.map(|r| r.failed.clone()).unwrap_or_default();
        }
        entry.other_agent_ids = others.into_boxed_slice();
    }
}

/// Merges one agent into its serial's entry: the preferred agent's verdict, the others' ids. Whether
/// the agent is new to the entry.
fn merge(
    entry: &mut SerialEntry,
    serial: &str,
    agent: &wire::Agent<'_>,
    rules: &TrustRules,
    now_ms: f64,
) -> bool {
    let mut output = AgentLookup::judged(200, agent);
    output.match_count = 1;
    let same_agent = entry.agent_id.is_some() && entry.agent_id == output.agent_id;
    let mut joined = entry.agents == 0;
    if entry.agents > 0 && !same_agent {
        // Another agent with this serial: counted once, however often incremental syncs read it again.
        let known = output
            .agent_id
            .as_ref()
            .and_then(|id| entry.other_agent_ids.iter().position(|other| other == id));
        if known.is_none() {
            entry.agents = entry.agents.saturating_add(1);
            joined = true;
        }
        let current = AgentLookup {
            agent_id: entry.agent_id.clone(),
            is_decommissioned: entry.decommissioned,
            ..AgentLookup::default()
        };
        // Dates are read only here, when a serial is shared (most are not).
        let last_active = output
            .last_active_date
            .as_deref()
            .and_then(timestamp::parse_micros);
        let current_last = entry
            .last_active_date
            .as_deref()
            .and_then(timestamp::parse_micros);
        // Boxed slices, not vectors: a sync keeps one entry per serial, and most have no others.
        let mut others = std::mem::take(&mut entry.other_agent_ids).into_vec();
        if lookup::preference(&output, last_active, &current, current_last) != Ordering::Less {
            if let (None, Some(id)) = (known, &output.agent_id) {
                others.push(id.clone());
            }
            entry.other_agent_ids = others.into_boxed_slice();
            return joined;
        }
        // This agent is preferred now: the one it replaces joins the others, and it leaves them.
        if let Some(at) = known {
            others.swap_remove(at);
        }
        if let Some(replaced) = entry.agent_id.take() {
            others.push(replaced);
        }
        entry.other_agent_ids = others.into_boxed_slice();
    } else if entry.agents == 0 {
        entry.agents = 1;
    }
    let lookup = Lookup {
        output,
        facts: Some(AgentFacts::of(agent)),
        raw_response: String::new(),
        raw_facts: RawFacts::default(),
    };
    let failed = trust::failed_checks(serial, &lookup, rules, now_ms);
    entry.agent_id = lookup.output.agent_id;
    entry.last_active_date = lookup.output.last_active_date;
    entry.decommissioned = lookup.output.is_decommissioned;
    // lastActive is judged again at check time, uniqueness from the entry's agent count.
    entry.failed = failed
        .into_iter()
        .filter(|c| c.rule != RuleId::LastActive && c.rule != RuleId::UniqueSerial)
        // Into a boxed slice: exactly as long as the checks kept (none for most), no spare room.
        .collect();
    joined
}

/// What one sync costs: the requests it sent and the time it took, added to the snapshot's summary
/// (a resumed sync adds to what the partial snapshot had already spent).
struct Meter {
    started_ms: f64,
    requests_before: u32,
}

impl Meter {
    fn start<T: Transport, R: Runtime>(client: &Client<'_, T, R>) -> Self {
        Self {
            started_ms: client.runtime().now_ms(),
            requests_before: client.requests_sent(),
        }
    }

    fn charge<T: Transport, R: Runtime>(
        &self,
        summary: &mut SyncSummary,
        client: &Client<'_, T, R>,
    ) {
        summary.requests = (summary.requests)
            .saturating_add(client.requests_sent().saturating_sub(self.requests_before));
        let spent = (client.runtime().now_ms() - self.started_ms).max(0.0) as u64;
        summary.duration_ms = summary.duration_ms.saturating_add(spent);
    }
}

/// Drops the entries no agent has any more (see [`forget_moved`]), then counts the snapshot's
/// serials, trusted ones, duplicates and failed rules as of `now_ms`.
fn tally(snapshot: &mut Snapshot, rules: &TrustRules, now_ms: f64) {
    if snapshot.serials.values().any(|entry| entry.agents == 0) {
        // Rebuilt rather than removed from: the map's removal code would add 5 KB to the .wasm, and
        // a serial its agents all leave is rare (a replaced mainboard). Once a sync, here.
        for (serial, entry) in std::mem::take(&mut snapshot.serials) {
            if entry.agents > 0 {
                snapshot.serials.insert(serial, entry);
            }
        }
    }
    let summary = &mut snapshot.summary;
    summary.serials = snapshot.serials.len() as u64;
    summary.trusted = 0;
    summary.duplicated_serials = 0;
    summary.not_trusted_by_reason.clear();
    for entry in snapshot.serials.values() {
        let failed = failed_rules(entry, rules, now_ms);
        if entry.agents > 1 {
            summary.duplicated_serials += 1;
        }
        if failed.is_empty() {
            summary.trusted += 1;
        }
        for rule in failed {
            *summary.not_trusted_by_reason.entry(rule.as_str()) += 1;
        }
    }
}

/// Every failed check of an entry at `now_ms`: the stored ones, plus `uniqueSerial` and `lastActive`.
fn entry_checks(entry: &SerialEntry, rules: &TrustRules, now_ms: f64) -> Vec<Check> {
    let mut failed = entry.failed.to_vec();
    if entry.agents > 1 && !rules.allow_ambiguous {
        failed.push(Check {
            rule: RuleId::UniqueSerial,
            passed: false,
            expected: Value::from(1u64),
            actual: Value::from(entry.agents),
            message: format!(
                "ambiguous serial: {} agents have it, so the device cannot be told apart",
                entry.agents
            ),
        });
    }
    let last_active = trust::last_active_check(entry.last_active_date.as_deref(), rules, now_ms);
    if !last_active.passed {
        failed.push(last_active);
    }
    // In rule order. At most two checks join the stored (ordered) ones, so an insertion each is
    // enough, and a slice sort would add its code to the .wasm.
    let order = |check: &Check| RuleId::ALL.iter().position(|r| *r == check.rule);
    for i in 1..failed.len() {
        let mut j = i;
        while j > 0 && order(&failed[j - 1]) > order(&failed[j]) {
            failed.swap(j - 1, j);
            j -= 1;
        }
    }
    failed
}

fn failed_rules(entry: &SerialEntry, rules: &TrustRules, now_ms: f64) -> Vec<RuleId> {
    entry_checks(entry, rules, now_ms)
        .into_iter()
        .map(|c| c.rule)
        .collect()
}

/// What `checkSerial` needs of a snapshot besides the one entry: read without the whole serial map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SnapshotHead {
    /// The snapshot format's version.
    pub version: u32,
    /// When the sync finished.
    pub synced_at: String,
    /// Whether every page was read.
    pub complete: bool,
    /// The rules the sync used.
    pub rules: Value,
}

impl SnapshotHead {
    /// Reads the head of a snapshot object; a missing or `null` member takes its default.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value).ok_or("a snapshot is a JSON object")?;
        Ok(Self {
            version: f.optional("version", fields::unsigned32)?.unwrap_or(0),
            synced_at: f.optional("syncedAt", fields::string)?.unwrap_or_default(),
            complete: f.optional("complete", fields::boolean)?.unwrap_or(false),
            rules: f.get("rules").cloned().unwrap_or(Value::Null),
        })
    }
}

/// Answers a sign-in check from a snapshot: the same shape as Evaluate Device Trust, no network.
/// Time-dependent rules are judged at `now_ms`; a stale or incomplete snapshot fails closed.
pub fn check_serial(
    head: &SnapshotHead,
    entry: Option<&SerialEntry>,
    serial_input: Option<&Value>,
    now_ms: f64,
    max_age_minutes: f64,
) -> Result<TrustEvaluation, ConnectorError> {
    let serial = serial::validate(serial_input)?;
    if head.version != SNAPSHOT_VERSION {
        return Err(ConnectorError::InvalidInput(format!(
            "snapshot version {} is not {SNAPSHOT_VERSION}: is this a syncAgents snapshot?",
            head.version
        )));
    }
    let rules = stored_rules(&head.rules, "snapshot")?;
    if serial::is_placeholder(serial) {
        return Ok(trust::placeholder_verdict(serial, &rules, now_ms));
    }
    let evaluated_at = timestamp::format_iso_ms(now_ms as i64);
    let mut lookup = AgentLookup {
        status_code: None,
        ..AgentLookup::default()
    };
    let mut checks = Vec::new();
    let age_minutes = timestamp::parse_micros(&head.synced_at)
        .map(|synced| (now_ms - synced as f64 / 1000.0) / 60_000.0);
    // A snapshot from the future (a wrong clock, or a corrupt syncedAt) would otherwise never go stale.
    let ahead = |age: f64| age < -trust::MAX_CLOCK_SKEW_MINUTES;
    let fresh =
        head.complete && age_minutes.is_some_and(|age| age <= max_age_minutes && !ahead(age));
    checks.push(Check {
        rule: RuleId::Snapshot,
        passed: fresh,
        expected: object(vec![
            ("complete", Value::Bool(true)),
            ("maxSnapshotAgeMinutes", Value::from(max_age_minutes)),
        ]),
        actual: object(vec![
            ("complete", Value::Bool(head.complete)),
            ("syncedAt", Value::from(head.synced_at.as_str())),
        ]),
        message: match age_minutes {
            _ if !head.complete => "incomplete snapshot: the sync did not finish".to_owned(),
            Some(age) if ahead(age) => format!(
                "the snapshot's syncedAt is {} minutes in the future: a clock is wrong",
                timestamp::one_decimal(-age)
            ),
            Some(age) if fresh => format!(
                "the snapshot is {} minutes old",
                timestamp::one_decimal(age)
            ),
            Some(age) => format!(
                "stale snapshot: {} minutes old",
                timestamp::one_decimal(age)
            ),
            None => "stale snapshot: its syncedAt is not a timestamp".to_owned(),
        },
    });
    if fresh {
        match entry {
            None => checks.push(Check {
                rule: RuleId::AgentFound,
                passed: false,
                expected: Value::Bool(true),
                actual: Value::Bool(false),
                message: "no agent had exactly this serial at the last sync".into(),
            }),
            Some(entry) => {
                lookup.agent_found = true;
                lookup.agent_id = entry.agent_id.clone();
                lookup.serial_number = Some(serial.to_owned());
                lookup.last_active_date = entry.last_active_date.clone();
                lookup.is_decommissioned = entry.decommissioned;
                lookup.match_count = u64::from(entry.agents);
                lookup.total_items = u64::from(entry.agents);
                checks.extend(entry_checks(entry, &rules, now_ms));
            }
        }
    }
    let reasons = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| trust::reason(c, &rules))
        .collect::<Vec<_>>();
    Ok(TrustEvaluation {
        lookup,
        trusted: reasons.is_empty(),
        reasons,
        checks,
        evaluated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_absorbing_adds_is_what_the_entries_hold() {
        // The same agent again, another one not preferred, another one preferred, one failing checks,
        // and agents with no usable serial.
        let page = r#"{"data":[
            {"id":"1","serialNumber":"A1","lastActiveDate":"2024-05-15T18:25:00.000000Z"},
            {"id":"1","serialNumber":"A1","lastActiveDate":"2024-05-15T18:26:00.000000Z"},
            {"id":"2","serialNumber":"A1","lastActiveDate":"2024-05-15T18:20:00.000000Z"},
            {"id":"3","serialNumber":"A1","lastActiveDate":"2024-05-15T18:29:00.000000Z"},
            {"id":"4","serialNumber":"B2","osType":"windows","networkStatus":{"odd":["value"]}},
            {"id":"5","serialNumber":null},
            {"id":"6","serialNumber":"To be filled by O.E.M."}
        ]}"#;
        let rules = crate::json::parse_value(r#"{"allowedOsTypes":["macos"]}"#).unwrap();
        let rules = TrustRules::from_json(Some(&rules)).unwrap();
        let page = wire::parse_agents_page(page).unwrap();
        let mut snapshot = Snapshot::default();
        let mut counted = 0isize;
        for wire::Object(agent) in &page.data {
            counted += absorb(&mut snapshot, agent, &rules, 1_715_797_800_000.0, None);
        }
        let held: usize = snapshot
            .serials
            .iter()
            .map(|(serial, entry)| entry_bytes(written_len(serial), entry))
            .sum();
        assert_eq!(counted, held as isize);
        // Texts are counted as JSON writes them.
        assert_eq!(written_len("a\u{1}\"b\\"), 1 + 6 + 2 + 1 + 2);
        let shared = &snapshot.serials["A1"];
        assert_eq!(shared.agent_id.as_deref(), Some("3"));
        assert_eq!(&*shared.other_agent_ids, ["2", "1"]);
        assert!(!snapshot.serials["B2"].failed.is_empty());
        assert_eq!(snapshot.serials.len(), 2);

        // An incremental sync also counts the verdicts it sets aside, against the same budget: on
        // A1, agent 2 (judged as read, outranked) and agent 1 (its verdict, outranked by 3).
        let mut tracked = Snapshot::default();
        let mut moves = Moves::default();
        let mut counted = 0isize;
        for wire::Object(agent) in &page.data {
            counted += absorb(
                &mut tracked,
                agent,
                &rules,
                1_715_797_800_000.0,
                Some(&mut moves),
            );
        }
        assert_eq!(tracked.serials, snapshot.serials);
        let ids: Vec<&str> = moves.set_aside.keys().map(String::as_str).collect();
        assert_eq!(ids, ["1", "2"]);
        let set_aside: usize = moves
            .set_aside
            .values()
            .map(|entry| entry_bytes(written_len("A1"), entry))
            .sum();
        assert_eq!(counted, (held + set_aside) as isize);
    }

    #[test]
    fn an_entry_is_counted_as_its_texts_are_written_plus_fixed_shares() {
        // Each text is given "xxxxxxxxxx\u{1}" more in turn: 16 bytes more as JSON writes it, so
        // 16 more counted against the budget, wherever the text stands.
        const GROWN: &str = "xxxxxxxxxx\u{1}";
        let texts = |grow: usize| -> [String; 10] {
            std::array::from_fn(|i| format!("t{i}{}", if i == grow { GROWN } else { "" }))
        };
        let counted = |t: &[String; 10]| {
            let value = |json: String| crate::json::parse_value(&json).unwrap();
            let quoted = |i: usize| crate::json_writer::quoted(&t[i]);
            let entry = SerialEntry {
                agent_id: Some(t[1].clone()),
                last_active_date: Some(t[2].clone()),
                decommissioned: Some(false),
                agents: 2,
                other_agent_ids: Box::new([t[3].clone()]),
                failed: Box::new([
                    Check {
                        rule: RuleId::OsType,
                        passed: false,
                        expected: value(format!("[{}]", quoted(4))),
                        actual: value(format!("{{{}:{}}}", quoted(5), quoted(6))),
                        message: t[7].clone(),
                    },
                    Check {
                        rule: RuleId::NetworkStatus,
                        passed: false,
                        expected: value(quoted(8)),
                        actual: value(format!("{{\"k\":[{}]}}", quoted(9))),
                        message: String::new(),
                    },
                ]),
            };
            let written = crate::json_writer::to_json_string(&entry).len() + quoted(0).len() + 1;
            let bytes = entry_bytes(written_len(&t[0]), &entry);
            assert!(
                bytes >= written,
                "{bytes} < {written}: the budget counts all the JSON"
            );
            bytes
        };
        let base = counted(&texts(usize::MAX));
        for grow in 0..10 {
            assert_eq!(counted(&texts(grow)), base + 16, "text {grow}");
        }
    }

    #[test]
    fn a_share_moves_the_total_by_what_it_changes_by() {
        // No other unit test runs a sync, so the total moves only with this share.
        let mut share = LiveShare(0);
        let base = share.set(0);
        assert_eq!(share.set(1_000), base + 1_000);
        assert_eq!(share.set(1_500), base + 1_500);
        assert_eq!(share.set(400), base + 400);
        drop(share);
        assert_eq!(LIVE_SNAPSHOT_BYTES.load(AtomicOrdering::Relaxed), base);
    }

    #[test]
    fn paging_past_the_total_is_allowed_by_a_tenth_of_it_or_1000() {
        assert_eq!(paging_allowance(0), 1_000);
        assert_eq!(paging_allowance(10_009), 1_000);
        assert_eq!(paging_allowance(50_000), 5_000);
    }

    #[test]
    fn progress_is_written_as_the_typescript_types_name_it() {
        let progress = Progress {
            page: 2,
            agents_seen: 2_000,
            total_items: Some(2_500),
        };
        assert_eq!(
            crate::json_writer::to_json_string(&progress),
            r#"{"page":2,"agentsSeen":2000,"totalItems":2500}"#
        );
    }

    #[test]
    fn a_moved_agent_leaves_its_old_entry_whatever_its_id() {
        // Ids as consoles write them (19 digits) and short ones: the filter in front of the search
        // must let each one through.
        let ids = (0..300u64)
            .map(|i| (1_550_901_640_146_865_256 + i * 7_919).to_string())
            .chain(["7", "18446744073709551615", "9223372036854775807"].map(String::from));
        for id in ids {
            let mut snapshot = Snapshot::default();
            let entry = |agent: &str, other: &str| SerialEntry {
                agent_id: Some(agent.to_owned()),
                agents: 2,
                other_agent_ids: Box::new([other.to_owned()]),
                ..SerialEntry::default()
            };
            snapshot.serials.insert("OLD".into(), entry(&id, "other"));
            snapshot
                .serials
                .insert("KEPT".into(), entry("other-2", &id));
            let moves = Moves {
                moved: vec![(id.clone(), "NEW".into())],
                set_aside: BTreeMap::new(),
            };
            forget_moved(&mut snapshot, &moves);
            let old = &snapshot.serials["OLD"];
            assert_eq!(
                (old.agents, old.agent_id.as_deref()),
                (1, Some("other")),
                "{id}"
            );
            let kept = &snapshot.serials["KEPT"];
            assert_eq!((kept.agents, kept.other_agent_ids.len()), (1, 0), "{id}");
        }
    }
}
