// Every answer the API suites received validates against src/api/openapi.json. The suites run
// with VERTICE_API_RECORD=<dir> (tests/support/http_client.cpp writes one JSON line per exchange);
// this reads them all and, for each, finds the operation (method + path template), the response
// declared for its status and the media type, and validates the JSON body against its schema
// (JSON Schema 2020-12, ajv). An answer whose status or content type the operation does not
// declare is a failure. Requests that match no operation (404 route_not_found, 405) must answer
// the error shape; requests outside the API (the web app's pages) are not checked.
//   node tests/openapi/validate.mjs <openapi.json> <record dir>
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deref, loadSpec, matchPath } from './spec.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../web/package.json'));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [specFile, recordDir] = process.argv.slice(2);
if (!specFile || !recordDir) {
  console.error('usage: validate.mjs <openapi.json> <record dir>');
  process.exit(2);
}
const spec = loadSpec(specFile);
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');
const validators = new Map();
function validatorFor(pointer) {
  if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: `openapi#${pointer}` }));
  return validators.get(pointer);
}
const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

// The JSON pointer of a response's schema (following $refs to components/responses).
function responsePointer(response, base) {
  if (response.$ref) return [deref(spec, response), response.$ref.slice(1)];
  return [response, base];
}

const isApi = (p) => p.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(p);
const failures = new Map(); // key → {count, example}
let checked = 0;
let skipped = 0;
const seen = new Set();
function fail(key, example) {
  const f = failures.get(key) ?? { count: 0, example };
  f.count++;
  failures.set(key, f);
}

function mediaType(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function checkBody(where, pointer, record) {
  if (record.body === null || record.body === undefined) return;
  let body;
  try {
    body = JSON.parse(record.body);
  } catch {
    fail(`${where}: the body is not JSON`, record.body.slice(0, 200));
    return;
  }
  const validate = validatorFor(pointer);
  if (!validate(body)) {
    const e = validate.errors[0];
    fail(`${where}: ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)} [schema ${e.schemaPath}]`,
      `${record.method} ${record.target} → ${JSON.stringify(body).slice(0, 300)}`);
  }
}

const files = readdirSync(recordDir).filter((f) => f.endsWith('.jsonl'));
for (const file of files) {
  for (const line of readFileSync(join(recordDir, file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line);
    const path = record.target.split('?')[0].split('#')[0];
    if (!isApi(path)) {
      skipped++;
      continue;
    }
    checked++;
    const method = record.method.toLowerCase();
    const lookup = method === 'head' ? 'get' : method;
    const templates = matchPath(spec, path);
    const template = templates.find((t) => spec.paths[t][lookup]);
    if (!template) {
      // No such operation: the router's own answers, in the error shape.
      const expected = templates.length > 0 ? [405, 400, 413, 429, 503] : [404, 400, 413, 429, 503];
      const where = `${record.method} ${path} (no operation)`;
      if (!expected.includes(record.status)) fail(`${where}: status ${record.status}`, record.target);
      else if (method !== 'head') checkBody(where, '/components/schemas/ErrorResponse', record);
      continue;
    }
    const operation = spec.paths[template][lookup];
    const where = `${record.method} ${template} ${record.status}`;
    seen.add(`${lookup.toUpperCase()} ${template} ${record.status}`);
    const declared = operation.responses?.[String(record.status)];
    if (!declared) {
      fail(`${where}: status not declared`, `${record.target} → ${String(record.body).slice(0, 300)}`);
      continue;
    }
    const base = `/paths/${esc(template)}/${lookup}/responses/${record.status}`;
    const [response, pointer] = responsePointer(declared, base);
    const content = response.content ?? {};
    const type = mediaType(record.content_type);
    if (Object.keys(content).length === 0) {
      if (record.body) fail(`${where}: a body where none is declared`, record.body.slice(0, 200));
      continue;
    }
    if (method === 'head') continue;
    const key = Object.keys(content).find((k) => k === type || (k.endsWith('/*') && type.startsWith(k.slice(0, -1))));
    if (!key) {
      fail(`${where}: content type ${type || '(none)'} not declared (${Object.keys(content).join(', ')})`, record.target);
      continue;
    }
    if (!content[key].schema || !type.includes('json')) continue;
    checkBody(where, `${pointer}/content/${esc(key)}/schema`, record);
  }
}

console.log(`${files.length} record files, ${checked} API answers checked (${skipped} outside the API), ` +
  `${seen.size} distinct operation+status pairs`);
if (checked === 0) {
  console.error(`no recorded answers in ${recordDir}: did the API suites run with VERTICE_API_RECORD?`);
  process.exit(1);
}
// For information: operations no suite saw succeed (their success schemas are unchecked here).
const unseen = [];
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    const ok = Object.keys(operation.responses ?? {}).filter((s) => s.startsWith('2') || s === '304');
    if (ok.length && !ok.some((s) => seen.has(`${method.toUpperCase()} ${path} ${s}`)))
      unseen.push(`${method.toUpperCase()} ${path}`);
  }
}
if (unseen.length) console.log(`no success answer recorded for ${unseen.length} operations: ${unseen.join(', ')}`);
for (const [key, { count, example }] of [...failures.entries()].sort()) {
  console.error(`FAIL ${key} (${count}×)\n     e.g. ${example}`);
}
if (failures.size > 0) {
  console.error(`${failures.size} distinct disagreements with src/api/openapi.json`);
  process.exit(1);
}
