// The CEO's dashboard: its totals are the API's and the seed's case-5 SQL; a sale made at the
// point of sale in another browser shows up live (pushed, no reload) with its freshness reset.
// How fast it shows up is a speed target, measured in bench/freshness (commit -> dashboard p99),
// not here: under CI's sanitizers and parallel suites a wall-clock bound would only be noise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { plain, Stack } from './harness.mjs';

let st;
before(async () => { st = await Stack.start('dash'); });
after(async () => { await st?.stop(); });

test('dashboard totals equal /api/v1/dashboard and get_company_total_revenue', async () => {
  const page = await st.page();
  let asked = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/dashboard') asked += 1; });
  await st.login(page, 'ceo@acme.mx');
  await page.getByTestId('revenue-year').waitFor();
  await page.getByTestId('live').filter({ hasText: 'En vivo' }).waitFor();
  await page.waitForTimeout(1500); // past the fallback load's second
  assert.equal(asked, 1, 'the dashboard is asked for once on load');
  const api = await st.apiAs('ceo@acme.mx', '/api/v1/dashboard');
  assert.equal(plain(await page.getByTestId('revenue-year').innerText()), api.revenue.year);
  assert.equal(plain(await page.getByTestId('revenue-month').innerText()), api.revenue.month);
  assert.equal(plain(await page.getByTestId('revenue-today').innerText()), api.revenue.today);
  assert.equal(plain(await page.getByTestId('receivables').innerText()), api.receivables.outstanding_mxn);
  const year = api.today.slice(0, 4);
  const sql = st.sql(`SELECT get_company_total_revenue('acme', '${year}-01-01', '${api.today}')`);
  assert.equal(plain(await page.getByTestId('revenue-year').innerText()), sql);
  // The case-5 breakdown by type, row by row.
  for (const item of api.by_type.items) {
    const row = page.locator(`[data-testid="by-type"] tr[data-type="${item.transaction_type}"] td.amount:last-child`);
    assert.equal(plain(await row.innerText()), item.total);
  }
  await page.context().close();
});

test('a POS sale in one browser appears live on the CEO dashboard in another', async () => {
  const ceo = await st.page();
  await st.login(ceo, 'ceo@acme.mx');
  await ceo.getByTestId('live').filter({ hasText: 'En vivo' }).waitFor();
  const before = plain(await ceo.getByTestId('revenue-today').innerText());
  await ceo.waitForTimeout(3000); // let the freshness counter move past a few seconds

  const cashier = await st.page({ width: 768, height: 1024 });
  await st.login(cashier, 'cajero@acme.mx');
  await cashier.getByTestId('pos-search').waitFor();
  const sku = st.sql("SELECT sku FROM cpg_products WHERE company_id = 'acme' AND active ORDER BY sku LIMIT 1");
  await cashier.getByTestId('pos-search').fill(sku);
  await cashier.getByTestId('pos-search').press('Enter'); // a scanner types the code and Enter
  await cashier.locator(`button[data-sku="${sku}"]`).click(); // and a tap adds a second unit
  const total = plain(await cashier.getByTestId('cart-total').innerText());
  await cashier.getByTestId('record-sale').dblclick(); // a double tap records one sale
  await cashier.getByTestId('sale-done').waitFor();
  const recordedAt = Date.now();
  const expected = (BigInt(before.replace('.', '')) + BigInt(total.replace('.', ''))).toString().padStart(3, '0');
  const expectedText = expected.slice(0, -2) + '.' + expected.slice(-2);
  await ceo.waitForFunction((want) => {
    const t = document.querySelector('[data-testid="revenue-today"]')?.textContent ?? '';
    return t.replace(/[^0-9.-]/g, '') === want;
  }, expectedText, { timeout: 15000 });
  // Fresh means counted from a refresh after the sale: no older than the time since it was
  // recorded (+1 s for rounding), where before the sale the panel was at least 3 s old.
  const sinceSale = Math.ceil((Date.now() - recordedAt) / 1000) + 1;
  const age = /hace (\d+) s/.exec(await ceo.getByTestId('freshness').first().innerText());
  assert.ok(age && Number(age[1]) <= sinceSale, `freshness "${age?.[0]}" not reset by the sale (${sinceSale} s ago)`);
  assert.equal(st.sql("SELECT count(*) FROM cpg_sales WHERE company_id = 'acme' AND ticket ~ '^T[0-9]{6}-'"), '1');
  await ceo.context().close();
  await cashier.context().close();
});

test('"Actualizar ahora" refreshes and reports duration and rows', async () => {
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByTestId('refresh-now').click();
  await page.getByTestId('refresh-result').filter({ hasText: /Listo en .* filas verificadas/ }).waitFor();
  await page.context().close();
});

for (const [device, width, height] of [['phone', 390, 844], ['tablet', 768, 1024]]) {
  test(`the dashboard fits a ${device}: nothing wider than the screen or its panel`, async () => {
    const page = await st.page({ width, height });
    await st.login(page, 'ceo@acme.mx');
    await page.getByTestId('revenue-year').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the ${width}px screen`);
    const spilled = await page.evaluate(() => [...document.querySelectorAll('.panel')]
      .filter((p) => p.scrollWidth > p.clientWidth + 1).map((p) => p.querySelector('h2')?.textContent));
    assert.deepEqual(spilled, []);
    await page.context().close();
  });
}
