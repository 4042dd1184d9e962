// Precompresses the export: `vertice serve` sends X.gz when the client accepts gzip.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = new URL('../out/', import.meta.url).pathname;
const compressible = /\.(html|js|mjs|css|json|txt|svg|map|webmanifest|xml)$/;
let files = 0, before = 0, after = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!compressible.test(name)) continue;
    const body = readFileSync(p);
    if (body.length < 512) continue;
    const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
    if (gz.length >= body.length) continue;
    writeFileSync(p + '.gz', gz);
    files++; before += body.length; after += gz.length;
  }
}
walk(root);
console.log(`compressed ${files} files: ${(before / 1024).toFixed(0)} KB → ${(after / 1024).toFixed(0)} KB gzip`);
