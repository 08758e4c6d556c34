// Renders a form from a JSON Schema (draft 2020-12 subset the connector's schemas use) and reads it back:
// strings (enums as selects, writeOnly as masked), numbers, integers, booleans, string arrays (comma-
// separated), nested objects, and maps keyed by an enum (one text field per key). A new capability's
// schema renders without page changes.

const typesOf = (schema) => [].concat(schema.type ?? []);
const has = (schema, type) => typesOf(schema).includes(type);
const titleOf = (name, schema) => schema.title ?? name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());

let nextId = 0;

/**
 * Renders `schema`'s properties into `container`. Returns { read() → { value, errors }, set(values) }.
 * `read` validates required fields, patterns, lengths and number bounds and marks invalid inputs.
 */
export function renderForm(container, schema, idPrefix) {
  container.replaceChildren();
  const fields = renderProperties(container, schema, idPrefix);
  return {
    read() {
      const errors = [];
      const value = readProperties(fields, schema, errors);
      return { value, errors };
    },
    set(values) {
      for (const field of fields) {
        if (field.name in values && field.input) field.input.value = values[field.name];
      }
    },
  };
}

function renderProperties(container, schema, idPrefix) {
  const required = new Set(schema.required ?? []);
  const fields = [];
  // Required fields first: a resolved schema's keys may come sorted, which buries them.
  const order = (name) => (required.has(name) ? schema.required.indexOf(name) : schema.required?.length ?? 0);
  const entries = Object.entries(schema.properties ?? {}).sort(([a], [b]) => order(a) - order(b));
  for (const [name, prop] of entries) {
    fields.push(renderField(container, name, prop, required.has(name), `${idPrefix}-${name}`));
  }
  return fields;
}

function help(container, prop, id) {
  const parts = [];
  if (prop.description) parts.push(prop.description);
  if (prop.default !== undefined && prop.default !== null) parts.push(`Default: ${JSON.stringify(prop.default)}.`);
  if (parts.length === 0) return null;
  const p = document.createElement('p');
  p.className = 'help';
  p.id = `${id}-help`;
  p.textContent = parts.join(' ');
  container.append(p);
  return p.id;
}

/** An optional group collapses into a <details>, so the form stays short until it is needed. */
function group(wrapper, title, required) {
  const set = document.createElement('fieldset');
  const legend = document.createElement('legend');
  legend.textContent = required ? `${title} (required)` : title;
  set.append(legend);
  if (required) {
    wrapper.append(set);
  } else {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = `${title} (optional)`;
    details.append(summary, set);
    wrapper.append(details);
  }
  return set;
}

function renderField(container, name, prop, required, id) {
  const wrapper = document.createElement('div');
  wrapper.className = 'field';
  container.append(wrapper);
  const field = { name, prop, required, id: `${id}-${nextId++}` };

  if (has(prop, 'object') && prop.properties) {
    const set = group(wrapper, titleOf(name, prop), required);
    help(set, prop, field.id);
    field.kind = 'object';
    field.children = renderProperties(set, prop, field.id);
    return field;
  }
  if (has(prop, 'object') && prop.propertyNames?.enum) {
    const set = group(wrapper, titleOf(name, prop), false);
    help(set, prop, field.id);
    field.kind = 'map';
    field.children = prop.propertyNames.enum.map((key) =>
      renderField(set, key, { type: 'string' }, false, `${field.id}-${key}`));
    return field;
  }

  if (has(prop, 'object')) {
    // An object with no declared properties (a snapshot to resume from): JSON text.
    const label = document.createElement('label');
    label.htmlFor = field.id;
    label.textContent = `${titleOf(name, prop)}${required ? ' (required)' : ''} (JSON)`;
    const area = document.createElement('textarea');
    area.id = field.id;
    area.rows = 3;
    area.spellcheck = false;
    area.name = name;
    wrapper.append(label, area);
    const helpId = help(wrapper, prop, field.id);
    if (helpId) area.setAttribute('aria-describedby', helpId);
    field.kind = 'json';
    field.input = area;
    return field;
  }

  const label = document.createElement('label');
  label.htmlFor = field.id;
  label.textContent = `${titleOf(name, prop)}${required ? ' (required)' : ''}`;
  let input;
  if (has(prop, 'boolean')) {
    input = document.createElement('input');
    input.type = 'checkbox';
    input.id = field.id;
    label.textContent = '';
    label.append(input, `${titleOf(name, prop)}`);
    wrapper.append(label);
    field.kind = 'boolean';
  } else if (prop.enum) {
    input = document.createElement('select');
    input.id = field.id;
    for (const option of [required ? null : '', ...prop.enum].filter((o) => o !== null)) {
      const el = document.createElement('option');
      el.value = option;
      el.textContent = option === '' ? '(not set)' : option;
      input.append(el);
    }
    wrapper.append(label, input);
    field.kind = 'enum';
  } else {
    input = document.createElement('input');
    input.id = field.id;
    if (has(prop, 'number') || has(prop, 'integer')) {
      input.type = 'number';
      input.step = has(prop, 'integer') ? '1' : 'any';
      if (prop.minimum !== undefined) input.min = prop.minimum;
      field.kind = has(prop, 'integer') ? 'integer' : 'number';
    } else if (has(prop, 'array')) {
      input.type = 'text';
      const examples = prop.items?.examples;
      input.placeholder = examples ? `comma-separated, e.g. ${examples.slice(0, 2).join(', ')}` : 'comma-separated';
      field.kind = 'array';
    } else {
      // Secrets are masked and never autofilled or saved by the browser.
      input.type = prop.writeOnly ? 'password' : prop.format === 'uri' ? 'url' : 'text';
      if (prop.writeOnly) input.autocomplete = 'new-password';
      if (prop.examples?.[0]) input.placeholder = prop.examples[0];
      field.kind = 'string';
    }
    if (prop.default !== undefined && prop.default !== null && field.kind !== 'array') input.placeholder = String(prop.default);
    if (required) input.required = true;
    input.spellcheck = false;
    if (!prop.writeOnly) input.autocomplete = 'off';
    wrapper.append(label, input);
  }
  input.name = name;
  const helpId = help(wrapper, prop, field.id);
  if (helpId) input.setAttribute('aria-describedby', helpId);
  field.input = input;
  return field;
}

function readProperties(fields, schema, errors) {
  const out = {};
  for (const field of fields) {
    const value = readField(field, errors);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function readField(field, errors) {
  const { prop, input } = field;
  if (field.kind === 'object') {
    const value = readProperties(field.children, prop, errors);
    return Object.keys(value).length ? value : undefined;
  }
  if (field.kind === 'map') {
    const value = readProperties(field.children, prop, errors);
    return Object.keys(value).length ? value : undefined;
  }
  const fail = (message) => {
    input.setAttribute('aria-invalid', 'true');
    errors.push(`${titleOf(field.name, prop)} ${message}`);
    return undefined;
  };
  input.removeAttribute('aria-invalid');
  if (field.kind === 'boolean') return input.checked ? true : undefined;
  const raw = input.value;
  if (raw.trim() === '') return field.required ? fail('is required') : undefined;
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n) || (field.kind === 'integer' && !Number.isInteger(n))) return fail(`must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}`);
      if (prop.minimum !== undefined && n < prop.minimum) return fail(`must be at least ${prop.minimum}`);
      return n;
    }
    case 'array':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        return fail('is not valid JSON');
      }
    default: {
      if (prop.minLength !== undefined && raw.trim().length < prop.minLength) return fail(`must be at least ${prop.minLength} characters`);
      if (prop.maxLength !== undefined && raw.length > prop.maxLength) return fail(`must be at most ${prop.maxLength} characters`);
      if (prop.pattern && !new RegExp(prop.pattern, 'u').test(raw)) return fail(prop.description ? 'has an invalid format (see the note under the field)' : 'has an invalid format');
      return raw;
    }
  }
}
