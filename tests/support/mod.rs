//! Test support: a fake transport that asserts each outgoing request, and schema checks.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::sync::OnceLock;

use sentinelone_connector::capability::{self, Capability, CapabilityOutput};
use sentinelone_connector::connection::ConnectionProperties;
use sentinelone_connector::error::ConnectorError;
use sentinelone_connector::json_writer::{to_json_string, WriteJson};
use sentinelone_connector::options::CallOptions;
use sentinelone_connector::output::Lookup;
use sentinelone_connector::runtime::Runtime;
use sentinelone_connector::stored::SyncInput;
use sentinelone_connector::sync::{self, SerialEntry, Snapshot};
use sentinelone_connector::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// The token every test uses; `assert_no_secret` scans for it.
pub const TOKEN: &str = "test-api-token-4f9c2a7e1b3d5f60";
pub const BASE: &str = "https://usea1-partners.sentinelone.net";

/// A virtual clock: sleeping advances it instantly, so deadlines and backoff are exact and fast.
pub struct FakeRuntime {
    pub now: Cell<f64>,
    pub sleeps: RefCell<Vec<u64>>,
    pub random: f64,
}

impl Default for FakeRuntime {
    fn default() -> Self {
        Self {
            now: Cell::new(1_700_000_000_000.0),
            sleeps: RefCell::default(),
            random: 0.5,
        }
    }
}

impl Runtime for FakeRuntime {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
    async fn sleep(&self, ms: u64) {
        self.sleeps.borrow_mut().push(ms);
        self.now.set(self.now.get() + ms as f64);
    }
    fn random(&self) -> f64 {
        self.random
    }
}

/// An answer that never comes: the transport stays pending forever.
pub fn hang() -> Result<HttpResponse, TransportError> {
    Err(TransportError::Network(HANG.to_owned()))
}
const HANG: &str = "\u{0}hang";

/// One expected exchange: the exact request the connector must send, and what the fake answers.
pub struct Exchange {
    pub url: String,
    pub answer: Result<HttpResponse, TransportError>,
}

/// A transport that checks each request against the next expected one, exactly.
#[derive(Default)]
pub struct FakeTransport {
    script: RefCell<VecDeque<Exchange>>,
    pub sent: RefCell<Vec<HttpRequest>>,
}

impl FakeTransport {
    pub fn new(script: Vec<Exchange>) -> Self {
        Self {
            script: RefCell::new(script.into()),
            sent: RefCell::default(),
        }
    }

    pub fn assert_all_used(&self) {
        assert!(
            self.script.borrow().is_empty(),
            "expected requests were not sent"
        );
    }
}

impl Transport for FakeTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let next = self
            .script
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected extra request: {request:?}"));
        assert_eq!(request.url, next.url);
        if request
            .url
            .ends_with("/web/api/v2.1/users/api-token-details")
        {
            // The one POST: the token-details read of testConnection.
            assert_eq!(request.method, "POST");
            assert_eq!(
                request.headers,
                vec![
                    ("Authorization", format!("ApiToken {TOKEN}")),
                    ("Accept", "application/json".to_owned()),
                    ("Content-Type", "application/json".to_owned()),
                ]
            );
            let body: serde_json::Value =
                serde_json::from_str(request.body.as_deref().expect("body")).expect("JSON body");
            assert_eq!(body, serde_json::json!({ "data": { "apiToken": TOKEN } }));
        } else {
            assert_eq!(request.method, "GET");
            assert_eq!(
                request.headers,
                vec![
                    ("Authorization", format!("ApiToken {TOKEN}")),
                    ("Accept", "application/json".to_owned()),
                ]
            );
            assert_eq!(request.body, None);
        }
        self.sent.borrow_mut().push(request);
        if matches!(&next.answer, Err(TransportError::Network(m)) if m == HANG) {
            std::future::pending::<()>().await;
        }
        next.answer
    }
}

/// The URL of the first lookup request for an already percent-encoded serial.
pub fn agents_url(encoded_serial: &str) -> String {
    format!("{BASE}/web/api/v2.1/agents?serialNumber__contains={encoded_serial}&limit=1000")
}

pub fn ok(body: impl Into<String>) -> Result<HttpResponse, TransportError> {
    status(200, body)
}

pub fn status(code: u16, body: impl Into<String>) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status: code,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    })
}

/// A page body from agent objects, with pagination.
pub fn page(agents: &[serde_json::Value], total: u64, next: Option<&str>) -> String {
    serde_json::json!({ "data": agents, "pagination": { "totalItems": total, "nextCursor": next } })
        .to_string()
}

/// Runs any capability through `invoke` with the connection and input as JSON, and nothing checked.
pub fn invoke_output(
    transport: &FakeTransport,
    runtime: &FakeRuntime,
    capability: Capability,
    connection: &serde_json::Value,
    input: &serde_json::Value,
    options: CallOptions,
) -> Result<CapabilityOutput, ConnectorError> {
    let connection =
        ConnectionProperties::from_json(tree(connection)).expect("a connection object");
    pollster::block_on(capability::invoke(
        transport,
        runtime,
        capability,
        &connection,
        &tree(input),
        options,
    ))
}

/// Runs any capability through `invoke` as a host would; the output is validated against its schema
/// and scanned for the token, as JSON with `rawResponse`.
pub fn invoke_json(
    transport: &FakeTransport,
    runtime: &FakeRuntime,
    capability: Capability,
    connection: serde_json::Value,
    input: serde_json::Value,
    options: CallOptions,
) -> Result<serde_json::Value, ConnectorError> {
    let result = invoke_output(transport, runtime, capability, &connection, &input, options);
    let json = match result {
        Ok(CapabilityOutput::Lookup(lookup)) => lookup_json(&lookup),
        Ok(CapabilityOutput::Trust {
            evaluation,
            raw_response,
            ..
        }) => {
            let mut json = json_of(&evaluation);
            json["rawResponse"] = raw_response
                .map(|r| serde_json::from_str(&r).expect("raw JSON"))
                .unwrap_or(serde_json::Value::Null);
            json
        }
        Ok(CapabilityOutput::Health(health)) => json_of(&health),
        Ok(CapabilityOutput::Sync(snapshot)) => json_of(&*snapshot),
        Ok(other) => panic!("unexpected output {other:?}"),
        Err(error) => {
            assert_no_secret(&format!("{error} {error:?}"));
            return Err(error);
        }
    };
    assert_valid(&format!("{}.output.schema.json", capability.name()), &json);
    assert_no_secret(&json.to_string());
    Ok(json)
}

/// The connection every test uses, as JSON.
pub fn connection_json() -> serde_json::Value {
    serde_json::json!({ "baseUrl": BASE, "apiToken": TOKEN })
}

/// Runs getAgentBySerialNumber through `invoke` as a host would, checking the output and the secret.
pub fn run(transport: &FakeTransport, input: serde_json::Value) -> Result<Lookup, ConnectorError> {
    run_with(
        transport,
        &FakeRuntime::default(),
        CallOptions::default(),
        input,
    )
}

/// Like [`run`] with a single attempt: what one response or failure maps to, without retries.
pub fn run_once(
    transport: &FakeTransport,
    input: serde_json::Value,
) -> Result<Lookup, ConnectorError> {
    let options = CallOptions {
        max_attempts: 1,
        ..CallOptions::default()
    };
    run_with(transport, &FakeRuntime::default(), options, input)
}

/// Like [`run`], with a given runtime and options.
pub fn run_with(
    transport: &FakeTransport,
    runtime: &FakeRuntime,
    options: CallOptions,
    input: serde_json::Value,
) -> Result<Lookup, ConnectorError> {
    let result = invoke_output(
        transport,
        runtime,
        Capability::GetAgentBySerialNumber,
        &connection_json(),
        &input,
        options,
    );
    match result {
        Ok(CapabilityOutput::Lookup(lookup)) => {
            let json = lookup_json(&lookup);
            assert_valid("getAgentBySerialNumber.output.schema.json", &json);
            assert_no_secret(&json.to_string());
            Ok(lookup)
        }
        Ok(other) => panic!("getAgentBySerialNumber returned {other:?}"),
        Err(error) => {
            assert_no_secret(&format!("{error} {error:?}"));
            Err(error)
        }
    }
}

/// Looks up `serial` with the fake answering one page `body`.
pub fn lookup_one(serial_encoded: &str, serial: &str, body: &str) -> Lookup {
    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url(serial_encoded),
        answer: ok(body),
    }]);
    let lookup = run(&transport, serde_json::json!({ "serialNumber": serial })).expect("lookup");
    transport.assert_all_used();
    lookup
}

pub fn assert_no_secret(text: &str) {
    assert!(!text.contains(TOKEN), "the API token leaked into: {text}");
}

/// Validates `instance` against a schema, named by its file in `schema/` (e.g.
/// `evaluateDeviceTrust.output.schema.json`), taken from the resolved manifest the module embeds.
pub fn assert_valid(schema_file: &str, instance: &serde_json::Value) {
    static VALIDATORS: OnceLock<Vec<(String, jsonschema::Validator)>> = OnceLock::new();
    let validators = VALIDATORS.get_or_init(|| {
        let manifest: serde_json::Value =
            serde_json::from_str(sentinelone_connector::schema::MANIFEST_JSON).expect("manifest");
        let mut schemas = vec![
            (
                "error.schema.json".to_owned(),
                manifest["errorSchema"].clone(),
            ),
            (
                "connection.schema.json".to_owned(),
                manifest["connectionProperties"].clone(),
            ),
            (
                "trustRules.schema.json".to_owned(),
                manifest["trustRulesSchema"].clone(),
            ),
        ];
        for (name, capability) in manifest["capabilities"].as_object().expect("capabilities") {
            schemas.push((
                format!("{name}.input.schema.json"),
                capability["inputSchema"].clone(),
            ));
            schemas.push((
                format!("{name}.output.schema.json"),
                capability["outputSchema"].clone(),
            ));
        }
        schemas
            .into_iter()
            .map(|(name, schema)| {
                let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
                (name, validator)
            })
            .collect()
    });
    let (_, validator) = validators
        .iter()
        .find(|(name, _)| name == schema_file)
        .unwrap_or_else(|| panic!("no schema {schema_file}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_file}: {errors:#?}\n{instance:#}"
    );
}

/// A value's JSON as the connector writes it for a host, parsed back.
pub fn json_of<T: WriteJson + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::from_str(&to_json_string(value)).expect("the written JSON parses")
}

/// `value` as the connector's own JSON tree, as a host's input reaches the core.
pub fn tree(value: &serde_json::Value) -> sentinelone_connector::value::Value {
    sentinelone_connector::json::parse_value(&value.to_string()).expect("serde_json writes JSON")
}

/// A lookup's whole output, `rawResponse` included, parsed back.
pub fn lookup_json(lookup: &Lookup) -> serde_json::Value {
    serde_json::from_str(&lookup.to_json_text()).expect("the written JSON parses")
}

/// One serial whose entry holds `mib` MiB of other agents' ids as JSON writes them (as a hostile
/// console could make it): control characters, six bytes each once written, so a sixth is stored.
pub fn fat_serial(mib: usize) -> BTreeMap<String, SerialEntry> {
    let entry = SerialEntry {
        agent_id: Some("1".into()),
        agents: 1 + mib as u32,
        other_agent_ids: (0..mib)
            .map(|i| format!("{i}{}", "\u{1}".repeat((1 << 20) / 6 + 1)))
            .collect(),
        ..SerialEntry::default()
    };
    BTreeMap::from([("FAT0001".to_owned(), entry)])
}

/// The input of an incremental sync from a complete snapshot of `serials` synced at 18:30:00Z on
/// 2024-05-15 (its pages then ask for agents updated since 18:25, five minutes of clock skew earlier).
pub fn incremental_input(serials: BTreeMap<String, SerialEntry>) -> SyncInput {
    let previous = Snapshot {
        version: sync::SNAPSHOT_VERSION,
        synced_at: "2024-05-15T18:30:00.000Z".into(),
        complete: true,
        serials,
        ..Snapshot::default()
    };
    SyncInput {
        rest: tree(&serde_json::json!({})),
        resume_from: Ok(None),
        previous: Ok(Some(previous)),
    }
}
