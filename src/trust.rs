//! Evaluate Device Trust: the lookup, then every rule judged against the chosen agent, fail-closed,
//! with a reason and a remediation a help desk can show for each rule that failed.

use crate::fields::{self, object, Fields};
use crate::json_writer::{quoted, to_json_string, JsonWriter, WriteJson};
use crate::value::Value;

use crate::error::ConnectorError;
use crate::output::{AgentFacts, AgentLookup, Lookup};
use crate::timestamp;

/// A rule's stable id, as used in `reasons[].rule`, `checks[].rule` and `rules.remediation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RuleId {
    /// The serial is a real identity, not a firmware placeholder.
    PlaceholderSerial,
    /// An agent with exactly this serial exists.
    AgentFound,
    /// Exactly one agent has this serial (unless `allowAmbiguous`).
    UniqueSerial,
    /// The agent is not decommissioned.
    Decommissioned,
    /// The agent is neither uninstalled nor pending uninstall.
    Uninstalled,
    /// The console reports the agent active.
    IsActive,
    /// The agent reported within `maxInactiveMinutes`.
    LastActive,
    /// The agent is not infected.
    Infected,
    /// Active threats are at most `maxActiveThreats`.
    ActiveThreats,
    /// No mitigation waits for a reboot.
    ThreatReboot,
    /// The operational state is one of `allowedOperationalStates`.
    OperationalState,
    /// The network status is one of `allowedNetworkStatuses` (any by default).
    NetworkStatus,
    /// The OS type is one of `allowedOsTypes` (any by default).
    OsType,
    /// The agent version is at least `minAgentVersion` (any by default).
    AgentVersion,
    /// `checkSerial` only: the snapshot is complete and younger than `maxSnapshotAgeMinutes`.
    Snapshot,
}

impl RuleId {
    /// Every rule, in evaluation order.
    pub const ALL: [RuleId; 14] = [
        RuleId::PlaceholderSerial,
        RuleId::AgentFound,
        RuleId::UniqueSerial,
        RuleId::Decommissioned,
        RuleId::Uninstalled,
        RuleId::IsActive,
        RuleId::LastActive,
        RuleId::Infected,
        RuleId::ActiveThreats,
        RuleId::ThreatReboot,
        RuleId::OperationalState,
        RuleId::NetworkStatus,
        RuleId::OsType,
        RuleId::AgentVersion,
    ];

    /// The id as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlaceholderSerial => "placeholderSerial",
            Self::AgentFound => "agentFound",
            Self::UniqueSerial => "uniqueSerial",
            Self::Decommissioned => "decommissioned",
            Self::Uninstalled => "uninstalled",
            Self::IsActive => "isActive",
            Self::LastActive => "lastActive",
            Self::Infected => "infected",
            Self::ActiveThreats => "activeThreats",
            Self::ThreatReboot => "threatReboot",
            Self::OperationalState => "operationalState",
            Self::NetworkStatus => "networkStatus",
            Self::OsType => "osType",
            Self::AgentVersion => "agentVersion",
            Self::Snapshot => "snapshot",
        }
    }

    fn from_str(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Self::Snapshot])
            .find(|r| r.as_str() == name)
    }

    /// What a help desk can tell the user when this rule fails.
    pub fn default_remediation(self) -> &'static str {
        match self {
            Self::PlaceholderSerial => "This device reports a placeholder serial number from its firmware. Ask IT to set the real serial number in the BIOS/UEFI.",
            Self::AgentFound => "SentinelOne does not know this device. Install the SentinelOne agent, or ask IT to enroll the device.",
            Self::UniqueSerial => "Several SentinelOne agents report this serial number. Ask IT to decommission the stale agents so the device can be identified.",
            Self::Decommissioned => "This device's SentinelOne agent was decommissioned. Ask IT to reinstall or reactivate it.",
            Self::Uninstalled => "The SentinelOne agent is uninstalled or being uninstalled. Ask IT to reinstall it.",
            Self::IsActive => "The SentinelOne agent is not running. Restart the device and try again.",
            Self::LastActive => "The SentinelOne agent has not reported recently. Connect the device to the internet, make sure the agent is running, and try again in a few minutes.",
            Self::Infected => "SentinelOne found a threat on this device. Contact IT security before signing in.",
            Self::ActiveThreats => "This device has unresolved threats. Contact IT security to resolve them.",
            Self::ThreatReboot => "Restart the device to finish removing a threat, then try again.",
            Self::OperationalState => "SentinelOne protection is disabled or degraded on this device. Ask IT to re-enable it.",
            Self::NetworkStatus => "The SentinelOne agent is not connected as required (it may be network-quarantined). Reconnect the device or contact IT.",
            Self::OsType => "This operating system is not allowed to sign in here. Use a company-approved device.",
            Self::AgentVersion => "The SentinelOne agent on this device is out of date. Update it, or ask IT to.",
            Self::Snapshot => "The device list this check relies on is out of date. Try again in a few minutes; if it persists, ask IT to check the SentinelOne sync.",
        }
    }
}

/// The configurable rule set of `input.rules`; every field is optional in JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct TrustRules {
    /// The longest time since `lastActiveDate`, in minutes (default 60).
    pub max_inactive_minutes: f64,
    /// Network statuses that may pass; `None` means any.
    pub allowed_network_statuses: Option<Vec<String>>,
    /// The most active threats that may pass (default 0).
    pub max_active_threats: u64,
    /// Operational states that may pass (default `["na"]`).
    pub allowed_operational_states: Vec<String>,
    /// OS types that may pass; `None` means any.
    pub allowed_os_types: Option<Vec<String>>,
    /// The lowest agent version that may pass, as dotted numbers.
    pub min_agent_version: Option<Vec<u64>>,
    /// Whether several agents with the serial may still pass (judging the preferred one).
    pub allow_ambiguous: bool,
    /// Remediation text per rule, replacing the defaults.
    pub remediation: Vec<(RuleId, String)>,
}

impl Default for TrustRules {
    fn default() -> Self {
        Self {
            max_inactive_minutes: 60.0,
            allowed_network_statuses: None,
            max_active_threats: 0,
            allowed_operational_states: vec!["na".to_owned()],
            allowed_os_types: None,
            min_agent_version: None,
            allow_ambiguous: false,
            remediation: Vec::new(),
        }
    }
}

/// Whether `value` is written as SentinelOne writes OS types, network statuses and operational
/// states: not empty, no capitals, no spaces.
fn is_reported_form(value: &str) -> bool {
    !value.is_empty()
        && !value
            .bytes()
            .any(|b| b.is_ascii_uppercase() || b.is_ascii_whitespace())
}

impl TrustRules {
    /// Reads `input.rules`: absent or null means the defaults; an unknown key or a wrong type is
    /// `INVALID_INPUT`, so a typo never silently weakens a rule.
    pub fn from_json(value: Option<&Value>) -> Result<Self, ConnectorError> {
        let invalid = |m: String| ConnectorError::InvalidInput(format!("rules.{m}"));
        let mut rules = Self::default();
        let map = match value {
            None | Some(Value::Null) => return Ok(rules),
            Some(Value::Object(map)) => map,
            Some(_) => {
                return Err(ConnectorError::InvalidInput(
                    "rules must be an object".into(),
                ))
            }
        };
        let strings = |key: &str, v: &Value| -> Result<Vec<String>, ConnectorError> {
            let items: Vec<String> = v
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned))
                        .collect()
                })
                .ok_or_else(|| invalid(format!("{key} must be an array of strings")))?;
            // SentinelOne reports these values in lower case with no spaces: "Windows" or " macos" would
            // match no agent and fail every one closed, a whole fleet locked out by a typo.
            if let Some(odd) = items.iter().find(|item| !is_reported_form(item)) {
                let mut message = key.to_owned();
                message.push_str(" has ");
                message.push_str(&quoted(odd));
                message
                    .push_str(": SentinelOne reports these values in lower case, without spaces");
                return Err(invalid(message));
            }
            Ok(items)
        };
        for (key, v) in map {
            match key.as_str() {
                "maxInactiveMinutes" => {
                    rules.max_inactive_minutes = v
                        .as_f64()
                        .filter(|m| m.is_finite() && *m >= 0.0)
                        .ok_or_else(|| invalid(format!("{key} must be a number of minutes, 0 or more")))?;
                }
                "allowedNetworkStatuses" if v.is_null() => rules.allowed_network_statuses = None,
                "allowedNetworkStatuses" => rules.allowed_network_statuses = Some(strings(key, v)?),
                "maxActiveThreats" => {
                    rules.max_active_threats = v
                        .as_u64()
                        .ok_or_else(|| invalid(format!("{key} must be a whole number, 0 or more")))?;
                }
                "allowedOperationalStates" => rules.allowed_operational_states = strings(key, v)?,
                "allowedOsTypes" if v.is_null() => rules.allowed_os_types = None,
                "allowedOsTypes" => rules.allowed_os_types = Some(strings(key, v)?),
                "minAgentVersion" if v.is_null() => rules.min_agent_version = None,
                "minAgentVersion" => {
                    let text = v.as_str().ok_or_else(|| invalid(format!("{key} must be a string")))?;
                    rules.min_agent_version = Some(
                        parse_version(text)
                            .ok_or_else(|| invalid(format!("{key} must be dotted numbers such as 23.4.2.14")))?,
                    );
                }
                "allowAmbiguous" => {
                    rules.allow_ambiguous = v
                        .as_bool()
                        .ok_or_else(|| invalid(format!("{key} must be a boolean")))?;
                }
                "remediation" => {
                    let texts = v
                        .as_object()
                        .ok_or_else(|| invalid(format!("{key} must be an object of rule ids to texts")))?;
                    for (rule, text) in texts {
                        let id = RuleId::from_str(rule)
                            .ok_or_else(|| invalid(format!("remediation has an unknown rule id {}", quoted(rule))))?;
                        let text = text
                            .as_str()
                            .ok_or_else(|| invalid(format!("remediation.{rule} must be a string")))?;
                        // A map in JSON: a rule given twice keeps its last text.
                        rules.remediation.retain(|(rule, _)| *rule != id);
                        rules.remediation.push((id, text.to_owned()));
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "{} is not a rule; the rules are maxInactiveMinutes, allowedNetworkStatuses, maxActiveThreats, allowedOperationalStates, allowedOsTypes, minAgentVersion, allowAmbiguous, remediation",
                        quoted(other)
                    )))
                }
            }
        }
        Ok(rules)
    }

    fn remediation_for(&self, rule: RuleId) -> String {
        self.remediation
            .iter()
            .find(|(id, _)| *id == rule)
            .map_or_else(
                || rule.default_remediation().to_owned(),
                |(_, text)| text.clone(),
            )
    }
}

/// How far in the future a `lastActiveDate` may be (clock skew) before `lastActive` fails.
pub const MAX_CLOCK_SKEW_MINUTES: f64 = 5.0;

/// Parses a dotted numeric version such as `23.10.1.1` into its numbers.
pub fn parse_version(text: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = text
        .trim()
        .split('.')
        .map(crate::loose::parse_u64)
        .collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 8)
}

/// Compares dotted versions numerically; missing trailing parts count as 0 (`23.10` = `23.10.0.0`).
pub fn compare_versions(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    (0..a.len().max(b.len()))
        .map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// One rule as evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The rule's stable id.
    pub rule: RuleId,
    /// Whether the agent satisfies the rule.
    pub passed: bool,
    /// What the rule requires.
    pub expected: Value,
    /// What the console reported (null when it did not say).
    pub actual: Value,
    /// A sentence saying what was found.
    pub message: String,
}

/// A failed rule, with what the user can do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The rule's stable id.
    pub rule: RuleId,
    /// What the rule requires.
    pub expected: Value,
    /// What the console reported.
    pub actual: Value,
    /// A sentence saying what was found.
    pub message: String,
    /// What the user or help desk should do.
    pub remediation: String,
}

/// The output of Evaluate Device Trust: the lookup's fields, then the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustEvaluation {
    /// Everything Get Agent by Serial Number returns.
    pub lookup: AgentLookup,
    /// Whether every rule passed.
    pub trusted: bool,
    /// One entry per failed rule.
    pub reasons: Vec<Reason>,
    /// Every rule evaluated, passed or not.
    pub checks: Vec<Check>,
    /// When the rules were judged (ISO-8601 UTC).
    pub evaluated_at: String,
}

impl WriteJson for RuleId {
    fn write_json(&self, out: &mut JsonWriter) {
        out.string(self.as_str());
    }
}

impl Check {
    /// Reads a check as a snapshot stores it.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value).ok_or("a check is a JSON object")?;
        Ok(Self {
            rule: f.required("rule", |v| v.as_str().and_then(RuleId::from_str))?,
            passed: f.required("passed", fields::boolean)?,
            expected: f.required("expected", fields::any)?,
            actual: f.required("actual", fields::any)?,
            message: f.required("message", fields::string)?,
        })
    }
}

impl WriteJson for Check {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("rule", &self.rule);
        out.field("passed", &self.passed);
        out.field("expected", &self.expected);
        out.field("actual", &self.actual);
        out.field("message", &self.message);
        out.end_object();
    }
}

impl WriteJson for Reason {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("rule", &self.rule);
        out.field("expected", &self.expected);
        out.field("actual", &self.actual);
        out.field("message", &self.message);
        out.field("remediation", &self.remediation);
        out.end_object();
    }
}

impl TrustEvaluation {
    /// Writes the fields as members of the object being written (a host's output adds `rawResponse`).
    pub fn write_fields(&self, out: &mut JsonWriter) {
        self.lookup.write_fields(out);
        out.field("trusted", &self.trusted);
        out.field("reasons", &self.reasons);
        out.field("checks", &self.checks);
        out.field("evaluatedAt", &self.evaluated_at);
    }
}

impl WriteJson for TrustEvaluation {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        self.write_fields(out);
        out.end_object();
    }
}

/// Judges a placeholder serial without asking the console: it identifies a model, not a device.
pub fn placeholder_verdict(serial: &str, rules: &TrustRules, now_ms: f64) -> TrustEvaluation {
    let mut judge = Judge::new(rules, true);
    judge.check(RuleId::PlaceholderSerial, false, || {
        (
            Value::from("a device-specific serial number"),
            Value::from(serial),
            format!(
                "{} is a firmware placeholder shared by many devices",
                quoted(serial)
            ),
        )
    });
    let lookup = AgentLookup {
        status_code: None,
        ..AgentLookup::default()
    };
    verdict(lookup, judge.checks, rules, now_ms)
}

/// Judges a lookup's answer for `serial` against `rules` at `now_ms`.
pub fn evaluate(serial: &str, lookup: &Lookup, rules: &TrustRules, now_ms: f64) -> TrustEvaluation {
    let checks = checks(serial, lookup, rules, now_ms);
    verdict(lookup.output.clone(), checks, rules, now_ms)
}

fn verdict(
    lookup: AgentLookup,
    checks: Vec<Check>,
    rules: &TrustRules,
    now_ms: f64,
) -> TrustEvaluation {
    let reasons: Vec<Reason> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| reason(c, rules))
        .collect();
    TrustEvaluation {
        lookup,
        trusted: reasons.is_empty(),
        reasons,
        checks,
        evaluated_at: timestamp::format_iso_ms(now_ms as i64),
    }
}

/// Every rule's check of a lookup's answer for `serial` at `now_ms`, in rule order: the verdict
/// without its output.
pub fn checks(serial: &str, lookup: &Lookup, rules: &TrustRules, now_ms: f64) -> Vec<Check> {
    let mut judge = Judge::new(rules, true);
    judge.judge(serial, lookup, now_ms);
    judge.checks
}

/// Only the checks a lookup's answer fails, each as [`checks`] has it: a passed check's values and
/// message are never built (a sync judges every agent and keeps only what failed).
pub fn failed_checks(serial: &str, lookup: &Lookup, rules: &TrustRules, now_ms: f64) -> Vec<Check> {
    let mut judge = Judge::new(rules, false);
    judge.judge(serial, lookup, now_ms);
    judge.checks
}

/// Turns a failed check into a reason with the rule set's remediation.
pub fn reason(check: &Check, rules: &TrustRules) -> Reason {
    Reason {
        rule: check.rule,
        expected: check.expected.clone(),
        actual: check.actual.clone(),
        message: check.message.clone(),
        remediation: rules.remediation_for(check.rule),
    }
}

/// Judges `lastActiveDate` alone at `now_ms`, for verdicts computed from a snapshot.
pub fn last_active_check(date: Option<&str>, rules: &TrustRules, now_ms: f64) -> Check {
    let mut judge = Judge::new(rules, true);
    judge.last_active(date, now_ms);
    judge.checks.remove(0)
}

/// Collects checks; a rule whose field is missing or unreadable fails (fail closed).
struct Judge<'r> {
    rules: &'r TrustRules,
    checks: Vec<Check>,
    keep_passed: bool,
}

impl<'r> Judge<'r> {
    fn new(rules: &'r TrustRules, keep_passed: bool) -> Self {
        Self {
            rules,
            checks: Vec::with_capacity(if keep_passed { RuleId::ALL.len() } else { 0 }),
            keep_passed,
        }
    }

    /// Records a check; `details` (expected, actual, message) is built only when the check is kept.
    fn check(
        &mut self,
        rule: RuleId,
        passed: bool,
        details: impl FnOnce() -> (Value, Value, String),
    ) {
        if passed && !self.keep_passed {
            return;
        }
        let (expected, actual, message) = details();
        self.checks.push(Check {
            rule,
            passed,
            expected,
            actual,
            message,
        });
    }

    // Not inlined: one copy serves both `checks` and `failed_checks`.
    #[inline(never)]
    fn judge(&mut self, serial: &str, lookup: &Lookup, now_ms: f64) {
        let out = &lookup.output;
        self.check(RuleId::PlaceholderSerial, true, || {
            (
                Value::from("a device-specific serial number"),
                Value::from(serial),
                "the serial is not a known placeholder".into(),
            )
        });
        let facts = match (&lookup.facts, out.agent_found) {
            (Some(facts), true) => facts,
            _ => {
                return self.check(RuleId::AgentFound, false, || {
                    (
                        Value::Bool(true),
                        Value::Bool(false),
                        format!(
                            "no agent has exactly this serial ({} agents' serials contain it)",
                            out.total_items
                        ),
                    )
                });
            }
        };
        self.check(RuleId::AgentFound, true, || {
            (
                Value::Bool(true),
                Value::Bool(true),
                "an agent has exactly this serial".into(),
            )
        });
        let unique = out.match_count <= 1;
        let allow_ambiguous = self.rules.allow_ambiguous;
        self.check(RuleId::UniqueSerial, unique || allow_ambiguous, || {
            let message = if unique {
                "one agent has this serial".into()
            } else if allow_ambiguous {
                format!(
                    "ambiguous serial: {} agents have it; allowAmbiguous judges the preferred one",
                    out.match_count
                )
            } else {
                format!(
                    "ambiguous serial: {} agents have it, so the device cannot be told apart",
                    out.match_count
                )
            };
            (Value::from(1u64), Value::from(out.match_count), message)
        });
        self.flag(
            RuleId::Decommissioned,
            out.is_decommissioned,
            "decommissioned",
        );
        let uninstalled = match (facts.is_uninstalled, facts.is_pending_uninstall) {
            (Some(a), Some(b)) => Some(a || b),
            (Some(true), None) | (None, Some(true)) => Some(true),
            _ => None,
        };
        self.flag(
            RuleId::Uninstalled,
            uninstalled,
            "uninstalled or pending uninstall",
        );
        self.required_true(RuleId::IsActive, out.is_active, "active");
        self.last_active(out.last_active_date.as_deref(), now_ms);
        self.flag(RuleId::Infected, facts.infected, "infected");
        self.active_threats(facts);
        self.flag(
            RuleId::ThreatReboot,
            facts.threat_reboot_required,
            "waiting for a threat reboot",
        );
        self.one_of(
            RuleId::OperationalState,
            Some(&self.rules.allowed_operational_states),
            facts.operational_state.as_deref(),
            "operational state",
        );
        self.one_of(
            RuleId::NetworkStatus,
            self.rules.allowed_network_statuses.as_ref(),
            out.network_status.as_deref(),
            "network status",
        );
        self.one_of(
            RuleId::OsType,
            self.rules.allowed_os_types.as_ref(),
            out.os_type.as_deref(),
            "OS type",
        );
        self.agent_version(out.agent_version.as_deref());
    }

    /// A boolean that must be false (`infected`, `decommissioned`, …).
    fn flag(&mut self, rule: RuleId, value: Option<bool>, what: &str) {
        self.boolean(rule, value, false, what);
    }

    /// A boolean that must be true (`isActive`).
    fn required_true(&mut self, rule: RuleId, value: Option<bool>, what: &str) {
        self.boolean(rule, value, true, what);
    }

    fn boolean(&mut self, rule: RuleId, value: Option<bool>, wanted: bool, what: &str) {
        self.check(rule, value == Some(wanted), || {
            let message = match value {
                Some(true) => format!("the agent is {what}"),
                Some(false) => format!("the agent is not {what}"),
                None => format!("the console did not say whether the agent is {what}"),
            };
            (Value::Bool(wanted), Value::from(value), message)
        });
    }

    fn last_active(&mut self, date: Option<&str>, now_ms: f64) {
        let max = self.rules.max_inactive_minutes;
        let expected = || object(vec![("maxInactiveMinutes", Value::from(max))]);
        let Some(micros) = date.and_then(timestamp::parse_micros) else {
            return self.check(RuleId::LastActive, false, || {
                let message = match date {
                    Some(d) => format!("lastActiveDate {} is not a timestamp", quoted(d)),
                    None => "the console did not report lastActiveDate".to_owned(),
                };
                (expected(), Value::from(date), message)
            });
        };
        let signed_minutes = (now_ms - micros as f64 / 1000.0) / 60_000.0;
        // A report from the future is a wrong clock or a corrupt value, never proof of recent contact;
        // a few minutes of skew between the console and this host are normal.
        if signed_minutes < -MAX_CLOCK_SKEW_MINUTES {
            return self.check(RuleId::LastActive, false, || {
                let ahead = timestamp::one_decimal(-signed_minutes);
                (
                    expected(),
                    object(vec![
                        ("lastActiveDate", Value::from(date)),
                        ("minutesAgo", Value::from((signed_minutes * 10.0).round() / 10.0)),
                    ]),
                    format!("lastActiveDate is {ahead} minutes in the future: the console's or this host's clock is wrong"),
                )
            });
        }
        let minutes = signed_minutes.max(0.0);
        self.check(RuleId::LastActive, minutes <= max, || {
            let rounded = (minutes * 10.0).round() / 10.0;
            (
                expected(),
                object(vec![
                    ("lastActiveDate", Value::from(date)),
                    ("minutesAgo", Value::from(rounded)),
                ]),
                format!(
                    "the agent last reported {} minutes ago (at most {} allowed)",
                    timestamp::one_decimal(rounded),
                    timestamp::one_decimal(max)
                ),
            )
        });
    }

    fn active_threats(&mut self, facts: &AgentFacts) {
        let max = self.rules.max_active_threats;
        let passed = facts.active_threats.is_some_and(|n| n <= max);
        self.check(RuleId::ActiveThreats, passed, || {
            let message = match facts.active_threats {
                Some(n) => format!("the agent has {n} active threats (at most {max} allowed)"),
                None => "the console did not report activeThreats".to_owned(),
            };
            (
                object(vec![("max", Value::from(max))]),
                Value::from(facts.active_threats),
                message,
            )
        });
    }

    fn one_of(
        &mut self,
        rule: RuleId,
        allowed: Option<&Vec<String>>,
        actual: Option<&str>,
        what: &str,
    ) {
        let Some(allowed) = allowed else {
            return self.check(rule, true, || {
                let message = format!(
                    "any {what} is allowed (it is {})",
                    actual.unwrap_or("not reported")
                );
                (Value::Null, Value::from(actual), message)
            });
        };
        let passed = actual.is_some_and(|a| allowed.iter().any(|x| x == a));
        self.check(rule, passed, || {
            let message = match actual {
                Some(a) if passed => format!("{what} {} is allowed", quoted(a)),
                Some(a) => format!(
                    "{what} {} is not one of {}",
                    quoted(a),
                    to_json_string(allowed)
                ),
                None => format!("the console did not report the {what}"),
            };
            (
                Value::from(allowed.as_slice()),
                Value::from(actual),
                message,
            )
        });
    }

    fn agent_version(&mut self, actual: Option<&str>) {
        let Some(min) = &self.rules.min_agent_version else {
            return self.check(RuleId::AgentVersion, true, || {
                let message = format!(
                    "any agent version is allowed (it is {})",
                    actual.unwrap_or("not reported")
                );
                (Value::Null, Value::from(actual), message)
            });
        };
        let parsed = actual.and_then(parse_version);
        let passed = parsed
            .as_ref()
            .is_some_and(|v| compare_versions(v, min).is_ge());
        self.check(RuleId::AgentVersion, passed, || {
            let mut min_text = String::new();
            for (at, part) in min.iter().enumerate() {
                if at > 0 {
                    min_text.push('.');
                }
                min_text.push_str(&part.to_string());
            }
            let message = match (actual, &parsed) {
                (Some(a), Some(_)) if passed => format!("agent version {a} is at least {min_text}"),
                (Some(a), Some(_)) => format!("agent version {a} is older than {min_text}"),
                (Some(a), None) => format!("agent version {} is not a dotted version", quoted(a)),
                (None, _) => "the console did not report the agent version".to_owned(),
            };
            (
                object(vec![("min", Value::from(min_text))]),
                Value::from(actual),
                message,
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{AgentFacts, RawFacts};

    /// 2024-05-15T18:30:00Z.
    const NOW_MS: f64 = 1_715_797_800_000.0;

    fn rule_sets() -> Vec<TrustRules> {
        let strict = crate::json::parse_value(
            r#"{"maxInactiveMinutes": 10, "allowedNetworkStatuses": ["connected"], "maxActiveThreats": 1,
                "allowedOperationalStates": ["na", "partially_disabled"], "allowedOsTypes": ["macos"],
                "minAgentVersion": "23.4", "allowAmbiguous": true}"#,
        )
        .unwrap();
        vec![
            TrustRules::default(),
            TrustRules::from_json(Some(&strict)).unwrap(),
        ]
    }

    /// Lookups that pass and fail every rule, one field at a time, including absent and unreadable values.
    fn lookups() -> Vec<Lookup> {
        let healthy = || Lookup {
            output: AgentLookup {
                status_code: Some(200),
                agent_found: true,
                agent_id: Some("1".into()),
                serial_number: Some("C02XK1ABJG5J".into()),
                os_type: Some("macos".into()),
                agent_version: Some("23.4.2.14".into()),
                is_active: Some(true),
                is_decommissioned: Some(false),
                last_active_date: Some("2024-05-15T18:25:00.000000Z".into()),
                network_status: Some("connected".into()),
                total_items: 1,
                match_count: 1,
                ..AgentLookup::default()
            },
            facts: Some(AgentFacts {
                infected: Some(false),
                active_threats: Some(0),
                threat_reboot_required: Some(false),
                operational_state: Some("na".into()),
                is_uninstalled: Some(false),
                is_pending_uninstall: Some(false),
            }),
            raw_response: String::new(),
            raw_facts: RawFacts::default(),
        };
        type Change = fn(&mut Lookup);
        let changes: [Change; 22] = [
            |_| {},
            |l| l.output.agent_found = false,
            |l| l.facts = None,
            |l| l.output.match_count = 2,
            |l| l.output.is_decommissioned = Some(true),
            |l| l.output.is_decommissioned = None,
            |l| l.facts.as_mut().unwrap().is_uninstalled = Some(true),
            |l| l.facts.as_mut().unwrap().is_pending_uninstall = None,
            |l| l.output.is_active = Some(false),
            |l| l.output.last_active_date = Some("2024-05-15T16:30:00Z".into()),
            |l| l.output.last_active_date = Some("2024-05-15T19:30:00Z".into()),
            |l| l.output.last_active_date = Some("yesterday".into()),
            |l| l.output.last_active_date = None,
            |l| l.facts.as_mut().unwrap().infected = Some(true),
            |l| l.facts.as_mut().unwrap().active_threats = Some(2),
            |l| l.facts.as_mut().unwrap().active_threats = None,
            |l| l.facts.as_mut().unwrap().threat_reboot_required = Some(true),
            |l| l.facts.as_mut().unwrap().operational_state = Some("partially_disabled".into()),
            |l| l.output.network_status = Some("disconnected".into()),
            |l| l.output.os_type = None,
            |l| l.output.agent_version = Some("22.1".into()),
            |l| l.output.agent_version = Some("latest".into()),
        ];
        changes
            .iter()
            .map(|change| {
                let mut lookup = healthy();
                change(&mut lookup);
                lookup
            })
            .collect()
    }

    #[test]
    fn failed_checks_are_exactly_the_failed_ones_of_every_check() {
        let mut failures = 0;
        for rules in rule_sets() {
            for lookup in lookups() {
                let all = checks("C02XK1ABJG5J", &lookup, &rules, NOW_MS);
                let failed: Vec<Check> = all.iter().filter(|c| !c.passed).cloned().collect();
                assert_eq!(
                    failed_checks("C02XK1ABJG5J", &lookup, &rules, NOW_MS),
                    failed,
                    "{lookup:?}"
                );
                failures += failed.len();
            }
        }
        // The grid does fail rules (so the comparison is not between empty lists), under both rule sets.
        assert!(failures > 30, "{failures}");
    }

    #[test]
    fn the_minimum_agent_version_is_written_back_dotted() {
        let rules = &rule_sets()[1];
        let old_agent = &lookups()[20];
        let failed = failed_checks("C02XK1ABJG5J", old_agent, rules, NOW_MS);
        let version = failed
            .iter()
            .find(|c| c.rule == RuleId::AgentVersion)
            .unwrap();
        assert_eq!(version.expected, object(vec![("min", Value::from("23.4"))]));
        assert_eq!(version.message, "agent version 22.1 is older than 23.4");
    }

    #[test]
    fn every_check_is_kept_for_an_evaluation() {
        for lookup in lookups()
            .iter()
            .filter(|l| l.output.agent_found && l.facts.is_some())
        {
            let all = checks("C02XK1ABJG5J", lookup, &TrustRules::default(), NOW_MS);
            let rules: Vec<RuleId> = all.iter().map(|c| c.rule).collect();
            assert_eq!(rules, RuleId::ALL, "{lookup:?}");
        }
    }
}
