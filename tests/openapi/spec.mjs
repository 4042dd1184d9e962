// Shared by the OpenAPI tests: loads src/api/openapi.json and matches concrete requests to its
// operations the way src/http/router.hpp does (a literal segment wins over a {param}).
import { readFileSync } from 'node:fs';

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function loadSpec(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// Every "METHOD /template" the description has.
export function operations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      if (item[method]) out.push({ method: method.toUpperCase(), path, operation: item[method], item });
    }
  }
  return out;
}

function segments(path) {
  return path.split('/').filter((s) => s !== '');
}

// The templates a concrete path matches, most literal first.
export function matchPath(spec, concrete) {
  const parts = segments(concrete);
  const found = [];
  for (const path of Object.keys(spec.paths ?? {})) {
    const pattern = segments(path);
    if (pattern.length !== parts.length) continue;
    let literals = 0;
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i];
      if (p.startsWith('{') && p.endsWith('}')) continue;
      if (p === parts[i]) literals++;
      else ok = false;
    }
    if (ok) found.push({ path, literals });
  }
  found.sort((a, b) => b.literals - a.literals);
  return found.map((f) => f.path);
}

// Resolves a local "$ref" (#/components/...) of a non-schema object (a response, a parameter).
export function deref(spec, object) {
  let o = object;
  for (let depth = 0; o && o.$ref && depth < 10; depth++) {
    if (!o.$ref.startsWith('#/')) throw new Error(`only local references are supported: ${o.$ref}`);
    o = o.$ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, key) => (at === undefined ? undefined : at[key]), spec);
    if (o === undefined) throw new Error(`unresolved reference ${object.$ref}`);
  }
  return o;
}
