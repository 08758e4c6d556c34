//! What Get Agent by Serial Number returns: the Ping connector's fields, named as it names them.

use crate::json_writer::{JsonWriter, WriteJson};
use crate::loose;
use crate::redact::{redact_owned, redact_read_json_text};
use crate::wire;

/// The output of Get Agent by Serial Number, without `rawResponse` (see [`Lookup`]).
///
/// Field names are a shipped contract: add fields, never rename them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentLookup {
    /// The HTTP status of the API response the answer came from (`None` only when no request was made).
    pub status_code: Option<u16>,
    /// Whether an agent with exactly this serial number exists.
    pub agent_found: bool,
    /// The agent's SentinelOne id.
    pub agent_id: Option<String>,
    /// The device's host name.
    pub computer_name: Option<String>,
    /// The agent's UUID.
    pub uuid: Option<String>,
    /// The device's serial number, as the console has it.
    pub serial_number: Option<String>,
    /// The OS family (`windows`, `macos`, `linux`, `windows_legacy`, or what the console sends).
    pub os_type: Option<String>,
    /// The OS name and version.
    pub os_name: Option<String>,
    /// The installed agent version.
    pub agent_version: Option<String>,
    /// Whether the agent was recently active.
    pub is_active: Option<bool>,
    /// Whether the agent is decommissioned.
    pub is_decommissioned: Option<bool>,
    /// When the agent last talked to the console, as the console wrote it.
    pub last_active_date: Option<String>,
    /// The agent's site id.
    pub site_id: Option<String>,
    /// The agent's account id.
    pub account_id: Option<String>,
    /// The agent's group id.
    pub group_id: Option<String>,
    /// The agent's network status (`connected`, `disconnected`, …, or what the console sends).
    pub network_status: Option<String>,
    /// How many agents' serials contain the input (the API's substring count).
    pub total_items: u64,
    /// How many agents have exactly this serial.
    pub match_count: u64,
}

/// Every text field of an [`AgentLookup`], borrowed as `$borrow` (`&` or `&mut`): one list for reading
/// and for redacting them.
macro_rules! text_fields {
    ($lookup:expr, $($borrow:tt)+) => {
        [
            $($borrow)+ $lookup.agent_id,
            $($borrow)+ $lookup.computer_name,
            $($borrow)+ $lookup.uuid,
            $($borrow)+ $lookup.serial_number,
            $($borrow)+ $lookup.os_type,
            $($borrow)+ $lookup.os_name,
            $($borrow)+ $lookup.agent_version,
            $($borrow)+ $lookup.last_active_date,
            $($borrow)+ $lookup.site_id,
            $($borrow)+ $lookup.account_id,
            $($borrow)+ $lookup.group_id,
            $($borrow)+ $lookup.network_status,
        ]
    };
}

impl AgentLookup {
    /// The fields of a found agent, copied out of its wire form.
    pub fn found(status_code: u16, agent: &wire::Agent<'_>) -> Self {
        Self::copied(status_code, agent, true)
    }

    /// Only the fields of a found agent that the trust rules and a sync's entry read: a sync judges
    /// every agent of the tenant, and would copy out and free the display fields for each.
    pub fn judged(status_code: u16, agent: &wire::Agent<'_>) -> Self {
        Self::copied(status_code, agent, false)
    }

    fn copied(status_code: u16, agent: &wire::Agent<'_>, display: bool) -> Self {
        // What a lookup shows a flow and no trust rule reads.
        let shown = |field: &Option<crate::loose::Loose<'_>>| {
            if display {
                loose::text(field)
            } else {
                None
            }
        };
        let serial_number = if display {
            agent.serial().map(|s| s.into_owned())
        } else {
            None
        };
        Self {
            status_code: Some(status_code),
            agent_found: true,
            agent_id: loose::text(&agent.id),
            computer_name: shown(&agent.computer_name),
            uuid: shown(&agent.uuid),
            serial_number,
            os_type: loose::text(&agent.os_type),
            os_name: shown(&agent.os_name),
            agent_version: loose::text(&agent.agent_version),
            is_active: loose::boolean(&agent.is_active),
            is_decommissioned: loose::boolean(&agent.is_decommissioned),
            last_active_date: loose::text(&agent.last_active_date),
            site_id: shown(&agent.site_id),
            account_id: shown(&agent.account_id),
            group_id: shown(&agent.group_id),
            network_status: loose::text(&agent.network_status),
            total_items: 0,
            match_count: 0,
        }
    }

    /// The answer when no agent has exactly this serial: every agent field null.
    pub fn not_found(status_code: u16) -> Self {
        Self {
            status_code: Some(status_code),
            ..Self::default()
        }
    }

    /// Every text field, in declaration order.
    pub fn texts(&self) -> [Option<&str>; 12] {
        text_fields!(self, &).map(Option::as_deref)
    }

    /// Writes the fields as members of the object being written (Evaluate Device Trust adds its own).
    pub fn write_fields(&self, out: &mut JsonWriter) {
        out.field("statusCode", &self.status_code);
        out.field("agentFound", &self.agent_found);
        out.field("agentId", &self.agent_id);
        out.field("computerName", &self.computer_name);
        out.field("uuid", &self.uuid);
        out.field("serialNumber", &self.serial_number);
        out.field("osType", &self.os_type);
        out.field("osName", &self.os_name);
        out.field("agentVersion", &self.agent_version);
        out.field("isActive", &self.is_active);
        out.field("isDecommissioned", &self.is_decommissioned);
        out.field("lastActiveDate", &self.last_active_date);
        out.field("siteId", &self.site_id);
        out.field("accountId", &self.account_id);
        out.field("groupId", &self.group_id);
        out.field("networkStatus", &self.network_status);
        out.field("totalItems", &self.total_items);
        out.field("matchCount", &self.match_count);
    }
}

impl WriteJson for AgentLookup {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        self.write_fields(out);
        out.end_object();
    }
}

/// The chosen agent's health fields that device-trust rules read beyond the lookup output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentFacts {
    /// Whether the agent has active threats.
    pub infected: Option<bool>,
    /// How many active threats the agent has.
    pub active_threats: Option<u64>,
    /// Whether a mitigation waits for a reboot.
    pub threat_reboot_required: Option<bool>,
    /// The agent's operational state (`na` when nothing is disabled).
    pub operational_state: Option<String>,
    /// Whether the agent is uninstalled.
    pub is_uninstalled: Option<bool>,
    /// Whether an uninstall is pending.
    pub is_pending_uninstall: Option<bool>,
}

impl AgentFacts {
    /// The facts of an agent, copied out of its wire form.
    pub fn of(agent: &wire::Agent<'_>) -> Self {
        Self {
            infected: loose::boolean(&agent.infected),
            active_threats: loose::count(&agent.active_threats),
            threat_reboot_required: loose::boolean(&agent.threat_reboot_required),
            operational_state: loose::text(&agent.operational_state),
            is_uninstalled: loose::boolean(&agent.is_uninstalled),
            is_pending_uninstall: loose::boolean(&agent.is_pending_uninstall),
        }
    }
}

/// A lookup's answer together with the unmodified API response body it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The typed output fields.
    pub output: AgentLookup,
    /// The chosen agent's health facts, when an agent was found.
    pub facts: Option<AgentFacts>,
    /// The body of the API response that held the chosen agent (the first page when none matched).
    pub raw_response: String,
    /// What is known of `raw_response` beyond its bytes.
    pub raw_facts: RawFacts,
}

/// What the connector knows of a `rawResponse` text beyond its bytes; the default knows nothing
/// (the text may hold escapes, and is not known to be a body as received).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawFacts {
    /// The text holds no JSON escape (its reader met none), so no backslash: redaction need not
    /// look for the secret spelled in escapes.
    pub escape_free: bool,
    /// The text is a response body exactly as received, so a host can hand back its own copy.
    pub as_received: bool,
}

impl Lookup {
    /// The same answer with `secret` scrubbed from every text field and from `rawResponse`.
    pub fn redacted(mut self, secret: &str) -> Self {
        for field in text_fields!(self.output, &mut) {
            if let Some(text) = field.take() {
                *field = Some(redact_owned(text, secret));
            }
        }
        if let Some(facts) = &mut self.facts {
            if let Some(state) = facts.operational_state.take() {
                facts.operational_state = Some(redact_owned(state, secret));
            }
        }
        let (raw, redacted) =
            redact_read_json_text(self.raw_response, secret, self.raw_facts.escape_free);
        self.raw_response = raw;
        self.raw_facts.as_received &= !redacted;
        self
    }

    /// The whole output as JSON text, `rawResponse` included, as a host sees it.
    pub fn to_json_text(&self) -> String {
        let mut out = crate::json_writer::JsonWriter::with_capacity(1024 + self.raw_response.len());
        out.begin_object();
        self.output.write_fields(&mut out);
        out.key("rawResponse");
        // The body the lookup read (JSON it accepted); none when the lookup was not from a response.
        if self.raw_response.is_empty() {
            out.null();
        } else {
            out.raw(&self.raw_response);
        }
        out.end_object();
        out.finish()
    }
}
