//! The capabilities a flow can call by name, and the generic entry that dispatches to them.

use std::future::Future;
use std::pin::Pin;

use crate::client::Client;
use crate::connection::{Connection, ConnectionProperties};
use crate::error::ConnectorError;
use crate::health::{self, HealthOutput};
use crate::json_writer::to_json_string;
use crate::lookup;
use crate::options::CallOptions;
use crate::output::{Lookup, RawFacts};
use crate::redact::{redact_owned, redact_read_json_text, redact_value, spells, value_contains};
use crate::runtime::Runtime;
use crate::serial;
use crate::stored::SyncInput;
use crate::sync::{self, Progress, SerialEntry, Snapshot, SyncFailure};
use crate::transport::Transport;
use crate::trust::{self, Check, TrustEvaluation, TrustRules};
use crate::value::Value;

/// The capabilities' names, as an unknown name's error lists them (a test holds it to [`Capability::ALL`]).
pub const NAMES: &str =
    "getAgentBySerialNumber, evaluateDeviceTrust, testConnection and syncAgents";

/// Every capability the connector offers; the names are the manifest's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Capability {
    /// `getAgentBySerialNumber`: look up the agent with exactly this serial number.
    GetAgentBySerialNumber,
    /// `evaluateDeviceTrust`: look the device up and judge it against the trust rules.
    EvaluateDeviceTrust,
    /// `testConnection`: check the base URL and token with one least-privilege read.
    TestConnection,
    /// `syncAgents`: judge every agent of the tenant in one paged pass into a snapshot.
    SyncAgents,
}

impl Capability {
    /// Every capability, in manifest order.
    pub const ALL: &'static [Capability] = &[
        Capability::GetAgentBySerialNumber,
        Capability::EvaluateDeviceTrust,
        Capability::TestConnection,
        Capability::SyncAgents,
    ];

    /// The capability with this manifest name.
    pub fn from_name(name: &str) -> Result<Self, ConnectorError> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.name() == name)
            .ok_or_else(|| ConnectorError::UnknownCapability(clip(name)))
    }

    /// The capability's manifest name.
    pub fn name(self) -> &'static str {
        match self {
            Self::GetAgentBySerialNumber => "getAgentBySerialNumber",
            Self::EvaluateDeviceTrust => "evaluateDeviceTrust",
            Self::TestConnection => "testConnection",
            Self::SyncAgents => "syncAgents",
        }
    }
}

/// What any capability returns.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CapabilityOutput {
    /// The output of Get Agent by Serial Number.
    Lookup(Lookup),
    /// The output of Evaluate Device Trust, with the raw response when a request was made.
    Trust {
        /// The verdict and the lookup fields.
        evaluation: TrustEvaluation,
        /// The body the answer came from; `None` when no request was made (placeholder serial).
        raw_response: Option<String>,
        /// What is known of `raw_response` beyond its bytes.
        raw_facts: RawFacts,
    },
    /// The output of Test Connection.
    Health(HealthOutput),
    /// The snapshot of Sync Agents.
    Sync(Box<Snapshot>),
}

/// Runs `capability` with raw connection properties and input, as a flow engine calls it.
pub async fn invoke<T: Transport, R: Runtime>(
    transport: &T,
    runtime: &R,
    capability: Capability,
    connection: &ConnectionProperties,
    input: &Value,
    options: CallOptions,
) -> Result<CapabilityOutput, ConnectorError> {
    let connection = match Connection::from_properties(connection) {
        Ok(connection) => connection,
        // A health check reports a bad configuration; it does not throw.
        Err(error) if capability == Capability::TestConnection => {
            return Ok(CapabilityOutput::Health(HealthOutput::failed(&error, None)));
        }
        Err(error) => return Err(error),
    };
    let token = connection.api_token();
    let client = Client::new(transport, runtime, options);
    let now_ms = options.now_ms.unwrap_or_else(|| runtime.now_ms());
    // Each capability is its own boxed future: a host's first call compiles only the one it runs
    // (the engine compiles wasm functions lazily, and one inlined state machine would be all of them).
    let running: Pin<Box<dyn Future<Output = Result<CapabilityOutput, ConnectorError>> + '_>> =
        match capability {
            Capability::GetAgentBySerialNumber => Box::pin(async {
                lookup::get_agent_by_serial_number(&client, &connection, input)
                    .await
                    .map(CapabilityOutput::Lookup)
            }),
            Capability::EvaluateDeviceTrust => {
                Box::pin(evaluate_device_trust(&client, &connection, input, now_ms))
            }
            Capability::TestConnection => Box::pin(async {
                Ok(CapabilityOutput::Health(
                    health::test_connection(&client, &connection, now_ms).await,
                ))
            }),
            Capability::SyncAgents => Box::pin(async {
                let input = SyncInput::from_value(input);
                sync::sync_agents(&client, &connection, input, now_ms, &|_| {})
                    .await
                    .map(|snapshot| CapabilityOutput::Sync(Box::new(snapshot)))
                    .map_err(|failure| failure.error)
            }),
        };
    let result = running.await;
    result
        .map(|output| output.redacted(token))
        .map_err(|e| e.redacted(token))
}

/// Runs Sync Agents, reporting progress after each page; a failure carries the partial snapshot.
pub async fn sync_agents<T: Transport, R: Runtime>(
    transport: &T,
    runtime: &R,
    connection: &ConnectionProperties,
    input: &Value,
    options: CallOptions,
    on_progress: &dyn Fn(Progress),
) -> Result<Snapshot, SyncFailure> {
    let input = SyncInput::from_value(input);
    sync_agents_read(transport, runtime, connection, input, options, on_progress).await
}

/// Runs Sync Agents on an input whose stored snapshots are read already (see [`SyncInput::read`]).
pub async fn sync_agents_read<T: Transport, R: Runtime>(
    transport: &T,
    runtime: &R,
    connection: &ConnectionProperties,
    input: SyncInput,
    options: CallOptions,
    on_progress: &dyn Fn(Progress),
) -> Result<Snapshot, SyncFailure> {
    let connection = Connection::from_properties(connection).map_err(|error| SyncFailure {
        error,
        partial: Box::default(),
    })?;
    let token = connection.api_token().to_owned();
    let client = Client::new(transport, runtime, options);
    let now_ms = options.now_ms.unwrap_or_else(|| runtime.now_ms());
    sync::sync_agents(&client, &connection, input, now_ms, on_progress)
        .await
        .map(|snapshot| redact_snapshot(snapshot, &token))
        .map_err(|failure| SyncFailure {
            error: failure.error.redacted(&token),
            partial: Box::new(redact_snapshot(*failure.partial, &token)),
        })
}

// A console echoing the token into agent fields, rules quoting it or a stored snapshot holding it
// must not plant it in the snapshot returned. The common case (no token anywhere) is a walk over the
// strings, not a serialisation of the whole snapshot.
fn redact_snapshot(snapshot: Snapshot, secret: &str) -> Snapshot {
    let leaks = |text: &str| spells(text, secret);
    let check_leaks = |c: &Check| {
        leaks(&c.message)
            || value_contains(&c.expected, secret)
            || value_contains(&c.actual, secret)
    };
    let any = snapshot.serials.iter().any(|(serial, entry)| {
        // Named field by field, so that a new text field does not compile until it is looked at here.
        let SerialEntry {
            agent_id,
            last_active_date,
            decommissioned: _,
            agents: _,
            other_agent_ids,
            failed,
        } = entry;
        leaks(serial)
            || agent_id.as_deref().is_some_and(leaks)
            || other_agent_ids.iter().any(|id| leaks(id))
            || last_active_date.as_deref().is_some_and(leaks)
            || failed.iter().any(check_leaks)
    }) || leaks(&snapshot.synced_at)
        || snapshot.resume_cursor.as_deref().is_some_and(leaks)
        || value_contains(&snapshot.rules, secret)
        || snapshot.filters.iter().any(|(k, v)| leaks(k) || leaks(v))
        || snapshot
            .summary
            .not_trusted_by_reason
            .iter()
            .any(|(k, _)| leaks(k));
    if !any {
        return snapshot;
    }
    // Rare path: through a JSON tree, every string scrubbed where it stands.
    let mut tree = crate::json::parse_value(&to_json_string(&snapshot)).unwrap_or_default();
    redact_value(&mut tree, secret);
    Snapshot::from_json(&tree).unwrap_or_default()
}

async fn evaluate_device_trust<T: Transport, R: Runtime>(
    client: &Client<'_, T, R>,
    connection: &Connection,
    input: &Value,
    now_ms: f64,
) -> Result<CapabilityOutput, ConnectorError> {
    let serial = serial::validate(lookup::input_field(input, "serialNumber")?)?;
    let rules = TrustRules::from_json(lookup::input_field(input, "rules")?)?;
    if serial::is_placeholder(serial) {
        return Ok(CapabilityOutput::Trust {
            evaluation: trust::placeholder_verdict(serial, &rules, now_ms),
            raw_response: None,
            raw_facts: RawFacts::default(),
        });
    }
    let lookup = lookup::lookup_serial(client, connection, serial).await?;
    Ok(CapabilityOutput::Trust {
        evaluation: trust::evaluate(serial, &lookup, &rules, now_ms),
        raw_response: Some(lookup.raw_response),
        raw_facts: lookup.raw_facts,
    })
}

impl CapabilityOutput {
    /// The same output with `secret` scrubbed from every text it carries.
    pub fn redacted(self, secret: &str) -> Self {
        match self {
            Self::Lookup(lookup) => Self::Lookup(lookup.redacted(secret)),
            Self::Trust {
                evaluation,
                raw_response,
                raw_facts,
            } => redact_trust(evaluation, raw_response, raw_facts, secret),
            Self::Sync(snapshot) => Self::Sync(Box::new(redact_snapshot(*snapshot, secret))),
            Self::Health(health) => Self::Health(redact_health(health, secret)),
        }
    }
}

// Each capability's redaction is its own function: wasm is compiled lazily, per function, and a
// lookup's first call need not compile the others'.
#[inline(never)]
fn redact_trust(
    evaluation: TrustEvaluation,
    raw_response: Option<String>,
    mut raw_facts: RawFacts,
    secret: &str,
) -> CapabilityOutput {
    // The evaluation's texts come from the same fields a lookup redacts, and from rules.
    let evaluation = if evaluation_mentions(&evaluation, secret) {
        redact_evaluation(evaluation, secret)
    } else {
        evaluation
    };
    let raw_response = raw_response.map(|raw| {
        let (raw, redacted) = redact_read_json_text(raw, secret, raw_facts.escape_free);
        raw_facts.as_received &= !redacted;
        raw
    });
    CapabilityOutput::Trust {
        evaluation,
        raw_response,
        raw_facts,
    }
}

#[inline(never)]
fn redact_health(mut health: HealthOutput, secret: &str) -> HealthOutput {
    if let Some(error) = &mut health.error {
        error.message = redact_owned(std::mem::take(&mut error.message), secret);
    }
    health.warnings = health
        .warnings
        .into_iter()
        .map(|w| redact_owned(w, secret))
        .collect();
    if let Some(at) = health.token_expires_at.take() {
        health.token_expires_at = Some(redact_owned(at, secret));
    }
    health
}

/// Whether `secret` occurs in any text of `evaluation`: a walk over its strings, no serialisation.
fn evaluation_mentions(evaluation: &TrustEvaluation, secret: &str) -> bool {
    let leaks = |text: &str| spells(text, secret);
    evaluation.lookup.texts().into_iter().flatten().any(leaks)
        || leaks(&evaluation.evaluated_at)
        || evaluation.checks.iter().any(|c| {
            leaks(&c.message)
                || value_contains(&c.expected, secret)
                || value_contains(&c.actual, secret)
        })
        || evaluation.reasons.iter().any(|r| {
            leaks(&r.message)
                || leaks(&r.remediation)
                || value_contains(&r.expected, secret)
                || value_contains(&r.actual, secret)
        })
}

// Rare path (a console echoing the token into agent fields, or rules quoting it): rebuild every
// text through the lookup's own redaction and scrub the checks' JSON values.
fn redact_evaluation(mut evaluation: TrustEvaluation, secret: &str) -> TrustEvaluation {
    let lookup = Lookup {
        output: evaluation.lookup,
        facts: None,
        raw_response: String::new(),
        raw_facts: RawFacts::default(),
    };
    evaluation.lookup = lookup.redacted(secret).output;
    let scrub = |text: &mut String| *text = redact_owned(std::mem::take(text), secret);
    for check in &mut evaluation.checks {
        redact_value(&mut check.expected, secret);
        redact_value(&mut check.actual, secret);
        scrub(&mut check.message);
    }
    for reason in &mut evaluation.reasons {
        redact_value(&mut reason.expected, secret);
        redact_value(&mut reason.actual, secret);
        scrub(&mut reason.message);
        scrub(&mut reason.remediation);
    }
    evaluation
}

// A capability name is echoed in the error; a hostile megabyte-long one is not.
fn clip(name: &str) -> String {
    name.chars().take(64).collect()
}
