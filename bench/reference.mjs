// The pure-JS reference a host developer would write instead of the connector: the same request, exact
// match, duplicate choice, lenient field mapping and rawResponse; and the same default trust rules.
const bool = (v) => (v === true || v === false ? v : typeof v === 'string' && /^(true|1)$/i.test(v.trim()) ? true : typeof v === 'string' && /^(false|0)$/i.test(v.trim()) ? false : v === 1 ? true : v === 0 ? false : null);
const text = (v) => (v === null || v === undefined || typeof v === 'object' ? null : String(v));
const count = (v) => { const n = typeof v === 'string' ? Number(v.trim()) : v; return Number.isInteger(n) && n >= 0 ? n : null; };
const time = (v) => { if (typeof v !== 'string') return null; const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`); return Number.isNaN(t) ? null : t; };

export async function jsGetAgentBySerialNumber(connection, { serialNumber }, { fetch }) {
  const serial = serialNumber.trim();
  const url = `${connection.baseUrl}/web/api/v2.1/agents?serialNumber__contains=${encodeURIComponent(serial)}&limit=1000`;
  const response = await fetch({ method: 'GET', url, headers: { Authorization: `ApiToken ${connection.apiToken}`, Accept: 'application/json' } });
  if (response.status < 200 || response.status > 299) throw Object.assign(new Error(`HTTP ${response.status}`), { code: 'UPSTREAM_ERROR' });
  const raw = JSON.parse(response.body);
  const matches = raw.data.filter((a) => a.serialNumber !== null && a.serialNumber !== undefined && String(a.serialNumber).trim() === serial);
  matches.sort((a, b) => {
    const rank = (x) => (bool(x.isDecommissioned) === false ? 0 : bool(x.isDecommissioned) === null ? 1 : 2);
    return rank(a) - rank(b) || (time(b.lastActiveDate) ?? -Infinity) - (time(a.lastActiveDate) ?? -Infinity) || String(a.id).localeCompare(String(b.id));
  });
  const a = matches[0];
  return {
    statusCode: response.status,
    agentFound: a !== undefined,
    agentId: text(a?.id), computerName: text(a?.computerName), uuid: text(a?.uuid),
    serialNumber: a ? String(a.serialNumber).trim() : null, osType: text(a?.osType), osName: text(a?.osName),
    agentVersion: text(a?.agentVersion), isActive: a ? bool(a.isActive) : null, isDecommissioned: a ? bool(a.isDecommissioned) : null,
    lastActiveDate: text(a?.lastActiveDate), siteId: text(a?.siteId), accountId: text(a?.accountId), groupId: text(a?.groupId),
    networkStatus: text(a?.networkStatus), totalItems: count(raw.pagination?.totalItems) ?? raw.data.length,
    matchCount: matches.length, rawResponse: raw,
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
  const last = time(agent.lastActiveDate);
  fail('lastActive', last !== null && (now - last) / 60000 <= 60);
  fail('infected', bool(agent.infected) === false);
  fail('activeThreats', count(agent.activeThreats) === 0);
  fail('threatReboot', bool(agent.threatRebootRequired) === false);
  fail('operationalState', agent.operationalState === 'na');
  return { trusted: reasons.length === 0, reasons };
}

export async function jsEvaluateDeviceTrust(connection, input, options) {
  const lookup = await jsGetAgentBySerialNumber(connection, input, options);
  const now = Date.now();
  const verdict = lookup.agentFound && lookup.matchCount === 1 ? jsTrust(lookup.agent, now) : { trusted: false, reasons: [lookup.agentFound ? 'uniqueSerial' : 'agentFound'] };
  return { ...lookup, ...verdict, evaluatedAt: new Date(now).toISOString() };
}
