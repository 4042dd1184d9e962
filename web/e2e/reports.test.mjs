// The unified report: filters change the rows; the total and the CSV match the API to the cent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { plain, Stack } from './harness.mjs';

let st;
before(async () => { st = await Stack.start('reports'); });
after(async () => { await st?.stop(); });

function sumCents(rows) {
  return rows.reduce((t, r) => t + BigInt(r.total.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1')), 0n);
}
const asText = (c) => { const s = (c < 0n ? -c : c).toString().padStart(3, '0'); return (c < 0n ? '-' : '') + s.slice(0, -2) + '.' + s.slice(-2); };

test('report filters, totals to the cent and a CSV download that adds up', async () => {
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByRole('link', { name: 'Reportes' }).click();
  await page.getByTestId('report-total').waitFor();
  const from = await page.locator('input[name=from]').inputValue();
  const to = await page.locator('input[name=to]').inputValue();

  await page.locator('select[name=vertical]').selectOption('cpg');
  await page.locator('select[name=group_by]').selectOption('month');
  const q = `group_by=month&measures=total,count&limit=1000&from=${from}&to=${to}&filter.vertical=cpg`;
  const api = await st.apiAs('cfo@acme.mx', `/api/v1/reports/revenue?${q}`);
  assert.ok(api.rows.length > 0, 'the demo has CPG revenue this year');
  const want = asText(sumCents(api.rows));
  await page.waitForFunction((w) => (document.querySelector('[data-testid="report-total"]')?.textContent ?? '').replace(/[^0-9.-]/g, '') === w, want);
  assert.equal(await page.locator('[data-testid="report-table"] tbody tr').count(), api.rows.length);

  // Only invoices: a different total, still the API's.
  await page.locator('select[name=vertical]').selectOption('');
  await page.locator('select[name=type]').selectOption('invoice');
  const inv = await st.apiAs('cfo@acme.mx', `/api/v1/reports/revenue?group_by=month&measures=total,count&limit=1000&from=${from}&to=${to}&filter.transaction_type=invoice`);
  const wantInv = asText(sumCents(inv.rows));
  await page.waitForFunction((w) => (document.querySelector('[data-testid="report-total"]')?.textContent ?? '').replace(/[^0-9.-]/g, '') === w, wantInv);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
  assert.equal(csv[0], 'Mes,Operaciones,Total MXN');
  const body = csv.slice(1, -1).map((l) => l.split(','));
  assert.equal(body.length, inv.rows.length);
  const csvSum = body.reduce((t, c) => t + BigInt(c[2].replace('.', '')), 0n);
  assert.equal(asText(csvSum), wantInv);
  assert.equal(csv.at(-1).split(',').at(-1), wantInv);
  assert.equal(plain(await page.getByTestId('report-total').innerText()), wantInv);

  // The XLSX has the same rows and, in its last cell, the same total.
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('xlsx').click()]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  const cells = execFileSync('python3', ['-c', `import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode()
print(len(re.findall(r'<row ', x)), re.findall(r'<v>([^<]*)</v>', x)[-1])`, await xlsx.path()], { encoding: 'utf8' }).trim().split(' ');
  assert.equal(Number(cells[0]), inv.rows.length + 2);
  assert.equal(Number(cells[1]).toFixed(2), wantInv);
  await page.context().close();
});
