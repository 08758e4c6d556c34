//! Test Connection: one least-privilege read and the token's expiry, every failure returned as data.

use crate::json::Reader;
use crate::json_writer::{JsonWriter, WriteJson};

use crate::client::Client;
use crate::connection::Connection;
use crate::error::ConnectorError;
use crate::lookup;
use crate::loose;
use crate::runtime::Runtime;
use crate::timestamp;
use crate::transport::{HttpRequest, Transport};
use crate::wire;

/// The token-details endpoint that reports a token's `expiresAt`.
pub const TOKEN_DETAILS_PATH: &str = "/web/api/v2.1/users/api-token-details";

/// A token expiring within this many days draws a warning.
pub const EXPIRY_WARNING_DAYS: f64 = 14.0;

/// An error reported inside a health check's output instead of being thrown.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthError {
    /// The stable error code.
    pub code: &'static str,
    /// What went wrong, without the token.
    pub message: String,
}

/// The output of Test Connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthOutput {
    /// Whether the console answered the agents read with success.
    pub ok: bool,
    /// The HTTP status of the agents read, when one came back.
    pub status_code: Option<u16>,
    /// How many agents the token sees, when known.
    pub agent_count: Option<u64>,
    /// How long the agents read took, retries included, in milliseconds.
    pub latency_ms: Option<u64>,
    /// When the token expires (ISO-8601), when the console says.
    pub token_expires_at: Option<String>,
    /// Things worth fixing that do not make the check fail.
    pub warnings: Vec<String>,
    /// Why the check failed, when it did.
    pub error: Option<HealthError>,
}

impl WriteJson for HealthError {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("code", self.code);
        out.field("message", &self.message);
        out.end_object();
    }
}

impl WriteJson for HealthOutput {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        out.field("ok", &self.ok);
        out.field("statusCode", &self.status_code);
        out.field("agentCount", &self.agent_count);
        out.field("latencyMs", &self.latency_ms);
        out.field("tokenExpiresAt", &self.token_expires_at);
        out.field("warnings", &self.warnings);
        out.field("error", &self.error);
        out.end_object();
    }
}

impl HealthOutput {
    /// The output of a check that failed before or during the agents read.
    pub fn failed(error: &ConnectorError, latency_ms: Option<u64>) -> Self {
        Self {
            ok: false,
            status_code: error.status(),
            latency_ms,
            error: Some(HealthError {
                code: error.code(),
                message: error.to_string(),
            }),
            ..Self::default()
        }
    }
}

/// Runs the check: `GET /agents?limit=1&countOnly=true`, then the token's expiry (tolerating failure).
pub async fn test_connection<T: Transport, R: Runtime>(
    client: &Client<'_, T, R>,
    connection: &Connection,
    now_ms: f64,
) -> HealthOutput {
    let runtime = client.runtime();
    let started = runtime.now_ms();
    let request = lookup::agents_get(connection, &[("limit", "1"), ("countOnly", "true")], None);
    let result = client.send(&request).await;
    let latency_ms = Some((runtime.now_ms() - started).max(0.0).round() as u64);
    let response = match result {
        Ok(response) => response,
        Err(error) => return HealthOutput::failed(&error, latency_ms),
    };
    let agent_count = match wire::parse_agents_page(&response.body) {
        Ok(page) => page.pagination.and_then(|p| loose::count(&p.0.total_items)),
        Err(e) => {
            let error =
                ConnectorError::malformed(response.status, "agents count", &e, &response.body);
            return HealthOutput::failed(&error, latency_ms);
        }
    };
    let mut output = HealthOutput {
        ok: true,
        status_code: Some(response.status),
        agent_count,
        latency_ms,
        ..HealthOutput::default()
    };
    if agent_count == Some(0) {
        output.warnings.push(
            "the token sees no agents: check the service user's scope and the siteIds/accountIds filters".into(),
        );
    }
    if connection.base_url().starts_with("http://") {
        output
            .warnings
            .push("baseUrl uses plain http://, which is only for local testing".into());
    }
    token_expiry(client, connection, now_ms, &mut output).await;
    output
}

async fn token_expiry<T: Transport, R: Runtime>(
    client: &Client<'_, T, R>,
    connection: &Connection,
    now_ms: f64,
    output: &mut HealthOutput,
) {
    let mut body = JsonWriter::default();
    body.begin_object();
    body.key("data");
    body.begin_object();
    body.field("apiToken", connection.api_token());
    body.end_object();
    body.end_object();
    let body = body.finish();
    let request = HttpRequest {
        method: "POST",
        url: connection.url(TOKEN_DETAILS_PATH, &[]),
        headers: vec![
            ("Authorization", connection.authorization()),
            ("Accept", "application/json".to_owned()),
            ("Content-Type", "application/json".to_owned()),
        ],
        body: Some(body),
    };
    let response = match client.send(&request).await {
        Ok(response) => response,
        Err(error) => {
            // The agents read with this token and base URL succeeded: a status here is about this
            // endpoint (a role without it, an older console), and the agents-read advice of the
            // error's own message ("may not read agents", "is baseUrl the root URL") would mislead.
            let why = match error.status() {
                Some(status) => format!("the console answered HTTP {}", u64::from(status)),
                None => error.to_string(),
            };
            output
                .warnings
                .push(format!("could not read the token's expiry: {why}"));
            return;
        }
    };
    let expires_at = expires_at_in(&response.body);
    let Some(expires_at) = expires_at else {
        output
            .warnings
            .push("the console did not report when the token expires".into());
        return;
    };
    match timestamp::parse_micros(&expires_at) {
        Some(micros) => {
            let days = (micros as f64 / 1000.0 - now_ms) / 86_400_000.0;
            if days < 0.0 {
                output
                    .warnings
                    .push(format!("the API token expired at {expires_at}"));
            } else if days <= EXPIRY_WARNING_DAYS {
                output.warnings.push(format!(
                    "the API token expires in {} days (at {expires_at}): regenerate it before then",
                    timestamp::one_decimal(days)
                ));
            }
        }
        None => output.warnings.push(format!(
            "the token's expiresAt {} is not a timestamp",
            crate::json_writer::quoted(&expires_at)
        )),
    }
    output.token_expires_at = Some(expires_at);
}

/// `data.expiresAt` of a token-details answer, as text.
fn expires_at_in(body: &str) -> Option<String> {
    let mut reader = Reader::new(body, wire::MAX_DEPTH);
    let mut expires_at = None;
    let read = reader.object(|r, key| {
        if &*key != "data" || r.null()? {
            return r.skip();
        }
        r.object(|r, key| match &*key {
            "expiresAt" => {
                expires_at = r.loose()?;
                Ok(())
            }
            _ => r.skip(),
        })
    });
    read.and_then(|()| reader.end()).ok()?;
    loose::text(&expires_at)
}
