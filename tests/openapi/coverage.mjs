// The description covers the router table exactly: every route `vertice routes` prints is in
// src/api/openapi.json, and the description has no operation the server does not answer.
//   node tests/openapi/coverage.mjs <vertice binary> <openapi.json>
import { execFileSync } from 'node:child_process';
import { deref, loadSpec, operations } from './spec.mjs';

const [bin, specFile] = process.argv.slice(2);
if (!bin || !specFile) {
  console.error('usage: coverage.mjs <vertice binary> <openapi.json>');
  process.exit(2);
}
const spec = loadSpec(specFile);
const printed = execFileSync(bin, ['routes'], { encoding: 'utf8', timeout: 30_000 })
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '');
const routes = new Set(printed);
const described = new Set(operations(spec).map((o) => `${o.method} ${o.path}`));
const missing = [...routes].filter((r) => !described.has(r));
const extra = [...described].filter((d) => !routes.has(d));
const problems = [];
if (spec.openapi !== '3.1.0') problems.push(`"openapi" is ${JSON.stringify(spec.openapi)}, expected "3.1.0"`);
for (const o of operations(spec)) {
  const where = `${o.method} ${o.path}`;
  if (!o.operation.operationId) problems.push(`${where}: no operationId`);
  if (!o.operation.summary) problems.push(`${where}: no summary`);
  if (!o.operation.responses || Object.keys(o.operation.responses).length === 0) problems.push(`${where}: no responses`);
  if (!('x-vertice-access' in o.operation)) problems.push(`${where}: no x-vertice-access (public, authenticated, company)`);
  // Every {param} of the template is declared as a path parameter.
  const params = [...(o.item.parameters ?? []), ...(o.operation.parameters ?? [])]
    .map((p) => deref(spec, p))
    .filter((p) => p.in === 'path')
    .map((p) => p.name);
  const inTemplate = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const name of inTemplate)
    if (!params.includes(name)) problems.push(`${where}: path parameter {${name}} is not declared`);
  for (const name of params)
    if (!inTemplate.includes(name)) problems.push(`${where}: path parameter ${name} is not in the template`);
}
const ids = operations(spec).map((o) => o.operation.operationId);
for (const id of new Set(ids)) if (ids.filter((i) => i === id).length > 1) problems.push(`operationId ${id} is used twice`);
for (const r of missing) console.error(`missing from src/api/openapi.json: ${r}`);
for (const d of extra) console.error(`described but not a route of the server: ${d}`);
for (const p of problems) console.error(p);
console.log(`${routes.size} routes, ${described.size} described operations`);
if (missing.length || extra.length || problems.length || routes.size === 0) process.exit(1);
