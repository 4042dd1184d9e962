// The CPG back office: the catalog (create, edit, a stale edit refused, search, deactivate, bulk
// import with a per-row report), the sales history (filters, totals, a ticket's detail, exports
// that add up to the summary), points of sale, the retail reports, and what a cashier sees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plain, Stack } from './harness.mjs';

const CPG = '/api/v1/verticals/cpg';
let st;
let routes = '';
const tmp = mkdtempSync(join(tmpdir(), 'cpg-e2e-'));
before(async () => {
  st = await Stack.start('cpg_backoffice');
  routes = execFileSync(st.bin, ['routes'], { encoding: 'utf8' });
});
after(async () => { await st?.stop(); });

/** Whether the server under test has this route ("PATCH /products/{id}"). */
const has = (route) => {
  const [method, path] = route.split(' ');
  return routes.split('\n').some((l) => l.trim() === `${method} ${CPG}${path}`);
};
/** The server under test answers these routes (a missing one fails the test, naming it). */
function needs(t, ...list) {
  const missing = list.filter((r) => !has(r));
  assert.deepEqual(missing, [], `endpoints missing in the server under test: ${missing.join(', ')}`);
  return true;
}

const cents = (s) => { const [i, f = ''] = s.replace('-', '').split('.'); const v = BigInt(i + (f + '00').slice(0, 2)); return s.startsWith('-') ? -v : v; };
const asText = (c) => { const s = (c < 0n ? -c : c).toString().padStart(3, '0'); return (c < 0n ? '-' : '') + s.slice(0, -2) + '.' + s.slice(-2); };

/** RFC 4180 CSV (quoted fields, CRLF) → rows of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function open(page, user, slug) {
  await st.login(page, user);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 10000 });
  await page.goto(`${st.base}/cpg/${slug}`);
}

test('catalog: create a product, find it, edit it, a stale edit is refused, deactivate it', async (t) => {
  const page = await st.page();
  await open(page, 'cfo@acme.mx', 'catalogo');
  await page.getByRole('heading', { name: 'Catálogo de productos' }).waitFor({ timeout: 10000 });
  await page.getByRole('button', { name: 'Nuevo producto' }).click();
  const form = page.getByTestId('product-form');
  await form.getByLabel('SKU').fill('E2E-001');
  await form.getByLabel('Nombre').fill('Producto de prueba e2e');
  await form.getByLabel('Precio unitario').fill('12.50');
  await form.getByLabel('IVA', { exact: true }).selectOption('0.16');
  await form.getByRole('button', { name: 'Dar de alta' }).click();
  await page.getByText('Producto E2E-001 dado de alta.').waitFor({ timeout: 10000 });
  assert.equal(st.sql("SELECT name || '|' || unit_price || '|' || iva_rate || '|' || active FROM cpg_products WHERE company_id = 'acme' AND sku = 'E2E-001'"),
    'Producto de prueba e2e|12.500000|0.160000|true');
  const row = page.locator('tr[data-sku="E2E-001"]');
  await row.waitFor({ timeout: 10000 });
  assert.equal(await row.locator('td').nth(2).innerText(), '$12.50');

  // A duplicate SKU is refused with the server's words.
  await page.getByRole('button', { name: 'Nuevo producto' }).click();
  await form.getByLabel('SKU').fill('E2E-001');
  await form.getByLabel('Nombre').fill('Otro');
  await form.getByLabel('Precio unitario').fill('1');
  await form.getByRole('button', { name: 'Dar de alta' }).click();
  await form.getByText('Ya existe un producto con ese SKU.').waitFor({ timeout: 10000 });
  await form.getByRole('button', { name: 'Cancelar' }).click();

  // Search on the server (q: SKU or name).
  const probe = await st.apiAs('cfo@acme.mx', `${CPG}/products?q=${encodeURIComponent('prueba e2e')}`).catch(() => null);
  if (probe && probe.items.length === 1) {
    await page.getByLabel('Buscar por SKU o nombre').fill('prueba e2e');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-list"] tbody tr').length === 1, null, { timeout: 10000 });
    await row.waitFor({ timeout: 10000 });
    await page.getByLabel('Buscar por SKU o nombre').fill('');
    await page.locator('tr[data-sku="AGUA-600"]').waitFor({ timeout: 10000 });
  } else {
    t.diagnostic('search (GET /products?q=) is not supported by the server under test: not checked');
  }

  if (!needs(t, 'PATCH /products/{id}')) { await page.context().close(); return; }
  await row.getByRole('button', { name: 'Editar E2E-001' }).click();
  await form.getByLabel('Precio unitario').fill('13.00');
  await form.getByRole('button', { name: 'Guardar cambios' }).click();
  await page.getByText('Producto E2E-001 guardado.').waitFor({ timeout: 10000 });
  await page.waitForFunction(() => document.querySelector('tr[data-sku="E2E-001"] td:nth-child(3)')?.textContent === '$13.00', null, { timeout: 10000 });
  assert.equal(st.sql("SELECT unit_price FROM cpg_products WHERE company_id = 'acme' AND sku = 'E2E-001'"), '13.000000');

  // Someone else saves first: this edit is refused, and reloading shows their change.
  await row.getByRole('button', { name: 'Editar E2E-001' }).click();
  const [id, version] = st.sql("SELECT product_id || '|' || version FROM cpg_products WHERE company_id = 'acme' AND sku = 'E2E-001'").split('|');
  await st.apiAs('ceo@acme.mx', `${CPG}/products/${id}`, { method: 'PATCH', json: { name: 'Cambiado por otro usuario', version: Number(version) } });
  await form.getByLabel('Precio unitario').fill('14.00');
  await form.getByRole('button', { name: 'Guardar cambios' }).click();
  await form.getByText('Otro usuario cambió este producto; recargue para ver sus datos actuales.').waitFor({ timeout: 10000 });
  assert.equal(st.sql("SELECT unit_price FROM cpg_products WHERE company_id = 'acme' AND sku = 'E2E-001'"), '13.000000');
  await form.getByRole('button', { name: 'Recargar' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="product-form"] input[maxlength="200"]')?.value === 'Cambiado por otro usuario', null, { timeout: 10000 });
  await form.getByRole('button', { name: 'Cancelar' }).click();

  // Deactivate: it leaves the active list, and shows among the inactive ones.
  await page.locator('tr[data-sku="E2E-001"]').getByRole('button', { name: 'Desactivar E2E-001' }).click();
  await page.getByText('desactivado.').waitFor({ timeout: 10000 });
  assert.equal(st.sql("SELECT active FROM cpg_products WHERE company_id = 'acme' AND sku = 'E2E-001'"), 'f');
  await page.locator('tr[data-sku="E2E-001"]').waitFor({ state: 'detached', timeout: 10000 });
  await page.getByLabel('Estado').selectOption('false');
  await page.locator('tr[data-sku="E2E-001"]').getByRole('button', { name: 'Reactivar E2E-001' }).waitFor({ timeout: 10000 });
  await page.context().close();
});

test('catalog import: a bad row is reported and nothing changes; a good file creates and updates', async (t) => {
  if (!needs(t, 'POST /products/import')) return;
  const page = await st.page();
  await open(page, 'cfo@acme.mx', 'catalogo');
  const before = st.sql("SELECT count(*) || '|' || (SELECT unit_price FROM cpg_products WHERE company_id = 'acme' AND sku = 'AGUA-600') FROM cpg_products WHERE company_id = 'acme'");
  const bad = join(tmp, 'catalogo-malo.csv');
  writeFileSync(bad, 'sku,nombre,precio,iva,activo\r\nIMP-NUEVO-1,Producto importado,10.00,0.16,sí\r\nAGUA-600,Agua purificada 600 ml,9.00,16%,si\r\nIMP-MALO,Producto con IVA inválido,5.00,0.5,si\r\nIMP-NUEVO-1,Repetido,1.00,0,no\r\n');
  await page.getByRole('button', { name: 'Importar CSV o XLSX' }).click();
  await page.getByLabel('Archivo CSV o XLSX').setInputFiles(bad);
  const report = page.getByTestId('import-report');
  await report.waitFor({ timeout: 10000 });
  await page.getByText('No se importó nada.').waitFor({ timeout: 10000 });
  const badRow = report.locator('tbody tr', { hasText: 'IMP-MALO' });
  assert.equal(await badRow.locator('td').first().innerText(), '4'); // the file's line (header = 1)
  assert.match(await badRow.innerText(), /IVA/);
  // A repeated SKU names the line where it first appears, as the file numbers it.
  const dup = report.locator('tbody tr', { hasText: 'repite' });
  assert.equal(await dup.locator('td').first().innerText(), '5');
  assert.match(await dup.innerText(), /fila 2\b/);
  assert.equal(await page.getByRole('button', { name: 'Importar', exact: true }).count(), 0);
  assert.equal(st.sql("SELECT count(*) || '|' || (SELECT unit_price FROM cpg_products WHERE company_id = 'acme' AND sku = 'AGUA-600') FROM cpg_products WHERE company_id = 'acme'"), before);

  // The fixed file: checked first (nothing written), then imported.
  const good = join(tmp, 'catalogo.csv');
  writeFileSync(good, 'sku,name,unit_price,iva_rate,price_includes_tax,active\r\nIMP-NUEVO-1,Producto importado,10.00,0.16,false,true\r\nAGUA-600,Agua purificada 600 ml,9.00,0.16,false,true\r\nIMP-NUEVO-2,"Galletas, surtidas",5.00,0,false,true\r\n');
  await page.getByLabel('Archivo CSV o XLSX').setInputFiles(good);
  await page.getByTestId('import-summary').waitFor({ timeout: 10000 });
  assert.match(await page.getByTestId('import-summary').innerText(), /2 altas, 1 actualización, 0 sin cambios/);
  assert.equal(await report.locator('tbody tr', { hasText: 'IMP-NUEVO-1' }).locator('td').nth(2).innerText(), 'Alta');
  assert.equal(await report.locator('tbody tr', { hasText: 'AGUA-600' }).locator('td').nth(2).innerText(), 'Actualización');
  assert.equal(st.sql("SELECT count(*) FROM cpg_products WHERE company_id = 'acme' AND sku LIKE 'IMP-%'"), '0');
  await page.getByRole('button', { name: 'Importar', exact: true }).click();
  await page.getByText('Importación terminada: 2 altas, 1 actualización, 0 sin cambios.').waitFor({ timeout: 10000 });
  assert.equal(st.sql("SELECT string_agg(sku || '=' || unit_price, ',' ORDER BY sku) FROM cpg_products WHERE company_id = 'acme' AND sku IN ('IMP-NUEVO-1', 'IMP-NUEVO-2', 'AGUA-600')"),
    'AGUA-600=9.000000,IMP-NUEVO-1=10.000000,IMP-NUEVO-2=5.000000');
  assert.equal(st.sql("SELECT name FROM cpg_products WHERE company_id = 'acme' AND sku = 'IMP-NUEVO-2'"), 'Galletas, surtidas');

  // The same catalog as XLSX, Spanish headers: nothing left to change.
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  const xlsx = join(tmp, 'catalogo.xlsx');
  const s = (v) => ({ type: String, value: v });
  await writeXlsxFile([[s('SKU'), s('Nombre'), s('Precio'), s('IVA'), s('Incluye IVA'), s('Activo')],
    [s('IMP-NUEVO-1'), s('Producto importado'), { type: Number, value: 10 }, { type: Number, value: 0.16 }, { type: Boolean, value: false }, { type: Boolean, value: true }],
    [s('IMP-NUEVO-3'), s('Jugo de mango 1 L'), { type: Number, value: 27.5 }, { type: Number, value: 0 }, { type: Boolean, value: false }, { type: Boolean, value: true }]],
  ).toFile(xlsx);
  await page.getByRole('button', { name: 'Importar CSV o XLSX' }).click();
  await page.getByLabel('Archivo CSV o XLSX').setInputFiles(xlsx);
  await page.getByTestId('import-summary').waitFor({ timeout: 10000 });
  assert.match(await page.getByTestId('import-summary').innerText(), /1 alta, 0 actualizaciones, 1 sin cambios/);
  await page.getByRole('button', { name: 'Importar', exact: true }).click();
  await page.getByText('Importación terminada: 1 alta,').waitFor({ timeout: 10000 });
  assert.equal(st.sql("SELECT unit_price || '|' || iva_rate FROM cpg_products WHERE company_id = 'acme' AND sku = 'IMP-NUEVO-3'"), '27.500000|0.000000');
  await page.context().close();
});

test('sales history: filters narrow the list and the totals, a ticket adds up, exports match the summary', async (t) => {
  const page = await st.page();
  await open(page, 'cfo@acme.mx', 'ventas');
  const list = page.getByTestId('sales-list');
  await list.waitFor({ timeout: 15000 });
  const from = await page.locator('input[name=from]').inputValue();
  const to = await page.locator('input[name=to]').inputValue();
  assert.ok((await list.locator('tbody tr').count()) > 0, 'the demo has sales in the last 30 days');

  // One point of sale: every row is that one's.
  const [posId, posCode] = st.sql("SELECT pos_id || '|' || code FROM cpg_pos WHERE company_id = 'acme' AND code = 'WAL-01'").split('|');
  await page.locator('select[name=pos_id]').selectOption(posId);
  await page.waitForFunction((code) => {
    const cells = [...document.querySelectorAll('[data-testid="sales-list"] tbody tr td:nth-child(3)')];
    return cells.length > 0 && cells.every((c) => c.textContent === code);
  }, posCode, { timeout: 15000 });
  const want = st.sql(`SELECT count(*) || '|' || sum(total) FROM cpg_sales WHERE company_id = 'acme' AND pos_id = ${posId} AND business_date BETWEEN '${from}' AND '${to}'`).split('|');
  if (has('GET /sales/summary')) {
    await page.waitForFunction((n) => document.querySelector('[data-testid="summary-count"]')?.textContent === n, Number(want[0]).toLocaleString('es-MX'), { timeout: 15000 });
    assert.equal(plain(await page.getByTestId('summary-total').innerText()), want[1]);
  } else t.diagnostic('GET /sales/summary missing: summary not checked');

  // A product: the tickets with a line of it.
  const [productId, productName] = st.sql("SELECT product_id || '|' || name FROM cpg_products WHERE company_id = 'acme' AND sku = 'CAFE-200'").split('|');
  await page.locator('select[name=product_id]').selectOption(productId);
  const withProduct = st.sql(`SELECT count(*) FROM cpg_sales s WHERE company_id = 'acme' AND pos_id = ${posId} AND business_date BETWEEN '${from}' AND '${to}'
    AND EXISTS (SELECT 1 FROM cpg_sale_lines l WHERE l.sale_id = s.sale_id AND l.product_id = ${productId})`);
  if (has('GET /sales/summary')) {
    await page.waitForFunction((n) => document.querySelector('[data-testid="summary-count"]')?.textContent === n, Number(withProduct).toLocaleString('es-MX'), { timeout: 15000 });
  }
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="sales-list"] tbody tr').length === Math.min(n, 50), Number(withProduct), { timeout: 15000 });
  assert.ok(Number(withProduct) > 0, `the demo sold ${productName} at ${posCode}`);
  await page.locator('select[name=product_id]').selectOption('');

  // Payment method narrows further.
  const cashProbe = await st.apiAs('cfo@acme.mx', `${CPG}/sales?payment_method=cash&limit=1`).then(() => true, () => false);
  if (cashProbe) {
    await page.locator('select[name=payment_method]').selectOption('cash');
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="sales-list"] tbody tr td:nth-child(4)')];
      return cells.length > 0 && cells.every((c) => c.textContent === 'Efectivo');
    }, null, { timeout: 15000 });
    if (has('GET /sales/summary')) {
      const cash = st.sql(`SELECT count(*) FROM cpg_sales WHERE company_id = 'acme' AND pos_id = ${posId} AND payment_method = 'cash' AND business_date BETWEEN '${from}' AND '${to}'`);
      await page.waitForFunction((n) => document.querySelector('[data-testid="summary-count"]')?.textContent === n, Number(cash).toLocaleString('es-MX'), { timeout: 15000 });
    }
    await page.locator('select[name=payment_method]').selectOption('');
  } else t.diagnostic('GET /sales?payment_method= not supported: payment filter not checked');

  // A ticket number: that ticket (at each point of sale that used the number).
  const ticket = await list.locator('tbody tr').first().getByRole('button').innerText();
  await page.locator('input[name=ticket]').fill(ticket);
  await page.waitForFunction((tk) => {
    const cells = [...document.querySelectorAll('[data-testid="sales-list"] tbody tr td:nth-child(2)')];
    return cells.length === 1 && cells[0].textContent === tk;
  }, ticket, { timeout: 15000 });
  await page.locator('input[name=ticket]').fill('');
  // The whole point of sale's list again (not the one ticket still on screen) before opening one.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="sales-list"] tbody tr').length > 1, null, { timeout: 15000 });

  // A ticket's detail: its lines add up to the total the list shows.
  if (has('GET /sales/{id}')) {
    const first = list.locator('tbody tr').first();
    const listTotal = await first.getByTestId('sale-total').innerText();
    await first.getByRole('button').click();
    const detail = page.getByTestId('sale-detail');
    await detail.getByTestId('sale-detail-total').waitFor({ timeout: 10000 });
    assert.equal(await detail.getByTestId('sale-detail-total').innerText(), listTotal);
    const lineTotals = await detail.locator('tbody tr td:last-child').allInnerTexts();
    assert.ok(lineTotals.length > 0);
    assert.equal(asText(lineTotals.reduce((s, v) => s + cents(plain(v)), 0n)), plain(listTotal));
    await detail.getByRole('button', { name: 'Cerrar' }).click();
  } else t.diagnostic('GET /sales/{id} missing: ticket detail not checked');

  // Exports of the whole selection (all points of sale, a week): the file's totals are the summary's.
  if (!needs(t, 'GET /sales/summary')) { await page.context().close(); return; }
  await page.locator('select[name=pos_id]').selectOption('');
  const weekFrom = st.sql(`SELECT ('${to}'::date - 6)::text`);
  await page.locator('input[name=from]').fill(weekFrom);
  const summary = await st.apiAs('cfo@acme.mx', `${CPG}/sales/summary?from=${weekFrom}&to=${to}`);
  await page.waitForFunction((n) => document.querySelector('[data-testid="summary-count"]')?.textContent === n, Number(summary.count).toLocaleString('es-MX'), { timeout: 15000 });
  const [csvDl] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.getByTestId('sales-csv').click()]);
  const csv = parseCsv(readFileSync(await csvDl.path(), 'utf8').replace(/^\ufeff/, ''));
  assert.deepEqual(csv[0], ['Fecha', 'Hora', 'Ticket', 'Punto de venta', 'Forma de pago', 'Subtotal', 'IVA', 'Total', 'UUID CFDI']);
  const body = csv.slice(1, -1);
  assert.equal(body.length, Number(summary.count));
  assert.equal(asText(body.reduce((s, r) => s + cents(r[7]), 0n)), summary.total);
  assert.equal(asText(body.reduce((s, r) => s + cents(r[6]), 0n)), summary.iva);
  assert.deepEqual(csv.at(-1).slice(5, 8), [summary.subtotal, summary.iva, summary.total]);
  const [xlsxDl] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.getByTestId('sales-xlsx').click()]);
  assert.match(xlsxDl.suggestedFilename(), /\.xlsx$/);
  const cells = execFileSync('python3', ['-c', `import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode()
rows = re.findall(r'<row [^>]*>(.*?)</row>', x, re.S)
print(len(rows), ' '.join(re.findall(r'<v>([^<]*)</v>', rows[-1])))`, await xlsxDl.path()], { encoding: 'utf8' }).trim().split(' ');
  assert.equal(Number(cells[0]), Number(summary.count) + 2);
  assert.ok(cells.slice(1).some((v) => Number(v).toFixed(2) === summary.total), `the XLSX total row has ${summary.total}: ${cells.join(' ')}`);
  await page.context().close();
});

test('points of sale: edit one, and its detail shows its consignments and latest sales', async () => {
  const page = await st.page();
  await open(page, 'cfo@acme.mx', 'puntos');
  const list = page.getByTestId('pos-list');
  await list.waitFor({ timeout: 10000 });
  assert.equal(await list.locator('tbody tr').count(), Number(st.sql("SELECT count(*) FROM cpg_pos WHERE company_id = 'acme'")));
  const row = page.locator('tr[data-code="OXXO-05"]');
  await row.getByRole('button', { name: 'Editar OXXO-05' }).click();
  const form = page.getByTestId('pos-form');
  await form.getByLabel('Comisión (%)').fill('12.5');
  await form.getByRole('button', { name: 'Guardar cambios' }).click();
  await page.getByText('Punto de venta OXXO-05 guardado.').waitFor({ timeout: 10000 });
  assert.equal(st.sql("SELECT commission_rate FROM cpg_pos WHERE company_id = 'acme' AND code = 'OXXO-05'"), '0.125000');
  await page.waitForFunction(() => document.querySelector('tr[data-code="OXXO-05"] td:nth-child(4)')?.textContent === '12.5 %', null, { timeout: 10000 });

  await row.getByRole('button', { name: 'Ver OXXO-05' }).click();
  const detail = page.getByTestId('pos-detail');
  await detail.getByTestId('pos-sales').waitFor({ timeout: 10000 });
  const posId = st.sql("SELECT pos_id FROM cpg_pos WHERE company_id = 'acme' AND code = 'OXXO-05'");
  const latest = st.sql(`SELECT sum(total) FROM (SELECT total FROM cpg_sales WHERE pos_id = ${posId} ORDER BY sale_id DESC LIMIT 20) s`);
  assert.equal(plain(await detail.getByTestId('pos-sales-total').innerText()), latest);
  const consignments = Number(st.sql(`SELECT count(*) FROM cpg_consignments WHERE pos_id = ${posId}`));
  if (consignments > 0) assert.equal(await detail.getByTestId('pos-consignments').locator('tbody tr').count(), consignments);
  else await detail.getByText('Sin consignaciones.').waitFor({ timeout: 10000 });
  await page.context().close();
});

test('retail reports: rows, a chart and totals that are the API\'s', async () => {
  const page = await st.page();
  await open(page, 'cfo@acme.mx', 'reportes');
  const table = page.getByTestId('cpg-report-table');
  await table.waitFor({ timeout: 15000 });
  const from = await page.locator('input[name=from]').inputValue();
  const to = await page.locator('input[name=to]').inputValue();
  const api = await st.apiAs('cfo@acme.mx', `${CPG}/reports/pos_ranking?group_by=pos,pos_name&from=${from}&to=${to}`);
  assert.ok(api.rows.length > 0);
  assert.equal(await table.locator('tbody tr').count(), api.rows.length);
  assert.equal(plain(await page.getByTestId('cpg-report-total-total').innerText()), asText(api.rows.reduce((s, r) => s + cents(r.total), 0n)));
  assert.ok((await page.locator('.chart svg rect.bar').count()) > 0, 'a bar per point of sale');

  // The CSV has the same rows and total.
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.getByTestId('cpg-report-csv').click()]);
  const csv = parseCsv(readFileSync(await dl.path(), 'utf8').replace(/^\ufeff/, ''));
  assert.equal(csv.length, api.rows.length + 2);
  const totalCol = csv[0].indexOf('Total');
  assert.equal(csv.at(-1)[totalCol], asText(api.rows.reduce((s, r) => s + cents(r.total), 0n)));

  // Consignment aging and sell-through render too.
  await page.getByRole('tab', { name: 'Antigüedad de consignaciones' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cpg-report-table"] thead')?.textContent?.includes('Antigüedad')
    || document.body.textContent?.includes('No hay datos con estos filtros.'), null, { timeout: 15000 });
  await page.getByRole('tab', { name: 'Desplazamiento en consignación' }).click();
  await page.locator('select[name=group_by]').selectOption('product');
  const st1 = await st.apiAs('cfo@acme.mx', `${CPG}/reports/sell_through?group_by=product&from=${from}&to=${to}`);
  if (st1.rows.length > 0) {
    await page.waitForFunction((n) => document.querySelector('[data-testid="cpg-report-table"] thead')?.textContent?.includes('Producto')
      && document.querySelectorAll('[data-testid="cpg-report-table"] tbody tr').length === n, st1.rows.length, { timeout: 15000 });
    assert.ok((await page.locator('.chart svg rect.bar').count()) > 0);
  }
  await page.context().close();
});

test('a cashier sees only the back-office tabs their capabilities allow', async () => {
  const page = await st.page();
  await st.login(page, 'cajero@acme.mx');
  await page.waitForURL(/\/cpg\/venta/, { timeout: 10000 });
  const me = await st.apiAs('cajero@acme.mx', '/api/v1/auth/me');
  const caps = me.companies.find((c) => c.company_id === 'acme').capabilities;
  assert.ok(!caps.includes('cpg.report') && !caps.includes('cpg.manage'));
  const screens = [['Historial de ventas', 'cpg.read'], ['Catálogo', 'cpg.read'], ['Puntos de venta', 'cpg.read'], ['Reportes de retail', 'cpg.report']];
  const nav = page.getByRole('navigation', { name: 'Retail CPG' });
  const allowed = screens.filter(([, need]) => caps.includes(need));
  if (allowed.length > 0) await nav.waitFor({ timeout: 10000 });
  for (const [title, need] of screens) {
    assert.equal(await page.getByRole('link', { name: title, exact: true }).count(), caps.includes(need) ? 1 : 0, title);
  }
  // Typing the address is no way around it.
  await page.goto(`${st.base}/cpg/reportes`);
  await page.getByRole('heading', { name: 'Sin acceso' }).waitFor({ timeout: 10000 });
  if (caps.includes('cpg.read')) {
    await page.goto(`${st.base}/cpg/catalogo`);
    await page.locator('[data-testid="product-list"]').waitFor({ timeout: 10000 });
    assert.equal(await page.getByRole('button', { name: 'Nuevo producto' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Editar / }).count(), 0);
  }
  await page.context().close();
});

test('the back-office screens have no WCAG A/AA violations axe can find', async () => {
  const axe = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  const page = await st.page();
  await open(page, 'cfo@acme.mx', 'catalogo');
  const check = async (what) => {
    await page.evaluate(axe);
    const found = await page.evaluate(async () => (await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa'] }))
      .violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
    assert.deepEqual(found, [], what);
  };
  await page.getByTestId('product-list').waitFor({ timeout: 10000 });
  await page.getByRole('button', { name: 'Editar AGUA-1500' }).click();
  await check('catalog with the product form');
  await page.getByRole('button', { name: 'Importar CSV o XLSX' }).click();
  const bad = join(tmp, 'axe.csv');
  writeFileSync(bad, 'sku,nombre,precio\r\nAXE-1,Uno,1.00\r\nAXE-2,,abc\r\n');
  await page.getByLabel('Archivo CSV o XLSX').setInputFiles(bad);
  await page.getByTestId('import-report').waitFor({ timeout: 10000 });
  await check('the import report');
  await page.goto(`${st.base}/cpg/ventas`);
  await page.getByTestId('sales-list').locator('tbody tr').first().getByRole('button').click();
  await page.getByTestId('sale-detail-total').waitFor({ timeout: 10000 });
  await check('sales with a ticket open');
  await page.goto(`${st.base}/cpg/puntos`);
  await page.getByRole('button', { name: 'Ver OXXO-05' }).click();
  await page.getByTestId('pos-sales').waitFor({ timeout: 10000 });
  await page.getByRole('button', { name: 'Editar OXXO-05' }).click();
  await check('points of sale with the detail and the form');
  await page.goto(`${st.base}/cpg/reportes`);
  await page.getByTestId('cpg-report-table').waitFor({ timeout: 15000 });
  await check('retail reports');
  await page.context().close();
});
