//! Get Agent by Serial Number: one substring query, then an exact match chosen deterministically.

use std::cmp::Ordering;

use crate::client::Client;
use crate::connection::Connection;
use crate::error::ConnectorError;
use crate::loose;
use crate::output::{AgentFacts, AgentLookup, Lookup, RawFacts};
use crate::runtime::Runtime;
use crate::serial;
use crate::timestamp;
use crate::transport::{HttpRequest, Transport};
use crate::value::Value;
use crate::wire;

/// The agents endpoint, relative to the console base URL.
pub const AGENTS_PATH: &str = "/web/api/v2.1/agents";

/// The largest page the API serves.
pub const PAGE_LIMIT: u32 = wire::MAX_PAGE_AGENTS as u32;

/// [`PAGE_LIMIT`] as the query value (formatting it would link core's integer formatting into every call).
pub const PAGE_LIMIT_TEXT: &str = "1000";

/// How many pages of substring matches a lookup reads before it gives up (10,000 agents).
pub const MAX_PAGES: usize = 10;

/// A `GET` of the agents endpoint with these query pairs, then the connection's scope filters.
pub fn agents_get(
    connection: &Connection,
    query: &[(&str, &str)],
    cursor: Option<&str>,
) -> HttpRequest {
    let mut pairs: Vec<(&str, &str)> = query.to_vec();
    for (name, ids) in connection.scope() {
        pairs.push((name, ids));
    }
    if let Some(cursor) = cursor {
        pairs.push(("cursor", cursor));
    }
    HttpRequest {
        method: "GET",
        url: connection.url(AGENTS_PATH, &pairs),
        headers: vec![
            ("Authorization", connection.authorization()),
            ("Accept", "application/json".to_owned()),
        ],
        body: None,
    }
}

/// Builds the request for one page of agents whose serial contains `serial`.
pub fn agents_request(connection: &Connection, serial: &str, cursor: Option<&str>) -> HttpRequest {
    agents_get(
        connection,
        &[
            ("serialNumber__contains", serial),
            ("limit", PAGE_LIMIT_TEXT),
        ],
        cursor,
    )
}

/// Validates the input and looks up the agent with exactly this serial number.
pub async fn get_agent_by_serial_number<T: Transport, R: Runtime>(
    client: &Client<'_, T, R>,
    connection: &Connection,
    input: &Value,
) -> Result<Lookup, ConnectorError> {
    let serial = serial::validate(input_field(input, "serialNumber")?)?;
    if serial::is_placeholder(serial) {
        return Err(ConnectorError::InvalidInput(format!(
            "serialNumber {} is a firmware placeholder shared by many devices, not a device identity",
            crate::json_writer::quoted(serial)
        )));
    }
    lookup_serial(client, connection, serial).await
}

/// Reads one field of a capability input, which must be a JSON object.
pub fn input_field<'v>(input: &'v Value, name: &str) -> Result<Option<&'v Value>, ConnectorError> {
    match input {
        Value::Object(map) => Ok(map.get(name)),
        _ => Err(ConnectorError::InvalidInput(
            "input must be an object".to_owned(),
        )),
    }
}

/// Looks up an already validated serial: pages only while more substring matches exist than were read.
pub async fn lookup_serial<T: Transport, R: Runtime>(
    client: &Client<'_, T, R>,
    connection: &Connection,
    serial: &str,
) -> Result<Lookup, ConnectorError> {
    // Each page's body, and whether it held a JSON escape.
    let mut bodies: Vec<(String, bool)> = Vec::with_capacity(1);
    let mut best: Option<Candidate> = None;
    let mut match_count = 0u64;
    let mut total_items = 0u64;
    let mut seen = 0u64;
    let mut cursor: Option<String> = None;
    let mut status_code;

    loop {
        if bodies.len() == MAX_PAGES {
            return Err(ConnectorError::ResponseTooLarge(format!(
                "more than {} agents have serials containing this value; the lookup stops at {MAX_PAGES} pages",
                MAX_PAGES as u64 * u64::from(PAGE_LIMIT)
            )));
        }
        let request = agents_request(connection, serial, cursor.as_deref());
        let response = client.send(&request).await?;
        status_code = response.status;

        let page_index = bodies.len();
        let page = wire::parse_agents_page(&response.body).map_err(|e| {
            ConnectorError::malformed(response.status, "agents page", &e, &response.body)
        })?;
        let pagination = page.pagination.as_ref().map(|p| &p.0);
        if page_index == 0 {
            total_items = pagination
                .and_then(|p| loose::count(&p.total_items))
                .unwrap_or(page.data.len() as u64);
        }
        seen += page.data.len() as u64;
        for wire::Object(agent) in &page.data {
            if agent.serial().as_deref() != Some(serial) {
                continue;
            }
            match_count += 1;
            let candidate = Candidate::new(page_index, status_code, agent);
            if best
                .as_ref()
                .is_none_or(|b| candidate.cmp_preference(b) == Ordering::Less)
            {
                best = Some(candidate);
            }
        }
        let next = pagination
            .and_then(|p| p.next_cursor.as_ref())
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let escaped = page.escaped;
        drop(page);
        bodies.push((response.body, escaped));

        match next {
            // An empty page with a cursor would loop forever on a misbehaving console.
            Some(next) if seen < total_items && seen > 0 && Some(&next) != cursor.as_ref() => {
                cursor = Some(next);
            }
            _ => break,
        }
    }

    let (mut output, facts, page_index) = match best {
        Some(best) => (best.output, Some(best.facts), best.page),
        None => (AgentLookup::not_found(status_code), None, 0),
    };
    output.total_items = total_items;
    output.match_count = match_count;
    let (raw_response, escaped) = bodies.swap_remove(page_index);
    Ok(Lookup {
        output,
        facts,
        raw_response,
        raw_facts: RawFacts {
            escape_free: !escaped,
            as_received: true,
        },
    })
}

/// An exact match with what ranks it against the others.
struct Candidate {
    page: usize,
    output: AgentLookup,
    facts: AgentFacts,
}

impl Candidate {
    fn new(page: usize, status_code: u16, agent: &wire::Agent<'_>) -> Self {
        Self {
            page,
            output: AgentLookup::found(status_code, agent),
            facts: AgentFacts::of(agent),
        }
    }

    /// `Less` means `self` is preferred.
    fn cmp_preference(&self, other: &Self) -> Ordering {
        // Dates are read only here, when a serial is shared: a lookup with one match never reads
        // one, and so a host's first call does not compile the timestamp parser.
        let last_active = |c: &Self| {
            c.output
                .last_active_date
                .as_deref()
                .and_then(timestamp::parse_micros)
        };
        preference(
            &self.output,
            last_active(self),
            &other.output,
            last_active(other),
        )
    }
}

/// Orders two agents sharing a serial: `Less` means `a` is preferred. Not decommissioned first, then
/// the most recently active (an unknown date after every known one), then the lowest id.
pub fn preference(
    a: &AgentLookup,
    a_last_active: Option<i64>,
    b: &AgentLookup,
    b_last_active: Option<i64>,
) -> Ordering {
    let decommissioned_rank = |c: &AgentLookup| match c.is_decommissioned {
        Some(false) => 0,
        None => 1,
        Some(true) => 2,
    };
    let id_key = |c: &AgentLookup| {
        let id = c.agent_id.as_deref().unwrap_or("");
        (id.is_empty(), id.len(), id.to_owned())
    };
    decommissioned_rank(a)
        .cmp(&decommissioned_rank(b))
        .then_with(|| match (a_last_active, b_last_active) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| id_key(a).cmp(&id_key(b)))
}
