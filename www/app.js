// The workbench: loads the connector package and its manifest, renders every form from the declared
// schemas, runs capabilities through a logging fetch shim, and shows results, errors and the contract.
import * as connector from '../pkg/index.js';
import { createConsole, MOCK_API_TOKEN } from '../mock-console/console.mjs';
import { renderForm } from './form.js';

const $ = (id) => document.getElementById(id);
const manifest = connector.manifest();
const inPageConsole = createConsole();
const REAL_PLACEHOLDER = { baseUrl: '', apiToken: '' };

let connectionForm;
let lastSnapshot = null;
let inputForm;
let currentToken = '';

const redact = (text) => (currentToken ? String(text).split(currentToken).join('[REDACTED]') : String(text));

async function serverConsoleAvailable() {
  try {
    const r = await fetch(new URL('/web/api/v2.1/agents?limit=1', location.origin), { headers: { Accept: 'application/json' } });
    return r.status === 401 && (r.headers.get('content-type') ?? '').includes('json');
  } catch {
    return false;
  }
}

function target() {
  return document.querySelector('input[name=target]:checked').value;
}

function applyTarget() {
  const t = target();
  const values = t === 'server'
    ? { baseUrl: location.origin, apiToken: MOCK_API_TOKEN }
    : t === 'inpage'
      ? { baseUrl: 'https://in-page-mock.example', apiToken: MOCK_API_TOKEN }
      : REAL_PLACEHOLDER;
  connectionForm.set(values);
  $('target-note').textContent = {
    server: 'The embedded mock console serving this page (same origin): 58 agents with every real-world case.',
    inpage: 'A mock console inside this page answers through a fetch shim: same fixtures, no server needed.',
    real: 'Your console URL and token. A browser reaches a real console only through a CORS-enabled proxy; the token stays in this form and is never stored.',
  }[t];
}

let renderedCapability = null;

function renderInput() {
  const name = $('capability').value;
  // Keep what was typed when the same capability is selected again.
  if (name === renderedCapability) return;
  renderedCapability = name;
  const capability = manifest.capabilities[name];
  $('capability-description').textContent = capability.description;
  inputForm = renderForm($('input-fields'), capability.inputSchema, `input-${name}`);
}

/** Wraps a fetch shim so every call lands in the request log (token redacted). */
function loggingShim(inner) {
  return async (request) => {
    const row = document.createElement('tr');
    const cells = [request.method, redact(request.url), '…', ''].map((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 1) td.className = 'url';
      return td;
    });
    row.append(...cells);
    $('request-log').tBodies[0].prepend(row);
    const started = performance.now();
    try {
      const response = await inner(request);
      // A browser hides a redirect's status and target (an opaque redirect, status 0).
      cells[2].textContent = response.type === 'opaqueredirect' ? 'redirect' : String(response.status);
      return response;
    } catch (error) {
      cells[2].textContent = 'no response';
      throw error;
    } finally {
      cells[3].textContent = `${Math.round(performance.now() - started)} ms`;
    }
  };
}

// The request handed on whole, as the init (its redirect: 'manual' included: a redirect is reported, not
// followed with the token), and the Response handed back: the connector reads its bytes itself.
const platformShim = (request) => fetch(request.url, request);

function dl(entries) {
  const list = document.createElement('dl');
  for (const [key, value] of entries) {
    const dt = document.createElement('dt');
    dt.textContent = key;
    const dd = document.createElement('dd');
    dd.textContent = value === null || value === undefined ? '—' : String(value);
    dd.dataset.field = key;
    list.append(dt, dd);
  }
  return list;
}

function showCard(kind, heading, ...children) {
  const card = $(showCard.target ?? 'result-card');
  card.className = `card ${kind}`;
  const h = document.createElement('h3');
  h.textContent = heading;
  card.replaceChildren(h, ...children);
}

const AGENT_FIELDS = ['agentId', 'computerName', 'serialNumber', 'osType', 'osName', 'agentVersion', 'isActive', 'isDecommissioned', 'lastActiveDate', 'networkStatus', 'totalItems', 'matchCount'];

function showOutput(output) {
  const { rawResponse, ...rest } = output;
  $('output-json').textContent = redact(JSON.stringify(rest, null, 2));
  $('raw-json').textContent = rawResponse === undefined ? '(none)' : redact(JSON.stringify(rawResponse, null, 2));
  if ('trusted' in output) {
    const list = document.createElement('ul');
    list.className = 'reasons';
    for (const reason of output.reasons) {
      const li = document.createElement('li');
      li.dataset.rule = reason.rule;
      const rule = document.createElement('strong');
      rule.textContent = `${reason.rule}: `;
      const remedy = document.createElement('span');
      remedy.className = 'remediation';
      remedy.textContent = reason.remediation;
      li.append(rule, reason.message, remedy);
      list.append(li);
    }
    const fields = dl(AGENT_FIELDS.filter((f) => f in output).map((f) => [f, output[f]]).concat([['evaluatedAt', output.evaluatedAt]]));
    showCard(output.trusted ? 'good' : 'bad', output.trusted ? 'Trusted' : `Not trusted (${output.reasons.length} ${output.reasons.length === 1 ? 'reason' : 'reasons'})`, list, fields);
  } else if ('agentFound' in output) {
    const heading = output.agentFound
      ? `Agent found${output.matchCount > 1 ? ` (${output.matchCount} agents share this serial; the preferred one is shown)` : ''}`
      : `No agent with exactly this serial (${output.totalItems} contain it)`;
    showCard(output.agentFound ? 'good' : 'warn', heading, dl(AGENT_FIELDS.map((f) => [f, output[f]])));
  } else if ('serials' in output && 'summary' in output) {
    const s = output.summary;
    const reasons = Object.entries(s.notTrustedByReason).map(([rule, n]) => `${rule}: ${n}`).join(', ') || 'none';
    showCard(output.complete ? 'good' : 'bad', `Snapshot of ${s.agentsSeen} agents: ${s.trusted} of ${s.serials} serials trusted`, dl([
      ['syncedAt', output.syncedAt], ['pages', s.pages], ['requests', s.requests], ['durationMs', s.durationMs],
      ['not trusted by reason', reasons], ['nullSerials', s.nullSerials], ['placeholderSerials', s.placeholderSerials],
      ['duplicatedSerials', s.duplicatedSerials],
    ]));
    lastSnapshot = output;
    $('check-form').hidden = false;
  } else if ('ok' in output) {
    const warnings = document.createElement('ul');
    for (const w of output.warnings) {
      const li = document.createElement('li');
      li.textContent = w;
      warnings.append(li);
    }
    const entries = [['statusCode', output.statusCode], ['agentCount', output.agentCount], ['latencyMs', output.latencyMs], ['tokenExpiresAt', output.tokenExpiresAt]];
    if (output.error) entries.unshift(['error', `${output.error.code}: ${output.error.message}`]);
    showCard(output.ok ? (output.warnings.length ? 'warn' : 'good') : 'bad', output.ok ? 'Connection OK' : `Connection failed: ${output.error?.code}`, dl(entries), warnings);
  } else {
    showCard('', 'Output', dl(Object.entries(rest).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v])));
  }
}

function showError(error) {
  const code = error?.code ?? 'UNKNOWN';
  const message = redact(error instanceof Error ? error.message : String(error));
  const card = dl([['code', code], ['message', message], ['status', error?.status], ['retryable', error?.retryable], ['upstreamCode', error?.upstreamCode], ['upstreamTitle', error?.upstreamTitle]]);
  showCard('bad', `Error ${code}`, card);
  $('result-card').dataset.errorCode = code;
  $('output-json').textContent = JSON.stringify({ error: { code, message } }, null, 2);
  $('raw-json').textContent = '(none)';
}

async function run(event) {
  event.preventDefault();
  $('form-error').textContent = '';
  const connection = connectionForm.read();
  const input = inputForm.read();
  const errors = [...connection.errors, ...input.errors];
  if (errors.length) {
    $('form-error').textContent = errors.join('; ');
    document.querySelector('[aria-invalid=true]')?.focus();
    return;
  }
  currentToken = connection.value.apiToken ?? '';
  const inner = target() === 'inpage' ? async (request) => inPageConsole.handle(request) : platformShim;
  const capability = $('capability').value;
  const progress = $('sync-progress');
  const onProgress = (p) => {
    progress.hidden = false;
    progress.max = p.totalItems || 1;
    progress.value = Math.min(p.agentsSeen, progress.max);
    $('sync-status').textContent = `page ${p.page}: ${p.agentsSeen} of ${p.totalItems ?? '?'} agents`;
  };
  progress.hidden = true;
  $('sync-status').textContent = '';
  $('run').disabled = true;
  // Stop ends the call through options.signal: it rejects with ABORTED (a sync with its partial).
  const controller = new AbortController();
  $('stop').onclick = () => controller.abort();
  $('stop').hidden = false;
  $('result-card').className = 'card muted';
  $('result-card').textContent = 'Running…';
  delete $('result-card').dataset.errorCode;
  try {
    const output = await connector.invoke(
      capability,
      { connection: connection.value, input: input.value },
      { fetch: loggingShim(inner), onProgress, signal: controller.signal },
    );
    showOutput(output);
  } catch (error) {
    showError(error);
  } finally {
    $('run').disabled = false;
    $('stop').hidden = true;
  }
}

function renderContract() {
  const documents = [['Manifest', manifest], ['Connection properties', manifest.connectionProperties], ['Error object', manifest.errorSchema]];
  for (const [name, cap] of Object.entries(manifest.capabilities)) {
    documents.push([`${name} input`, cap.inputSchema], [`${name} output`, cap.outputSchema]);
  }
  const box = $('schemas');
  documents.forEach(([title, doc], i) => {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = title;
    const pre = document.createElement('pre');
    pre.id = `schema-${i}`;
    pre.textContent = JSON.stringify(doc, null, 2);
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'copy';
    copy.dataset.copy = pre.id;
    copy.textContent = 'Copy';
    details.append(summary, copy, pre);
    box.append(details);
  });
}

$('check-form').addEventListener('submit', (event) => {
  event.preventDefault();
  showCard.target = 'check-card';
  try {
    showOutput(connector.checkSerial(lastSnapshot, $('check-serial').value));
  } catch (error) {
    showCard('bad', `Error ${error?.code ?? 'UNKNOWN'}`, dl([['message', error?.message ?? String(error)]]));
  } finally {
    showCard.target = undefined;
  }
});

document.addEventListener('click', async (event) => {
  const id = event.target?.dataset?.copy;
  if (!id) return;
  try {
    await navigator.clipboard.writeText($(id).textContent);
    event.target.textContent = 'Copied';
  } catch {
    event.target.textContent = 'Select and copy';
  }
});

async function start() {
  $('version').textContent = `${manifest.name} connector ${manifest.version}: ${manifest.description}`;
  connectionForm = renderForm($('connection-fields'), manifest.connectionProperties, 'connection');
  for (const [name, cap] of Object.entries(manifest.capabilities)) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = cap.title;
    $('capability').append(option);
  }
  $('capability').value = 'getAgentBySerialNumber';
  $('capability').addEventListener('change', renderInput);
  renderInput();
  if (!(await serverConsoleAvailable())) {
    document.querySelector('input[name=target][value=inpage]').checked = true;
  }
  for (const radio of document.querySelectorAll('input[name=target]')) radio.addEventListener('change', applyTarget);
  applyTarget();
  renderContract();
  $('run-form').addEventListener('submit', run);
  document.body.dataset.ready = 'true';
}

start().catch((error) => {
  $('version').textContent = `The connector failed to load: ${error?.message ?? error}`;
  $('version').className = 'error';
});
