// Captures every page at desktop and tablet sizes into docs/screenshots/ (scripts/screenshots runs
// it against a throwaway database with the demo data).
import { mkdirSync } from 'node:fs';
import { Stack } from './harness.mjs';

const out = new URL('../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const SIZES = { desktop: { width: 1366, height: 900 }, tablet: { width: 768, height: 1024 } };
const PAGES = [
  { name: 'login', path: '/login', user: null },
  { name: 'panel', path: '/', user: 'ceo@acme.mx', ready: '[data-testid="revenue-year"]' },
  { name: 'reportes', path: '/reportes', user: 'cfo@acme.mx', ready: '[data-testid="report-total"]' },
  { name: 'pos', path: '/cpg/venta', user: 'cajero@acme.mx', ready: '[data-testid="pos-search"]' },
  { name: 'facturas', path: '/facturas', user: 'cfo@acme.mx', ready: '[data-testid="invoice-list"]' },
  { name: 'conciliacion', path: '/conciliacion', user: 'cfo@acme.mx', ready: 'h1' },
  { name: 'salud', path: '/salud', user: 'cfo@acme.mx', ready: '[data-testid="health-status"]' },
  { name: 'ajustes', path: '/ajustes', user: 'admin@acme.mx', ready: 'h2' },
];

// A bank statement for Acme, so reconciliation shows matches, suggestions and classified lines.
async function seedBank(st) {
  const docs = st.sql(`SELECT total_mxn, fecha::date, coalesce(counterparty_name, '') FROM sat_invoices
      WHERE company_id = 'acme' AND direction = 'issued' AND tipo = 'I' AND moneda = 'MXN' AND status = 'vigente'
        AND outstanding = total ORDER BY fecha DESC LIMIT 6`).split('\n').map((l) => l.split('|'));
  const lines = ['Fecha,Descripcion,Monto,Referencia'];
  docs.forEach(([total, day, name], i) => lines.push(`${day},${i < 3 ? 'SPEI RECIBIDO ' + name.replace(/,/g, '') : 'DEPOSITO'},${total},${7710200 + i}`));
  const day = docs[0][1];
  lines.push(`${day},COMISION MANEJO DE CUENTA,-250.00,9930112`, `${day},IVA COMISION,-40.00,9930113`);
  const account = await st.apiAs('cfo@acme.mx', '/api/v1/bank/accounts', { method: 'POST', json: { name: 'BBVA operativa', clabe: '012180001234567899' } });
  await st.apiAs('cfo@acme.mx', `/api/v1/bank/statements?account_id=${account.account_id}&format=csv`, { method: 'POST', raw: lines.join('\n') + '\n' });
  await st.apiAs('cfo@acme.mx', '/api/v1/reconciliation/run', { method: 'POST', json: {} });
}

const st = await Stack.start('shots');
try {
  await seedBank(st);
  for (const [size, viewport] of Object.entries(SIZES)) {
    for (const p of PAGES) {
      const page = await st.page(viewport);
      if (p.user) {
        await st.login(page, p.user);
        await page.waitForURL((u) => !u.pathname.startsWith('/login'));
      }
      await page.goto(st.base + p.path);
      if (p.ready) await page.locator(p.ready).first().waitFor();
      await page.waitForTimeout(600); // let the live stream connect and the counters settle
      if (p.name === 'pos') {
        for (const b of (await page.locator('button[data-sku]').all()).slice(0, 3)) await b.click();
      }
      await page.screenshot({ path: `${out}${p.name}-${size}.png`, fullPage: p.name !== 'login' });
      console.log(`docs/screenshots/${p.name}-${size}.png`);
      await page.context().close();
    }
  }
} finally {
  await st.stop();
}
