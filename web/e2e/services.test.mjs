// The services vertical's screens (Globex has it enabled): a contract created, activated,
// suspended, resumed and terminated with only the actions its status allows; the list paged to
// the end; billing what is due today; a reader sees everything and can change nothing; the report
// on screen and exported, to the cent of the API's answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { plain, Stack } from './harness.mjs';

const API = '/api/v1/verticals/services';
let st;
before(async () => { st = await Stack.start('services'); });
after(async () => { await st?.stop(); });

const waitActions = (page, want) => page.waitForFunction((w) => {
  const g = document.querySelector('[data-testid="contract-actions"]');
  const got = g ? [...g.querySelectorAll('button')].map((b) => b.textContent.trim()).join(',') : '';
  return got === w;
}, want.join(','), { timeout: 10000 });

test('a manager creates a contract and takes it through its lifecycle, seeing only the actions its status allows', async () => {
  // More contracts than one page holds, so the list must page to reach them all.
  st.sql(`INSERT INTO services_contracts (tenant_id, company_id, client_name, client_rfc, description, monthly_fee, starts_on, billing_day)
          SELECT 'demo', 'globex', 'Cliente de prueba ' || lpad(n::text, 3, '0'), 'CPR010101AA' || (n % 10), 'Servicio de prueba', 1000 + n, current_date, 5
          FROM generate_series(1, 60) n`);
  const total = Number(st.sql(`SELECT count(*) FROM services_contracts WHERE company_id = 'globex'`));
  const page = await st.page();
  await st.login(page, 'cfo@globex.mx');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Servicios' }).click();
  await page.waitForURL(/\/services\/contratos/, { timeout: 10000 });
  await page.getByRole('heading', { name: 'Contratos de servicio' }).waitFor();
  assert.deepEqual(await page.getByRole('navigation', { name: 'Servicios' }).getByRole('link').allInnerTexts(), ['Contratos', 'Facturación', 'Reporte']);

  // Paging through everything: 50, then the rest.
  const rows = page.getByTestId('contract-list').locator('tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="contract-list"] tbody tr').length === 50, null, { timeout: 10000 });
  await page.getByRole('button', { name: 'Cargar más' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="contract-list"] tbody tr').length === n, total, { timeout: 10000 });
  assert.equal(await page.getByRole('button', { name: 'Cargar más' }).count(), 0);
  assert.equal(await rows.filter({ hasText: 'Cliente de prueba 060' }).count(), 1);

  // The status filter: only the active ones, as the database has them.
  await page.locator('select[name=status]').selectOption('active');
  const active = Number(st.sql(`SELECT count(*) FROM services_contracts WHERE company_id = 'globex' AND status = 'active'`));
  await page.waitForFunction((n) => {
    const r = [...document.querySelectorAll('[data-testid="contract-list"] tbody tr')];
    return r.length === n && r.every((x) => x.textContent.includes('Activo'));
  }, active, { timeout: 10000 });
  await page.locator('select[name=status]').selectOption('');

  // A new contract: checked before it is sent, then created as a draft.
  await page.getByRole('button', { name: 'Nuevo contrato' }).click();
  const form = page.getByTestId('new-contract');
  await form.getByRole('button', { name: 'Crear contrato' }).click();
  await form.getByText('Escriba el nombre del cliente.').waitFor();
  assert.equal(await form.getByLabel('Cliente', { exact: true }).getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Cliente', { exact: true }).fill('Hospital Ángeles del Norte');
  await form.getByLabel('RFC del cliente').fill('han990101ab3');
  await form.getByLabel('Servicio', { exact: true }).fill('Mantenimiento de elevadores');
  await form.getByLabel('Cuota mensual sin IVA (MXN)').fill('15,000.50');
  await form.locator('select[name=iva_rate]').selectOption('0.16');
  await form.getByLabel('Día de cobro (1 a 28)').fill('1');
  // Starts on the first of this month (Mexico City), so this month's charge is due today.
  const firstOfMonth = st.sql(`SELECT date_trunc('month', now() AT TIME ZONE 'America/Mexico_City')::date`);
  await form.getByLabel('Inicio', { exact: true }).fill(firstOfMonth);
  // 15,000.50 + 16 % = 17,400.58 a month, exact.
  await page.getByTestId('new-contract-total').getByText('$17,400.58').waitFor();
  await form.getByRole('button', { name: 'Crear contrato' }).click();
  await page.getByTestId('contracts-notice').filter({ hasText: 'Contrato de Hospital Ángeles del Norte creado como borrador.' }).waitFor();
  const [id, rfc, fee, status] = st.sql(`SELECT contract_id, client_rfc, monthly_fee, status FROM services_contracts WHERE client_name = 'Hospital Ángeles del Norte'`).split('|');
  assert.deepEqual([rfc, fee, status], ['HAN990101AB3', '15000.50', 'draft']);

  const detail = page.getByTestId('contract-detail');
  await detail.getByRole('heading', { name: /Contrato de Hospital Ángeles del Norte/ }).waitFor();
  await waitActions(page, ['Activar', 'Terminar']);

  const step = async (button, notice, want, dbStatus) => {
    await detail.getByRole('button', { name: button, exact: true }).click();
    await detail.getByTestId('contract-notice').filter({ hasText: notice }).waitFor();
    await waitActions(page, want);
    assert.equal(st.sql(`SELECT status FROM services_contracts WHERE contract_id = ${id}`), dbStatus);
  };
  await step('Activar', 'Contrato activado.', ['Suspender', 'Terminar'], 'active');
  await step('Suspender', 'Contrato suspendido.', ['Reanudar', 'Terminar'], 'suspended');
  await step('Reanudar', 'Contrato reanudado.', ['Suspender', 'Terminar'], 'active');
  // Among the active contracts now.
  await page.locator('select[name=status]').selectOption('active');
  assert.match(await rows.filter({ hasText: 'Hospital Ángeles del Norte' }).innerText({ timeout: 10000 }), /Activo/);

  // Billing what is due today: this month's charge of the new contract (unless the hourly job
  // got there first — then nothing is left to bill, and the charge is there all the same).
  await page.getByRole('navigation', { name: 'Servicios' }).getByRole('link', { name: 'Facturación' }).click();
  await page.getByRole('heading', { name: 'Facturación de servicios' }).waitFor();
  const before = Number(st.sql(`SELECT count(*) FROM services_billings WHERE company_id = 'globex'`));
  await page.getByRole('button', { name: 'Facturar lo vencido hoy' }).click();
  const result = await page.getByTestId('billing-run-result').innerText({ timeout: 10000 });
  const billedNow = Number(st.sql(`SELECT count(*) FROM services_billings WHERE company_id = 'globex'`)) - before;
  assert.equal(result, billedNow === 0 ? 'No había cargos vencidos por facturar hoy.' : billedNow === 1 ? 'Se facturó 1 cargo vencido.' : `Se facturaron ${billedNow} cargos vencidos.`);
  assert.equal(st.sql(`SELECT string_agg(amount::text, ',') FROM services_billings WHERE contract_id = ${id}`), '17400.58');
  // The billings of this contract only.
  await page.locator('select[name=contract_id]').selectOption(id);
  await page.waitForFunction(() => {
    const r = [...document.querySelectorAll('[data-testid="billing-list"] tbody tr')];
    return r.length === 1 && r[0].textContent.includes('Hospital Ángeles del Norte') && r[0].textContent.includes('$17,400.58');
  }, null, { timeout: 10000 });

  // Back to the contract: its billing, then terminated after confirming.
  await page.getByRole('navigation', { name: 'Servicios' }).getByRole('link', { name: 'Contratos' }).click();
  await page.getByRole('heading', { name: 'Contratos de servicio' }).waitFor();
  await page.locator('select[name=status]').selectOption('active');
  await page.getByRole('button', { name: 'Hospital Ángeles del Norte' }).click();
  await page.getByTestId('contract-billings').getByText('$17,400.58').first().waitFor();
  await waitActions(page, ['Suspender', 'Terminar']);
  await detail.getByRole('button', { name: 'Terminar', exact: true }).click();
  const confirm = page.getByTestId('confirm-terminate');
  await confirm.getByText('¿Terminar el contrato de Hospital Ángeles del Norte?').waitFor();
  await confirm.getByRole('button', { name: 'No, conservar' }).click();
  await waitActions(page, ['Suspender', 'Terminar']);
  assert.equal(st.sql(`SELECT status FROM services_contracts WHERE contract_id = ${id}`), 'active');
  await detail.getByRole('button', { name: 'Terminar', exact: true }).click();
  await confirm.getByRole('button', { name: 'Sí, terminar' }).click();
  await detail.getByTestId('contract-notice').filter({ hasText: 'Contrato terminado.' }).waitFor();
  await waitActions(page, []);
  assert.equal(st.sql(`SELECT status FROM services_contracts WHERE contract_id = ${id}`), 'terminated');
  await page.context().close();
});

test('a reader sees contracts and billings, and no action that changes them', async () => {
  const page = await st.page();
  await st.login(page, 'director@grupo.mx');
  await page.getByTestId('company-switcher').selectOption('globex');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Servicios' }).click();
  await page.getByRole('heading', { name: 'Contratos de servicio' }).waitFor();
  await page.getByRole('button', { name: 'Hotel Las Palmas' }).click();
  const detail = page.getByTestId('contract-detail');
  await detail.getByTestId('contract-billings').waitFor();
  const billings = Number(st.sql(`SELECT count(*) FROM services_billings b JOIN services_contracts c USING (contract_id) WHERE c.client_name = 'Hotel Las Palmas'`));
  assert.ok(billings > 0, 'the demo bills Hotel Las Palmas every month');
  assert.equal(await detail.getByTestId('contract-billings').locator('tbody tr').count(), billings);
  assert.equal(await detail.getByTestId('contract-actions').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Nuevo contrato' }).count(), 0);
  await page.getByRole('navigation', { name: 'Servicios' }).getByRole('link', { name: 'Facturación' }).click();
  await page.getByTestId('billing-list').locator('tbody tr').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Facturar lo vencido hoy' }).count(), 0);
  await page.context().close();
});

const asText = (c) => { const s = (c < 0n ? -c : c).toString().padStart(3, '0'); return (c < 0n ? '-' : '') + s.slice(0, -2) + '.' + s.slice(-2); };
const cents = (d) => BigInt(d.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1'));

test('the services report shows what was billed by month, with a chart, and exports the same rows', async (t) => {
  const page = await st.page();
  await st.login(page, 'cfo@globex.mx');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Servicios' }).click();
  await page.getByRole('navigation', { name: 'Servicios' }).getByRole('link', { name: 'Reporte' }).click();
  await page.getByRole('heading', { name: 'Reporte de servicios' }).waitFor();
  const from = await page.locator('input[name=from]').inputValue();
  const to = await page.locator('input[name=to]').inputValue();
  let api;
  try {
    api = await st.apiAs('cfo@globex.mx', `${API}/reports/billing?group_by=month&measures=billed,billings&sort=month&limit=1000&from=${from}&to=${to}`);
  } catch (e) {
    if (!/route_not_found/.test(String(e))) throw e;
    // The server has no report endpoint yet: the screen says so plainly.
    await page.getByText('Este servidor aún no ofrece el reporte de servicios.').waitFor();
    t.skip('GET /api/v1/verticals/services/reports/{name} is not in this server yet');
    await page.context().close();
    return;
  }
  assert.ok(api.rows.length > 0, 'the demo billed Globex this year');
  const want = asText(api.rows.reduce((s, r) => s + cents(r.billed), 0n));
  await page.waitForFunction((w) => (document.querySelector('[data-testid="report-total"]')?.textContent ?? '').replace(/[^0-9.-]/g, '') === w, want, { timeout: 10000 });
  assert.equal(await page.getByTestId('report-table').locator('tbody tr').count(), api.rows.length);
  assert.equal(await page.locator('figure.chart rect.bar').count(), api.rows.length);

  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.getByTestId('csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
  assert.equal(csv[0], 'Mes,Cargos,Facturado (con IVA) MXN');
  assert.equal(csv.length, api.rows.length + 2);
  assert.equal(csv.at(-1).split(',').at(-1), want);
  assert.equal(plain(await page.getByTestId('report-total').innerText()), want);

  const [xlsx] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.getByTestId('xlsx').click()]);
  assert.match(xlsx.suggestedFilename(), /^servicios-facturacion-.*\.xlsx$/);
  const cells = execFileSync('python3', ['-c', `import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode()
print(len(re.findall(r'<row ', x)), re.findall(r'<v>([^<]*)</v>', x)[-1])`, await xlsx.path()], { encoding: 'utf8' }).trim().split(' ');
  assert.equal(Number(cells[0]), api.rows.length + 2);
  assert.equal(Number(cells[1]).toFixed(2), want);

  // Recurring fees of the active contracts, by client.
  await page.locator('select[name=report]').selectOption('recurring');
  const rec = await st.apiAs('cfo@globex.mx', `${API}/reports/recurring?group_by=client&measures=monthly_fee,contracts&sort=-monthly_fee&limit=1000`);
  const wantRec = asText(rec.rows.reduce((s, r) => s + cents(r.monthly_fee), 0n));
  await page.waitForFunction((w) => (document.querySelector('[data-testid="report-total"]')?.textContent ?? '').replace(/[^0-9.-]/g, '') === w, wantRec, { timeout: 10000 });
  assert.equal(await page.getByTestId('report-table').locator('tbody tr').count(), rec.rows.length);
  await page.context().close();
});
