//! The SentinelOne API's JSON as it arrives: every field optional, every scalar read leniently.

use std::borrow::Cow;

use crate::error::UpstreamDetail;
use crate::json::Reader;
use crate::loose::{self, Loose};

/// How deeply a response may nest; SentinelOne's agent pages nest about five levels.
pub const MAX_DEPTH: usize = 64;

/// The most agents a page may hold: the API serves at most `limit=1000`. A page with more is refused
/// as it is read: a hostile 16 MiB page of empty objects would be millions of agents, gigabytes of
/// memory the module would keep (WebAssembly memory never shrinks) or could not get at all.
pub const MAX_PAGE_AGENTS: usize = 1000;

/// Parses one page of agents, which must be a JSON object whose `data` is an array of objects,
/// nested at most [`MAX_DEPTH`] levels.
pub fn parse_agents_page(body: &str) -> Result<AgentsPage<'_>, String> {
    let mut reader = Reader::new(body, MAX_DEPTH);
    let mut data = None;
    let mut pagination = None;
    reader.object(|r, key| match &*key {
        "data" => {
            let mut agents = Vec::new();
            r.array(|r| {
                if agents.len() == MAX_PAGE_AGENTS {
                    return Err(
                        "the page holds more than 1000 agents, the most the API serves".into(),
                    );
                }
                agents.push(Object(read_agent(r)?));
                Ok(())
            })?;
            once(&mut data, agents, &key)
        }
        "pagination" => {
            let read = if r.null()? {
                None
            } else {
                Some(Object(read_pagination(r)?))
            };
            once(&mut pagination, read, &key)
        }
        _ => r.skip(),
    })?;
    reader.end()?;
    Ok(AgentsPage {
        data: data.ok_or("missing field `data`")?,
        pagination: pagination.flatten(),
        escaped: reader.met_escape(),
    })
}

// A key given twice is refused, as serde refuses a duplicate field: which one would a host believe?
fn once<T>(slot: &mut Option<T>, value: T, key: &str) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("duplicate field `{key}`"));
    }
    *slot = Some(value);
    Ok(())
}

fn read_pagination<'a>(r: &mut Reader<'a>) -> Result<Pagination<'a>, String> {
    let mut pagination = Pagination::default();
    let (mut total_items, mut next_cursor) = (None, None);
    r.object(|r, key| match &*key {
        "totalItems" => once(&mut total_items, r.loose()?, &key),
        "nextCursor" => once(&mut next_cursor, r.loose()?, &key),
        _ => r.skip(),
    })?;
    pagination.total_items = total_items.flatten();
    pagination.next_cursor = next_cursor.flatten();
    Ok(pagination)
}

/// The agent fields the connector reads, in the order of their bits in `read_agent`'s duplicate check.
const AGENT_FIELDS: [&str; 20] = [
    "id",
    "uuid",
    "computerName",
    "serialNumber",
    "osType",
    "osName",
    "agentVersion",
    "isActive",
    "isDecommissioned",
    "lastActiveDate",
    "siteId",
    "accountId",
    "groupId",
    "networkStatus",
    "infected",
    "activeThreats",
    "threatRebootRequired",
    "operationalState",
    "isUninstalled",
    "isPendingUninstall",
];

/// The index in [`AGENT_FIELDS`] of a key. Most of an agent's ~80 keys are not read: a hash of the
/// key's length and last two bytes picks the one field it could be, so one comparison decides.
fn agent_field(key: &[u8]) -> Option<usize> {
    let [.., before_last, last] = *key else {
        return None;
    };
    let index = usize::from(FIELD_AT_SLOT[field_slot(key.len(), before_last, last)]);
    let name = AGENT_FIELDS.get(index)?;
    (name.as_bytes() == key).then_some(index)
}

const fn field_slot(len: usize, before_last: u8, last: u8) -> usize {
    (len + last as usize + 10 * before_last as usize) % FIELD_SLOTS
}

const FIELD_SLOTS: usize = 64;

/// The field each slot of [`field_slot`] holds (`u8::MAX` for none), built at compile time; the build
/// fails if two fields share a slot.
const FIELD_AT_SLOT: [u8; FIELD_SLOTS] = {
    let mut slots = [u8::MAX; FIELD_SLOTS];
    let mut i = 0;
    while i < AGENT_FIELDS.len() {
        let name = AGENT_FIELDS[i].as_bytes();
        let slot = field_slot(name.len(), name[name.len() - 2], name[name.len() - 1]);
        assert!(slots[slot] == u8::MAX, "two agent fields share a slot");
        slots[slot] = i as u8;
        i += 1;
    }
    slots
};

fn read_agent<'a>(r: &mut Reader<'a>) -> Result<Agent<'a>, String> {
    let mut agent = Agent::default();
    let mut seen = 0u32;
    r.object(|r, key| {
        // Matched, not `key.as_bytes()`: this `Deref` is a call at the release `opt-level`.
        let bytes = match &key {
            Cow::Borrowed(text) => text.as_bytes(),
            Cow::Owned(text) => text.as_bytes(),
        };
        let Some(bit) = agent_field(bytes) else {
            return r.skip();
        };
        let slot = match bit {
            0 => &mut agent.id,
            1 => &mut agent.uuid,
            2 => &mut agent.computer_name,
            3 => &mut agent.serial_number,
            4 => &mut agent.os_type,
            5 => &mut agent.os_name,
            6 => &mut agent.agent_version,
            7 => &mut agent.is_active,
            8 => &mut agent.is_decommissioned,
            9 => &mut agent.last_active_date,
            10 => &mut agent.site_id,
            11 => &mut agent.account_id,
            12 => &mut agent.group_id,
            13 => &mut agent.network_status,
            14 => &mut agent.infected,
            15 => &mut agent.active_threats,
            16 => &mut agent.threat_reboot_required,
            17 => &mut agent.operational_state,
            18 => &mut agent.is_uninstalled,
            _ => &mut agent.is_pending_uninstall,
        };
        if seen & (1 << bit) != 0 {
            return Err(format!("duplicate field `{key}`"));
        }
        seen |= 1 << bit;
        *slot = r.loose()?;
        Ok(())
    })?;
    Ok(agent)
}

/// A value that was a JSON object on the wire.
#[derive(Debug, Default)]
pub struct Object<T>(pub T);

/// One page of `GET /web/api/v2.1/agents`; strings borrow from the body where they can.
#[derive(Debug)]
pub struct AgentsPage<'a> {
    /// The agents on this page; required, since a page without it is not the documented response.
    pub data: Vec<Object<Agent<'a>>>,
    /// Totals and the cursor of the next page.
    pub pagination: Option<Object<Pagination<'a>>>,
    /// Whether the page's text holds a JSON escape (without one it holds no backslash at all).
    pub escaped: bool,
}

/// `pagination` of a list response.
#[derive(Debug, Default)]
pub struct Pagination<'a> {
    /// How many items match the query across all pages.
    pub total_items: Option<Loose<'a>>,
    /// The cursor of the next page; null on the last page.
    pub next_cursor: Option<Loose<'a>>,
}

/// An agent as the API describes it; only the fields the connector reads are kept.
#[derive(Debug, Default)]
#[allow(missing_docs)] // the names are the API's own
pub struct Agent<'a> {
    pub id: Option<Loose<'a>>,
    pub uuid: Option<Loose<'a>>,
    pub computer_name: Option<Loose<'a>>,
    pub serial_number: Option<Loose<'a>>,
    pub os_type: Option<Loose<'a>>,
    pub os_name: Option<Loose<'a>>,
    pub agent_version: Option<Loose<'a>>,
    pub is_active: Option<Loose<'a>>,
    pub is_decommissioned: Option<Loose<'a>>,
    pub last_active_date: Option<Loose<'a>>,
    pub site_id: Option<Loose<'a>>,
    pub account_id: Option<Loose<'a>>,
    pub group_id: Option<Loose<'a>>,
    pub network_status: Option<Loose<'a>>,
    pub infected: Option<Loose<'a>>,
    pub active_threats: Option<Loose<'a>>,
    pub threat_reboot_required: Option<Loose<'a>>,
    pub operational_state: Option<Loose<'a>>,
    pub is_uninstalled: Option<Loose<'a>>,
    pub is_pending_uninstall: Option<Loose<'a>>,
}

impl Agent<'_> {
    /// The agent's serial with surrounding whitespace trimmed, when it has one as a string or number.
    pub fn serial(&self) -> Option<Cow<'_, str>> {
        self.serial_number
            .as_ref()
            .and_then(Loose::to_text)
            .map(|s| match s {
                Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                Cow::Owned(o) => Cow::Owned(o.trim().to_owned()),
            })
    }
}

/// One entry of the error envelope `{"errors":[{"code","title","detail"}]}`.
#[derive(Debug, Default)]
#[allow(missing_docs)]
pub struct ErrorEntry<'a> {
    pub code: Option<Loose<'a>>,
    pub title: Option<Loose<'a>>,
    pub detail: Option<Loose<'a>>,
    // Some clients and proxies say `message` where SentinelOne says `title`.
    pub message: Option<Loose<'a>>,
}

/// The first entry of the error envelope in `body`, when it is one.
pub fn first_error_entry(body: &str) -> Result<Option<ErrorEntry<'_>>, String> {
    let mut reader = Reader::new(body, MAX_DEPTH);
    let mut errors = None;
    reader.object(|r, key| match &*key {
        "errors" => {
            let mut first = None;
            if !r.null()? {
                r.array(|r| {
                    let entry = read_error_entry(r)?;
                    first.get_or_insert(entry);
                    Ok(())
                })?;
            }
            once(&mut errors, first, &key)
        }
        _ => r.skip(),
    })?;
    reader.end()?;
    Ok(errors.flatten())
}

fn read_error_entry<'a>(r: &mut Reader<'a>) -> Result<ErrorEntry<'a>, String> {
    let (mut code, mut title, mut detail, mut message) = (None, None, None, None);
    r.object(|r, key| match &*key {
        "code" => once(&mut code, r.loose()?, &key),
        "title" => once(&mut title, r.loose()?, &key),
        "detail" => once(&mut detail, r.loose()?, &key),
        "message" => once(&mut message, r.loose()?, &key),
        _ => r.skip(),
    })?;
    Ok(ErrorEntry {
        code: code.flatten(),
        title: title.flatten(),
        detail: detail.flatten(),
        message: message.flatten(),
    })
}

/// The first SentinelOne error entry in `body`, or an empty detail when there is none or the body is not JSON.
pub fn upstream_detail(body: &str) -> UpstreamDetail {
    let Ok(Some(first)) = first_error_entry(body) else {
        return UpstreamDetail::default();
    };
    let clip = |s: String| -> String { s.chars().take(200).collect() };
    UpstreamDetail {
        code: first
            .code
            .as_ref()
            .and_then(Loose::as_u64)
            .and_then(|c| i64::try_from(c).ok()),
        title: loose::text(&first.title)
            .or_else(|| loose::text(&first.message))
            .map(clip),
        detail: loose::text(&first.detail).map(clip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of_empty_agents(n: usize) -> String {
        let agents = vec!["{}"; n].join(",");
        format!("{{\"data\":[{agents}],\"pagination\":{{\"totalItems\":{n}}}}}")
    }

    #[test]
    fn a_page_holds_at_most_the_agents_the_api_serves() {
        assert_eq!(
            parse_agents_page(&page_of_empty_agents(MAX_PAGE_AGENTS)).map(|p| p.data.len()),
            Ok(MAX_PAGE_AGENTS)
        );
        let refused = parse_agents_page(&page_of_empty_agents(MAX_PAGE_AGENTS + 1)).unwrap_err();
        assert_eq!(
            refused,
            format!("the page holds more than {MAX_PAGE_AGENTS} agents, the most the API serves")
        );
        // A hostile page of ~5 million empty objects (16 MiB) is refused at agent 1001, not held.
        let hostile = page_of_empty_agents(5_000_000);
        assert!(parse_agents_page(&hostile).is_err());
    }

    #[test]
    fn every_agent_field_is_found_by_its_key_and_no_other_key_is() {
        for (i, name) in AGENT_FIELDS.iter().enumerate() {
            assert_eq!(agent_field(name.as_bytes()), Some(i), "{name}");
            let mut other = name.as_bytes().to_vec();
            other[0] ^= 0x20;
            assert_eq!(agent_field(&other), None, "{name}");
        }
        for key in [
            "",
            "i",
            "ids",
            "activeDirectory",
            "serialnumber",
            "networkInterfaces",
        ] {
            assert_eq!(agent_field(key.as_bytes()), None, "{key}");
        }
    }

    #[test]
    fn a_read_field_given_twice_is_refused_whichever_it_is() {
        // JSON.parse keeps the last of two keys, a reader might keep the first: the host and the
        // connector would judge different agents.
        for name in AGENT_FIELDS {
            let body = format!(
                r#"{{"data":[{{"{name}":"1","osType":"macos","{name}":"2"}}],"pagination":{{"totalItems":1}}}}"#
            );
            let error = parse_agents_page(&body).expect_err(name);
            assert!(
                error.contains(&format!("duplicate field `{name}`")),
                "{error}"
            );
        }
        // Keys the connector does not read may repeat: they are only handed on.
        let body = r#"{"data":[{"id":"1","tags":[],"tags":{}}],"pagination":{"totalItems":1}}"#;
        assert!(parse_agents_page(body).is_ok());
    }

    #[test]
    fn reads_the_documented_error_envelope() {
        let d = upstream_detail(
            r#"{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}"#,
        );
        assert_eq!(d.code, Some(4010010));
        assert_eq!(d.title.as_deref(), Some("Authentication Failed"));
        assert_eq!(d.detail, None);
        let d = upstream_detail(r#"{"errors":[{"code":"5000010","message":"boom","detail":"x"}]}"#);
        assert_eq!(d.code, Some(5000010));
        assert_eq!(d.title.as_deref(), Some("boom"));
        assert_eq!(d.detail.as_deref(), Some("x"));
        for junk in [
            "<html>502</html>",
            "",
            "{}",
            r#"{"errors":[]}"#,
            r#"{"errors":"x"}"#,
        ] {
            assert_eq!(upstream_detail(junk), UpstreamDetail::default(), "{junk}");
        }
    }

    #[test]
    fn agent_serials_are_trimmed_and_may_be_numbers_or_absent() {
        let page = parse_agents_page(
            r#"{"data":[{"serialNumber":" C02 "},{"serialNumber":12345},{"serialNumber":null},{}],
                "pagination":{"totalItems":"4","nextCursor":null}}"#,
        )
        .unwrap();
        let serials: Vec<Option<String>> = page
            .data
            .iter()
            .map(|a| a.0.serial().map(|s| s.into_owned()))
            .collect();
        assert_eq!(
            serials,
            [Some("C02".into()), Some("12345".into()), None, None]
        );
        assert_eq!(
            loose::count(&page.pagination.unwrap().0.total_items),
            Some(4)
        );
    }

    #[test]
    fn nesting_is_limited_across_the_whole_page() {
        let deep = format!(
            r#"{{"data":[{{"zzz":{}1{}}}]}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse_agents_page(&deep)
            .unwrap_err()
            .contains("deeper than 64"));
        let fine = format!(
            r#"{{"data":[{{"zzz":{}1{}}}]}}"#,
            "[".repeat(60),
            "]".repeat(60)
        );
        assert!(parse_agents_page(&fine).is_ok());
    }

    #[test]
    fn numbers_out_of_range_in_read_fields_are_errors() {
        let huge = r#"{"data":[{"serialNumber":"X"}],"pagination":{"totalItems":1e400}}"#;
        assert!(parse_agents_page(huge)
            .unwrap_err()
            .contains("out of range"));
    }

    #[test]
    fn a_page_without_data_or_with_wrong_types_is_an_error() {
        for body in [
            r#"{"pagination":{"totalItems":0}}"#,
            r#"{"data":{}}"#,
            r#"{"data":["agent"]}"#,
            r#"{"data":null}"#,
            r#"[]"#,
        ] {
            assert!(parse_agents_page(body).is_err(), "{body}");
        }
    }
}
