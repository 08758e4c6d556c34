//! The capabilities a flow can call by name, and the generic entry that dispatches to them.

use crate::connection::{Connection, ConnectionProperties};
use crate::error::ConnectorError;
use crate::lookup;
use crate::output::Lookup;
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
pub async fn invoke<T: Transport>(
    transport: &T,
    capability: Capability,
    connection: &ConnectionProperties,
    input: &serde_json::Value,
) -> Result<CapabilityOutput, ConnectorError> {
    let connection = Connection::from_properties(connection)?;
    let token = connection.api_token();
    let result = match capability {
        Capability::GetAgentBySerialNumber => {
            lookup::get_agent_by_serial_number(transport, &connection, input)
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
