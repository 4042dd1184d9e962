// Loads a module of web/lib written in TypeScript for a unit test: TypeScript's own transpiler,
// no bundler. A module's relative imports (./x) are loaded the same way; type-only imports vanish.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const dir = mkdtempSync(join(tmpdir(), 'vertice-unit-'));
export async function load(name) {
  const src = readFileSync(new URL(`../lib/${name}.ts`, import.meta.url), 'utf8');
  let js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  for (const [, dep] of js.matchAll(/from '\.\/([a-z_]+)'/g)) await load(dep);
  js = js.replace(/from '\.\/([a-z_]+)'/g, "from './$1.mjs'");
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  return import(file);
}
