// End-to-end harness: a throwaway database from the test template (scripts/test makes it), the demo
// data, `vertice serve` on a free port, and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const env = process.env;
// The demo users' password (printed by scripts/up; not a secret).
const DEMO_PASSWORD = 'vertice-demo';
export const FIXTURES = new URL('../../tests/fixtures/', import.meta.url).pathname;

function need(name) {
  if (!env[name]) throw new Error(`${name} is not set: run the web tests through scripts/test`);
  return env[name];
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export class Stack {
  static async start(name) {
    const st = new Stack();
    const host = need('VERTICE_TEST_PG_HOST');
    const port = need('VERTICE_TEST_PG_PORT');
    const template = need('VERTICE_TEST_TEMPLATE');
    st.bin = need('VERTICE_BIN');
    st.db = `web_${name}_${process.pid}`;
    st.ownerUrl = `postgresql://vertice_owner@${host}:${port}/${st.db}`;
    st.pgAdmin = `postgresql://vertice_owner@${host}:${port}/postgres`;
    execFileSync('psql', [st.pgAdmin, '-qAtc', `CREATE DATABASE ${st.db} TEMPLATE ${template}`]);
    const dbEnv = { ...env, VERTICE_ADMIN_DATABASE_URL: st.ownerUrl, DATABASE_URL: `postgresql://vertice_app@${host}:${port}/${st.db}` };
    execFileSync(st.bin, ['demo', 'load', '--force'], { env: dbEnv, stdio: 'pipe' });
    const httpPort = await freePort();
    st.base = `http://127.0.0.1:${httpPort}`;
    // setpriv --pdeathsig: the server dies with this test process however it ends (a crash,
    // CTest's timeout), so no test ever leaves a server behind.
    st.server = spawn('setpriv', ['--pdeathsig', 'KILL', st.bin, 'serve', '--listen', `127.0.0.1:${httpPort}`],
      { env: dbEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    st.log = '';
    st.server.stderr.on('data', (d) => { st.log += d; });
    for (let i = 0; i < 200; i++) {
      try { if ((await fetch(st.base + '/readyz')).ok) break; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      // playwright-core gives every launch a fresh temporary --user-data-dir of its own.
      st.browser = await chromium.launch({
        executablePath: env.CHROMIUM ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
          '--disable-sync', '--no-first-run'],
      });
    } catch (e) {
      await st.stop();
      throw e;
    }
    return st;
  }

  sql(query) {
    return execFileSync('psql', [this.ownerUrl, '-qAtc', query], { encoding: 'utf8' }).trim();
  }

  /** A fresh browser context (its own cookies: another person on another device). */
  async page({ width = 1280, height = 900 } = {}) {
    const ctx = await this.browser.newContext({ viewport: { width, height }, locale: 'es-MX', timezoneId: 'America/Mexico_City', acceptDownloads: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    return page;
  }

  async login(page, email, password = DEMO_PASSWORD) {
    await page.goto(this.base + '/login');
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel('Contraseña').fill(password);
    await page.getByRole('button', { name: 'Entrar' }).click();
  }

  /** The API as that user (bearer token), for comparing the screen with the API's answer. */
  async apiAs(email, path, { method = 'GET', json, raw, company } = {}) {
    this.tokens ??= new Map();
    if (!this.tokens.has(email)) {
      const login = await (await fetch(this.base + '/api/v1/auth/login', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }),
      })).json();
      this.tokens.set(email, login.token); // one session per user, not one per call
    }
    const headers = { Authorization: `Bearer ${this.tokens.get(email)}`, ...(company ? { 'X-Company-Id': company } : {}) };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    if (raw !== undefined) headers['Content-Type'] = 'text/csv';
    const res = await fetch(this.base + path, { method, headers, body: raw ?? (json === undefined ? undefined : JSON.stringify(json)) });
    const body = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async stop() {
    await this.browser?.close().catch(() => {});
    this.server?.kill('SIGTERM');
    await new Promise((r) => (this.server ? this.server.once('exit', r) : r()));
    try { execFileSync('psql', [this.pgAdmin, '-qAtc', `DROP DATABASE IF EXISTS ${this.db} WITH (FORCE)`]); } catch { /* best effort */ }
  }
}

/** "$1,234.50" → "1234.50" (for comparing what the screen shows with the API's strings). */
export function plain(text) {
  const neg = text.trim().startsWith('-');
  return (neg ? '-' : '') + text.replace(/[^0-9.]/g, '');
}

/** "1234.5" → "$1,234.50", as the screens show money. */
export function money(decimal) {
  const neg = decimal.startsWith('-');
  const [i, f = ''] = decimal.replace('-', '').split('.');
  return `${neg ? '-' : ''}$${i.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(f + '00').slice(0, 2)}`;
}
