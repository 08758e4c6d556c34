//! The capabilities a flow can call by name, and the generic entry that dispatches to them.

use crate::client::Client;
use crate::connection::{Connection, ConnectionProperties};
use crate::error::ConnectorError;
use crate::lookup;
use crate::options::CallOptions;
use crate::output::Lookup;
use crate::runtime::Runtime;
use crate::transport::Transport;

/// Every capability the connector offers; the names are the manifest's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Capability {
    /// `getAgentBySerialNumber`: look up the agent with exactly this serial number.
    GetAgentBySerialNumber,
}

impl Capability {
    /// Every capability, in manifest order.
    pub const ALL: &'static [Capability] = &[Capability::GetAgentBySerialNumber];

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
        }
    }
}

/// What any capability returns.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CapabilityOutput {
    /// The output of Get Agent by Serial Number.
    Lookup(Lookup),
}

/// Runs `capability` with raw connection properties and input, as a flow engine calls it.
pub async fn invoke<T: Transport, R: Runtime>(
    transport: &T,
    runtime: &R,
    capability: Capability,
    connection: &ConnectionProperties,
    input: &serde_json::Value,
    options: CallOptions,
) -> Result<CapabilityOutput, ConnectorError> {
    let connection = Connection::from_properties(connection)?;
    let token = connection.api_token();
    let client = Client::new(transport, runtime, options);
    let result = match capability {
        Capability::GetAgentBySerialNumber => {
            lookup::get_agent_by_serial_number(&client, &connection, input)
                .await
                .map(|l| CapabilityOutput::Lookup(l.redacted(token)))
        }
    };
    result.map_err(|e| e.redacted(token))
}

// A capability name is echoed in the error; a hostile megabyte-long one is not.
fn clip(name: &str) -> String {
    name.chars().take(64).collect()
}
