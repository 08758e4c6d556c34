/** How the connector reaches a SentinelOne management console. */
export interface ConnectionProperties {
  /** Console root URL, e.g. "https://usea1-partners.sentinelone.net" (http:// only for localhost). */
  baseUrl: string;
  /** A service user's API token (Viewer role suffices). Never echoed in outputs or errors. */
  apiToken: string;
  /** Optional: limit every query to these site ids (array or comma-separated string). */
  siteIds?: string[] | string | null;
  /** Optional: limit every query to these account ids (array or comma-separated string). */
  accountIds?: string[] | string | null;
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
  /**
   * `"manual"` on every request the connector makes: follow no redirect (a fetch given this request as
   * its init does not). Optional in the type only, so that a host's tests may build requests without it.
   */
  redirect?: "manual";
  /** Aborted when the connector stops waiting (deadline reached): pass it on to `fetch`. */
  signal?: AbortSignal;
}

/** What the host's fetch shim resolves with, for every HTTP status (4xx and 5xx included). */
export interface ShimResponse {
  /** The HTTP status code. */
  status: number;
  /** Response headers (a plain object, a Headers or a Map). */
  headers?: Record<string, string> | Headers | Map<string, string>;
  /**
   * The response body: its text, or its UTF-8 bytes as `await response.arrayBuffer()` gives them
   * (a Uint8Array, a Node Buffer or an ArrayBuffer), which the connector copies into wasm memory as
   * they are, with no decoding to a string and back.
   */
  body: string | Uint8Array | ArrayBuffer;
}

/**
 * The host fetch shim. It resolves for every HTTP status and rejects only when no response was
 * obtained (DNS, TLS, connection reset); it may resolve with the `Response` its `fetch` gave it, whose
 * body the connector reads (`(request) => fetch(request.url, request)`). It follows no redirect
 * (`redirect: 'manual'`): the agents API never redirects, and the connector reports a 3xx with where
 * it pointed. The connector never opens a socket itself.
 */
export type FetchShim = (request: ShimRequest) => Promise<ShimResponse | Response> | ShimResponse | Response;

/** Per-call options. */
export interface CallOptions {
  /** The host fetch shim; without it (or given the platform's own `fetch`), the platform's `fetch` is used. */
  fetch?: FetchShim;
  /** Deadline of the whole call, retries included, in ms (1 to 300000; default 10000). */
  timeoutMs?: number;
  /** Attempts per request (1 to 10; default 3). 429, 5xx and network failures are retried. */
  maxAttempts?: number;
  /** The time trust rules are judged at (ms since the epoch, a Date or ISO-8601); default: the host clock. */
  now?: number | string | Date;
  /** Aborts the call: it rejects with ABORTED (a sync with its resumable `partial`), its fetch aborted too. */
  signal?: AbortSignal;
  /**
   * The hosts the token may be sent to, the host application's policy: names or IP addresses matched
   * whole (any case), or `*.` and a domain for every host under it, e.g. `["*.sentinelone.net"]`. A
   * request to any other host is not sent: INVALID_CONNECTION. Absent or null: any host.
   */
  allowedHosts?: string[] | null;
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

/** A trust rule's stable id. */
export type TrustRuleId =
  | "placeholderSerial" | "agentFound" | "uniqueSerial" | "decommissioned" | "uninstalled" | "isActive"
  | "lastActive" | "infected" | "activeThreats" | "threatReboot" | "operationalState" | "networkStatus"
  | "osType" | "agentVersion" | "snapshot";

/**
 * Overrides of the default trust rules (every field optional; unknown keys are refused). Allow-list
 * values are written as SentinelOne reports them, in lower case without spaces ("Windows" is refused).
 */
export interface TrustRules {
  /** Longest time since lastActiveDate, in minutes (default 60). */
  maxInactiveMinutes?: number;
  /** Network statuses that may pass; null or absent means any. */
  allowedNetworkStatuses?: string[] | null;
  /** Most active threats that may pass (default 0). */
  maxActiveThreats?: number;
  /** Operational states that may pass (default ["na"]). */
  allowedOperationalStates?: string[];
  /** OS types that may pass; null or absent means any (Twingate/Cloudflare: ["macos", "windows"]). */
  allowedOsTypes?: string[] | null;
  /** Lowest agent version that may pass, dotted numbers compared numerically. */
  minAgentVersion?: string | null;
  /** Whether a serial shared by several agents may pass, judging the preferred agent (default false). */
  allowAmbiguous?: boolean;
  /** Text to show per failed rule, replacing the defaults. */
  remediation?: Partial<Record<TrustRuleId, string>>;
}

/** Input of Evaluate Device Trust. */
export interface EvaluateDeviceTrustInput {
  serialNumber: string;
  rules?: TrustRules;
}

/** One rule as evaluated. */
export interface TrustCheck {
  rule: TrustRuleId;
  passed: boolean;
  expected: unknown;
  actual: unknown;
  message: string;
}

/** A failed rule and what to do about it. */
export interface TrustReason {
  rule: TrustRuleId;
  expected: unknown;
  actual: unknown;
  message: string;
  remediation: string;
}

/** Output of Evaluate Device Trust: the lookup's fields, then the verdict. */
export interface EvaluateDeviceTrustOutput extends Omit<GetAgentBySerialNumberOutput, "statusCode" | "rawResponse"> {
  /** Null only when no request was made (placeholder serial). */
  statusCode: number | null;
  rawResponse: Record<string, unknown> | null;
  trusted: boolean;
  reasons: TrustReason[];
  checks: TrustCheck[];
  evaluatedAt: string;
}

/** Output of Test Connection; failures are returned in `error`, never thrown. */
export interface TestConnectionOutput {
  ok: boolean;
  statusCode: number | null;
  agentCount: number | null;
  latencyMs: number | null;
  tokenExpiresAt: string | null;
  warnings: string[];
  error: { code: ConnectorErrorCode; message: string } | null;
}

/** Input of Sync Agents (every field optional). */
export interface SyncAgentsInput {
  rules?: TrustRules;
  /** Only these OS types (API filter osTypes). */
  osTypes?: string[];
  /** Only agents updated after this ISO time (API filter updatedAt__gt). */
  updatedSince?: string;
  /** A complete earlier snapshot: read only agents updated since its syncedAt (incremental sync). */
  previous?: SyncSnapshot | null;
  /** The partial snapshot of a failed sync (`error.partial`): continue from its resumeCursor. */
  resumeFrom?: SyncSnapshot | null;
}

/** One serial in a snapshot. */
export interface SnapshotEntry {
  agentId: string | null;
  lastActiveDate: string | null;
  decommissioned: boolean | null;
  /** How many agents have this serial. */
  agents: number;
  /** The other agents' ids, only when several share the serial (an incremental sync counts each once). */
  otherAgentIds?: string[];
  /** Rules failed at sync time (lastActive and uniqueSerial are judged at check time). */
  failed: TrustCheck[];
}

/** The output of Sync Agents: plain JSON to store anywhere and hand back to checkSerial. */
export interface SyncSnapshot {
  version: 1;
  syncedAt: string;
  complete: boolean;
  resumeCursor: string | null;
  rules: TrustRules | null;
  /** The API filters the sync used (osTypes comma-separated; updatedAt__gt ISO-8601). */
  filters: { osTypes?: string; updatedAt__gt?: string };
  serials: Record<string, SnapshotEntry>;
  /** Counts over the sync. */
  summary: {
    /** Agents read, on every page (a resumed sync adds its partial's). */
    agentsSeen: number;
    /** Distinct usable serials in the snapshot. */
    serials: number;
    /** Serials trusted at syncedAt. */
    trusted: number;
    /** Serials not trusted at syncedAt, by failed rule id. */
    notTrustedByReason: Partial<Record<TrustRuleId, number>>;
    /** Agents read with no serial. */
    nullSerials: number;
    /** Agents read with a firmware placeholder serial, never an identity. */
    placeholderSerials: number;
    /** Serials several agents share. */
    duplicatedSerials: number;
    /** Pages read. */
    pages: number;
    /** Requests sent, retries included; the floor is one per page. */
    requests: number;
    /** How long the sync took, in milliseconds. */
    durationMs: number;
    /** The console's totalItems as last reported; null if it gave none. */
    totalItems: number | null;
  };
}

/** Progress of a sync, after each page. */
export interface SyncProgress {
  page: number;
  agentsSeen: number;
  totalItems: number | null;
}

/** Options of Sync Agents (default timeoutMs: 300000). */
export interface SyncOptions extends CallOptions {
  onProgress?: (progress: SyncProgress) => void;
}

/** Options of checkSerial. */
export interface CheckSerialOptions {
  /** The time of the check (ms, Date or ISO); default: the host clock. */
  now?: number | string | Date;
  /** A snapshot older than this answers not trusted (rule "snapshot"); default 60. */
  maxSnapshotAgeMinutes?: number;
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
  | "UNKNOWN_CAPABILITY"
  | "ABORTED";

/** What every failed call rejects with: a real Error with these extra properties. */
export interface ConnectorError extends Error {
  name: "SentinelOneConnectorError";
  code: ConnectorErrorCode;
  /** Whether the same call may succeed if tried again later. */
  retryable: boolean;
  /** Upstream HTTP status, or null when there is none to read (no response, or a redirect a browser hid). */
  status: number | null;
  retryAfterMs: number | null;
  /** SentinelOne's error code from the body (e.g. 4010010), when it had one. */
  upstreamCode: number | null;
  upstreamTitle: string | null;
  upstreamDetail: string | null;
  /** syncAgents only: the snapshot so far, to resume from. */
  partial?: SyncSnapshot;
}

/** A JSON Schema (draft 2020-12) document. */
export type JsonSchema = Record<string, unknown>;

/** Maps each capability name to its input and output types. */
export interface Capabilities {
  getAgentBySerialNumber: { input: GetAgentBySerialNumberInput; output: GetAgentBySerialNumberOutput };
  evaluateDeviceTrust: { input: EvaluateDeviceTrustInput; output: EvaluateDeviceTrustOutput };
  testConnection: { input: Record<string, never>; output: TestConnectionOutput };
  syncAgents: { input: SyncAgentsInput; output: SyncSnapshot };
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
  trustRulesSchema: JsonSchema;
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
/** Looks the device up and judges it against the trust rules; connection and upstream failures reject. */
export function evaluateDeviceTrust(
  connection: ConnectionProperties,
  input: EvaluateDeviceTrustInput,
  options?: CallOptions,
): Promise<EvaluateDeviceTrustOutput>;
/** Checks the base URL and token; never rejects for upstream or configuration failures. */
export function testConnection(
  connection: ConnectionProperties,
  input?: Record<string, never>,
  options?: CallOptions,
): Promise<TestConnectionOutput>;
/**
 * Judges every agent of the tenant in one paged pass into a snapshot keyed by serial. On failure it
 * rejects with a ConnectorError whose `partial` is the snapshot so far (pass it as input.resumeFrom).
 */
export function syncAgents(
  connection: ConnectionProperties,
  input?: SyncAgentsInput,
  options?: SyncOptions,
): Promise<SyncSnapshot>;
/** The sign-in-time answer from a snapshot, with no network: the Evaluate Device Trust shape. */
export function checkSerial(
  snapshot: SyncSnapshot,
  serialNumber: string,
  options?: CheckSerialOptions,
): EvaluateDeviceTrustOutput;
/** Runs a capability by name, as a flow engine calls it. Unknown names reject with UNKNOWN_CAPABILITY. */
export function invoke<C extends CapabilityName>(
  capability: C,
  request: { connection: ConnectionProperties; input: Capabilities[C]["input"] },
  options?: CallOptions,
): Promise<Capabilities[C]["output"]>;
