// The pure-JS reference a host developer would write instead of the connector: the same request, exact
// match, duplicate choice, lenient field mapping and rawResponse; and the same default trust rules.
const bool = (v) => (v === true || v === false ? v : typeof v === 'string' && /^(true|1)$/i.test(v.trim()) ? true : typeof v === 'string' && /^(false|0)$/i.test(v.trim()) ? false : v === 1 ? true : v === 0 ? false : null);
const text = (v) => (v === null || v === undefined || typeof v === 'object' ? null : String(v));
const count = (v) => { const n = typeof v === 'string' ? (/^\+?\d+$/.test(v.trim()) ? Number(v.trim()) : null) : v; return Number.isInteger(n) && n >= 0 ? n : null; };
const time = (v) => { if (typeof v !== 'string') return null; const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`); return Number.isNaN(t) ? null : t; };
/** The lenient readers, for tests that judge agents independently of the connector. */
export const lenient = { bool, text, count, time };
// Agent ids are decimal numbers as text: the lowest is the shorter, then the smaller; none goes last.
const byId = (a, b) => { const [x, y] = [text(a) ?? '', text(b) ?? '']; return (x === '') - (y === '') || x.length - y.length || (x < y ? -1 : x > y ? 1 : 0); };
// Reported within the last hour, and not more than five minutes ahead (a clock that far ahead is wrong).
const recent = (last, now) => last !== null && (now - last) / 60000 <= 60 && (last - now) / 60000 <= 5;

export async function jsGetAgentBySerialNumber(connection, { serialNumber }, { fetch }) {
  const serial = serialNumber.trim();
  const url = `${connection.baseUrl}/web/api/v2.1/agents?serialNumber__contains=${encodeURIComponent(serial)}&limit=1000`;
  const response = await fetch({ method: 'GET', url, headers: { Authorization: `ApiToken ${connection.apiToken}`, Accept: 'application/json' } });
  if (response.status < 200 || response.status > 299) throw Object.assign(new Error(`HTTP ${response.status}`), { code: 'UPSTREAM_ERROR' });
  const raw = JSON.parse(response.body);
  const matches = raw.data.filter((a) => a.serialNumber !== null && a.serialNumber !== undefined && String(a.serialNumber).trim() === serial);
  return lookupOutput(response.status, raw, matches, raw);
}

/** The output of a lookup from its exact matches: the preferred agent (live, then latest, then lowest id) mapped. */
function lookupOutput(status, raw, matches, rawResponse) {
  matches.sort((a, b) => {
    const rank = (x) => (bool(x.isDecommissioned) === false ? 0 : bool(x.isDecommissioned) === null ? 1 : 2);
    return rank(a) - rank(b) || (time(b.lastActiveDate) ?? -Infinity) - (time(a.lastActiveDate) ?? -Infinity) || byId(a.id, b.id);
  });
  const a = matches[0];
  return {
    statusCode: status,
    agentFound: a !== undefined,
    agentId: text(a?.id), computerName: text(a?.computerName), uuid: text(a?.uuid),
    serialNumber: a ? String(a.serialNumber).trim() : null, osType: text(a?.osType), osName: text(a?.osName),
    agentVersion: text(a?.agentVersion), isActive: a ? bool(a.isActive) : null, isDecommissioned: a ? bool(a.isDecommissioned) : null,
    lastActiveDate: text(a?.lastActiveDate), siteId: text(a?.siteId), accountId: text(a?.accountId), groupId: text(a?.groupId),
    networkStatus: text(a?.networkStatus), totalItems: count(raw.pagination?.totalItems) ?? raw.data.length,
    matchCount: matches.length, rawResponse,
    agent: a,
  };
}

/** The default rules on one agent object, as a reference for the trust benchmark. */
export function jsTrust(agent, now) {
  const reasons = [];
  const fail = (rule, ok) => { if (!ok) reasons.push(rule); };
  fail('decommissioned', bool(agent.isDecommissioned) === false);
  fail('uninstalled', bool(agent.isUninstalled) === false && bool(agent.isPendingUninstall) === false);
  fail('isActive', bool(agent.isActive) === true);
  fail('lastActive', recent(time(agent.lastActiveDate), now));
  fail('infected', bool(agent.infected) === false);
  fail('activeThreats', count(agent.activeThreats) === 0);
  fail('threatReboot', bool(agent.threatRebootRequired) === false);
  fail('operationalState', text(agent.operationalState) === 'na');
  return { trusted: reasons.length === 0, reasons };
}

export async function jsEvaluateDeviceTrust(connection, input, options) {
  const lookup = await jsGetAgentBySerialNumber(connection, input, options);
  const now = options.now ?? Date.now();
  // Every rule is judged on the preferred agent, a shared serial failing uniqueSerial besides.
  const verdict = lookup.agentFound ? jsTrust(lookup.agent, now) : { trusted: false, reasons: ['agentFound'] };
  if (lookup.matchCount > 1) verdict.reasons.unshift('uniqueSerial');
  return { ...lookup, trusted: verdict.reasons.length === 0, reasons: verdict.reasons, evaluatedAt: new Date(now).toISOString() };
}

// The same lookup with the guarantees the connector gives, as a careful host developer would add them
// in JS: arguments validated, a deadline over the whole call (timer and AbortSignal), retries for
// 429/5xx/network with backoff, statuses mapped to codes, the token kept out of rawResponse. Not the
// connector's every rule (escaped spellings of the token, Latin-1 bodies, depth limits), so a floor for
// what such guarantees cost in JS, not their equal.
const PLACEHOLDERS = new Set(['to be filled by o.e.m.', 'to be filled by oem', 'default string', 'system serial number',
  'chassis serial number', 'base board serial number', 'baseboard serial number', 'serial number', 'serialnumber',
  'not specified', 'not applicable', 'not available', 'none', 'n/a', 'na', 'null', 'unknown', 'invalid', 'default', 'oem',
  '0', '0123456789', '123456789', '1234567890', '12345678', '00000000', '31415926', 'xxxxxxxxxx']);
const coded = (code, message, extra) => Object.assign(new Error(message), { name: 'SentinelOneConnectorError', code, ...extra });
const isLoopback = (host) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

export async function jsGuardedGetAgentBySerialNumber(connection, input, options = {}) {
  if (connection === null || typeof connection !== 'object') throw coded('INVALID_CONNECTION', 'connection must be an object');
  const { baseUrl, apiToken } = connection;
  if (typeof baseUrl !== 'string' || typeof apiToken !== 'string') throw coded('INVALID_CONNECTION', 'baseUrl and apiToken are required strings');
  let base;
  try {
    base = new URL(baseUrl.trim());
  } catch {
    throw coded('INVALID_CONNECTION', 'baseUrl must be an absolute URL');
  }
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopback(base.hostname))) throw coded('INVALID_CONNECTION', 'baseUrl must use https://');
  if (base.username || base.password || base.search || base.hash) throw coded('INVALID_CONNECTION', 'baseUrl has credentials, a query or a fragment');
  const token = apiToken.trim();
  if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token) || /["\\]/.test(token)) throw coded('INVALID_CONNECTION', 'apiToken is not a SentinelOne API token');
  const serial = typeof input?.serialNumber === 'string' ? input.serialNumber.trim() : null;
  if (serial === null || serial.length < 2 || serial.length > 128 || /[\x00-\x1f\x7f]/.test(serial) || PLACEHOLDERS.has(serial.toLowerCase())) {
    throw coded('INVALID_INPUT', 'serialNumber is not a usable serial');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 300_000 || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    throw coded('INVALID_INPUT', 'options out of range');
  }
  const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}/web/api/v2.1/agents?serialNumber__contains=${encodeURIComponent(serial)}&limit=1000`;
  const controller = new AbortController();
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(coded('TIMEOUT', `the call did not finish within ${timeoutMs} ms`, { retryable: true }));
    }, timeoutMs);
  });
  const pause = (ms) => Promise.race([new Promise((resolve) => setTimeout(resolve, ms)), deadline]);
  try {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      let response;
      try {
        response = await Promise.race([
          options.fetch({ method: 'GET', url, headers: { Authorization: `ApiToken ${token}`, Accept: 'application/json' }, signal: controller.signal }),
          deadline,
        ]);
      } catch (error) {
        if (error?.code === 'TIMEOUT') throw error;
        if (!last) {
          await pause(250 * 2 ** (attempt - 1));
          continue;
        }
        throw coded('NETWORK', `no response: ${String(error?.message ?? error).split(token).join('[REDACTED]')}`, { retryable: true });
      }
      const { status } = response;
      if (status === 429 || status >= 500) {
        if (!last) {
          await pause(250 * 2 ** (attempt - 1));
          continue;
        }
        throw coded(status === 429 ? 'RATE_LIMITED' : 'UPSTREAM_UNAVAILABLE', `HTTP ${status}`, { status, retryable: true });
      }
      if (status === 401) throw coded('UNAUTHORIZED', 'HTTP 401', { status });
      if (status === 403) throw coded('FORBIDDEN', 'HTTP 403', { status });
      if (status < 200 || status > 299) throw coded('UPSTREAM_ERROR', `HTTP ${status}`, { status });
      const body = typeof response.body === 'string' ? response.body : new TextDecoder().decode(response.body);
      let raw;
      try {
        raw = JSON.parse(body);
      } catch {
        throw coded('MALFORMED_RESPONSE', 'the body is not JSON', { status });
      }
      if (!Array.isArray(raw?.data)) throw coded('MALFORMED_RESPONSE', 'the body has no data list', { status });
      const matches = raw.data.filter((a) => a !== null && typeof a === 'object' && a.serialNumber !== null && a.serialNumber !== undefined && String(a.serialNumber).trim() === serial);
      // The token stays out of rawResponse: a console echoing it gets it replaced.
      const rawResponse = body.includes(token) ? JSON.parse(body.split(token).join('[REDACTED]')) : raw;
      return lookupOutput(status, raw, matches, rawResponse);
    }
  } finally {
    clearTimeout(timer);
  }
}

// Trust evaluation of every agent in a page, as a sync does it: the page read, every agent judged with
// the default rules (the failed ones kept with expected and actual values and a message), one entry per
// serial for the preferred agent (live, then latest, then lowest id), and a summary. Judged at sync
// time like the connector's: lastActive and uniqueSerial count in the summary, not in an entry.
export async function jsSyncPage(connection, _input, { fetch, now }) {
  const url = `${connection.baseUrl}/web/api/v2.1/agents?limit=1000`;
  const response = await fetch({ method: 'GET', url, headers: { Authorization: `ApiToken ${connection.apiToken}`, Accept: 'application/json' } });
  if (response.status < 200 || response.status > 299) throw Object.assign(new Error(`HTTP ${response.status}`), { code: 'UPSTREAM_ERROR' });
  const raw = JSON.parse(response.body);
  const serials = Object.create(null);
  const live = new Map();
  let nullSerials = 0;
  let placeholderSerials = 0;
  for (const agent of raw.data) {
    const serial = agent.serialNumber === null || agent.serialNumber === undefined ? '' : String(agent.serialNumber).trim();
    if (serial === '') { nullSerials += 1; continue; }
    if (PLACEHOLDERS.has(serial.toLowerCase()) || /^0+$/.test(serial)) { placeholderSerials += 1; continue; }
    const entry = { agentId: text(agent.id), lastActiveDate: text(agent.lastActiveDate), decommissioned: bool(agent.isDecommissioned), agents: 1, failed: jsFailedChecks(agent) };
    const held = serials[serial];
    if (held === undefined) { serials[serial] = entry; live.set(serial, time(entry.lastActiveDate)); continue; }
    const ids = [...(held.otherAgentIds ?? []), held.agentId];
    const rank = (e) => (e.decommissioned === false ? 0 : e.decommissioned === null ? 1 : 2);
    const last = time(entry.lastActiveDate);
    const better = rank(entry) - rank(held) || (live.get(serial) ?? -Infinity) - (last ?? -Infinity) || byId(entry.agentId, held.agentId);
    if (better < 0) { serials[serial] = { ...entry, agents: held.agents + 1, otherAgentIds: ids }; live.set(serial, last); }
    else { held.agents += 1; held.otherAgentIds = [...(held.otherAgentIds ?? []), entry.agentId]; }
  }
  const notTrustedByReason = {};
  let trusted = 0;
  let duplicatedSerials = 0;
  for (const [serial, entry] of Object.entries(serials)) {
    const reasons = entry.failed.map((c) => c.rule);
    const last = live.get(serial);
    if (!recent(last, now)) reasons.push('lastActive');
    if (entry.agents > 1) { duplicatedSerials += 1; reasons.push('uniqueSerial'); }
    if (reasons.length === 0) trusted += 1;
    for (const r of reasons) notTrustedByReason[r] = (notTrustedByReason[r] ?? 0) + 1;
  }
  return {
    version: 1, syncedAt: new Date(now).toISOString(), complete: true, resumeCursor: null, rules: null, filters: {}, serials,
    summary: { agentsSeen: raw.data.length, serials: Object.keys(serials).length, trusted,
      notTrustedByReason: Object.fromEntries(Object.entries(notTrustedByReason).sort(([a], [b]) => (a < b ? -1 : 1))), nullSerials, placeholderSerials,
      duplicatedSerials, pages: 1, requests: 1, totalItems: count(raw.pagination?.totalItems) },
  };
}

/** The default rules a sync judges at sync time, each failure with what was expected and found. */
function jsFailedChecks(agent) {
  const failed = [];
  const fail = (rule, expected, actual, message) => failed.push({ rule, passed: false, expected, actual, message });
  const decommissioned = bool(agent.isDecommissioned);
  if (decommissioned !== false) fail('decommissioned', false, decommissioned, 'the agent is decommissioned');
  const uninstalled = bool(agent.isUninstalled);
  const pending = bool(agent.isPendingUninstall);
  const either = uninstalled !== null && pending !== null ? uninstalled || pending : uninstalled === true || pending === true ? true : null;
  if (either !== false) fail('uninstalled', false, either, 'the agent is uninstalled or pending uninstall');
  const active = bool(agent.isActive);
  if (active !== true) fail('isActive', true, active, 'the agent is not active');
  const infected = bool(agent.infected);
  if (infected !== false) fail('infected', false, infected, 'the agent is infected');
  const threats = count(agent.activeThreats);
  if (threats !== 0) fail('activeThreats', { max: 0 }, threats, `the agent has ${threats} active threats (at most 0 allowed)`);
  const reboot = bool(agent.threatRebootRequired);
  if (reboot !== false) fail('threatReboot', false, reboot, 'the agent is waiting for a threat reboot');
  const state = text(agent.operationalState);
  if (state !== 'na') fail('operationalState', ['na'], state, `operational state ${JSON.stringify(state)} is not one of ["na"]`);
  return failed;
}
