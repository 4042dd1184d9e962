// Loads a module of web/lib written in TypeScript for a unit test: TypeScript's own transpiler,
// no bundler (these modules import nothing).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const dir = mkdtempSync(join(tmpdir(), 'vertice-unit-'));
export async function load(name) {
  const src = readFileSync(new URL(`../lib/${name}.ts`, import.meta.url), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  return import(file);
}
