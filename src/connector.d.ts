/** How the connector reaches a SentinelOne management console. */
export interface ConnectionProperties {
  /** Console root URL, e.g. "https://usea1-partners.sentinelone.net" (http:// only for localhost). */
  baseUrl: string;
  /** A service user's API token (Viewer role suffices). Never echoed in outputs or errors. */
  apiToken: string;
}

/** A request the connector asks the host to send. */
export interface ShimRequest {
  method: "GET" | "POST";
  /** Absolute URL, every query value percent-encoded. */
  url: string;
  /** Header names and values; includes `Authorization: ApiToken …`. Do not log it. */
  headers: Record<string, string>;
  /** Request body text, when there is one. */
  body?: string;
  /** Aborted when the connector stops waiting (deadline reached): pass it on to `fetch`. */
  signal?: AbortSignal;
}

/** What the host's fetch shim resolves with, for every HTTP status (4xx and 5xx included). */
export interface ShimResponse {
  /** The HTTP status code. */
  status: number;
  /** Response headers (a plain object, a Headers or a Map). */
  headers?: Record<string, string> | Headers | Map<string, string>;
  /** The response body as text. */
  body: string;
}

/**
 * The host fetch shim. It resolves for every HTTP status and rejects only when no response was
 * obtained (DNS, TLS, connection reset). The connector never opens a socket itself.
 */
export type FetchShim = (request: ShimRequest) => Promise<ShimResponse> | ShimResponse;

/** Per-call options. */
export interface CallOptions {
  /** The host fetch shim; without it, the platform's `fetch` is used. */
  fetch?: FetchShim;
  /** Deadline of the whole call, retries included, in ms (1 to 300000; default 10000). */
  timeoutMs?: number;
  /** Attempts per request (1 to 10; default 3). 429, 5xx and network failures are retried. */
  maxAttempts?: number;
}

/** Input of Get Agent by Serial Number. */
export interface GetAgentBySerialNumberInput {
  /** The full hardware serial number; exact match (surrounding whitespace ignored). */
  serialNumber: string;
}

/** Output of Get Agent by Serial Number (field names as the PingOne DaVinci connector documents them). */
export interface GetAgentBySerialNumberOutput {
  statusCode: number;
  agentFound: boolean;
  agentId: string | null;
  computerName: string | null;
  uuid: string | null;
  serialNumber: string | null;
  osType: "windows" | "windows_legacy" | "macos" | "linux" | (string & {}) | null;
  osName: string | null;
  agentVersion: string | null;
  isActive: boolean | null;
  isDecommissioned: boolean | null;
  lastActiveDate: string | null;
  siteId: string | null;
  accountId: string | null;
  groupId: string | null;
  networkStatus: "connected" | "disconnected" | "connecting" | "disconnecting" | (string & {}) | null;
  /** Agents whose serial contains the input (the API's substring count). */
  totalItems: number;
  /** Agents whose serial equals the input exactly. */
  matchCount: number;
  /** The unmodified JSON body of the API response the answer came from. */
  rawResponse: Record<string, unknown>;
}

/** Every stable error code. */
export type ConnectorErrorCode =
  | "INVALID_INPUT"
  | "INVALID_CONNECTION"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "RATE_LIMITED"
  | "UPSTREAM_UNAVAILABLE"
  | "UPSTREAM_ERROR"
  | "TIMEOUT"
  | "NETWORK"
  | "SHIM_CONTRACT"
  | "MALFORMED_RESPONSE"
  | "RESPONSE_TOO_LARGE"
  | "UNKNOWN_CAPABILITY";

/** What every failed call rejects with: a real Error with these extra properties. */
export interface ConnectorError extends Error {
  name: "SentinelOneConnectorError";
  code: ConnectorErrorCode;
  /** Whether the same call may succeed if tried again later. */
  retryable: boolean;
  /** Upstream HTTP status, or null when no response caused the error. */
  status: number | null;
  retryAfterMs: number | null;
  /** SentinelOne's error code from the body (e.g. 4010010), when it had one. */
  upstreamCode: number | null;
  upstreamTitle: string | null;
  upstreamDetail: string | null;
}

/** A JSON Schema (draft 2020-12) document. */
export type JsonSchema = Record<string, unknown>;

/** Maps each capability name to its input and output types. */
export interface Capabilities {
  getAgentBySerialNumber: { input: GetAgentBySerialNumberInput; output: GetAgentBySerialNumberOutput };
}

/** A capability name. */
export type CapabilityName = keyof Capabilities;

/** The connector manifest: identity, connection properties and every capability's schemas. */
export interface Manifest {
  id: string;
  name: string;
  description: string;
  version: string;
  manifestVersion: number;
  connectionProperties: JsonSchema;
  capabilities: Record<CapabilityName, { title: string; description: string; inputSchema: JsonSchema; outputSchema: JsonSchema }>;
  errorSchema: JsonSchema;
}

/** The connector manifest with every schema resolved into it. */
export function manifest(): Manifest;
/** The input JSON Schema of a capability. */
export function inputSchema(capability: CapabilityName): JsonSchema;
/** The output JSON Schema of a capability. */
export function outputSchema(capability: CapabilityName): JsonSchema;
/** Looks up the SentinelOne agent whose serial number equals `input.serialNumber` exactly. */
export function getAgentBySerialNumber(
  connection: ConnectionProperties,
  input: GetAgentBySerialNumberInput,
  options?: CallOptions,
): Promise<GetAgentBySerialNumberOutput>;
/** Runs a capability by name, as a flow engine calls it. Unknown names reject with UNKNOWN_CAPABILITY. */
export function invoke<C extends CapabilityName>(
  capability: C,
  request: { connection: ConnectionProperties; input: Capabilities[C]["input"] },
  options?: CallOptions,
): Promise<Capabilities[C]["output"]>;
