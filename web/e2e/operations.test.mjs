// The rest of the daily work: a consignment from delivery to settlement, a manual reconciliation
// that must add up, an API key shown once, and the health page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from './harness.mjs';

let st;
before(async () => { st = await Stack.start('ops'); });
after(async () => { await st?.stop(); });

test('a consignment is delivered, its sales reported and a payment recorded', async () => {
  const page = await st.page({ width: 1024, height: 768 });
  await st.login(page, 'cfo@acme.mx');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Retail CPG' }).click();
  await page.getByRole('tab', { name: 'Consignación' }).click();
  const sku = st.sql("SELECT name FROM cpg_products WHERE company_id = 'acme' AND active ORDER BY sku LIMIT 1");
  await page.getByLabel(`Cantidad a entregar de ${sku}`).fill('10');
  await page.getByRole('button', { name: 'Registrar entrega' }).click();
  await page.getByText('Entrega registrada.').waitFor();
  const id = st.sql("SELECT consignment_id FROM cpg_consignments WHERE company_id = 'acme' ORDER BY consignment_id DESC LIMIT 1");
  assert.equal(st.sql(`SELECT status FROM cpg_consignments WHERE consignment_id = ${id}`), 'delivered');
  const folio = st.sql(`SELECT folio FROM cpg_consignments WHERE consignment_id = ${id}`);
  await page.getByRole('row', { name: new RegExp(folio) }).getByRole('button', { name: 'Abrir' }).click();
  await page.getByLabel(`Vendido de ${sku}`).fill('4');
  await page.getByLabel(`Devuelto de ${sku}`).fill('1');
  await page.getByRole('button', { name: 'Registrar vendido y devuelto' }).click();
  await page.getByText('Reporte de ventas registrado.').waitFor();
  assert.equal(st.sql(`SELECT qty_sold::int || '/' || qty_returned::int FROM cpg_consignment_lines WHERE consignment_id = ${id}`), '4/1');
  const due = st.sql(`SELECT amount_due FROM cpg_consignments WHERE consignment_id = ${id}`);
  await page.getByLabel('Monto del pago').fill('1.00');
  await page.getByRole('button', { name: 'Registrar pago' }).click();
  await page.getByText('Pago registrado.').waitFor();
  assert.equal(st.sql(`SELECT settled FROM cpg_consignments WHERE consignment_id = ${id}`), '1.00');
  assert.notEqual(due, '0.00');
  await page.context().close();
});

test('a manual match must add up to the movement, then settles it', async () => {
  const [invoiceId, total, day, name] = st.sql(`SELECT invoice_id, total_mxn, fecha::date, counterparty_name FROM sat_invoices
      WHERE company_id = 'acme' AND direction = 'issued' AND tipo = 'I' AND moneda = 'MXN' AND status = 'vigente'
        AND outstanding = total AND total > 100 ORDER BY fecha DESC LIMIT 1`).split('|');
  const account = await st.apiAs('cfo@acme.mx', '/api/v1/bank/accounts', { method: 'POST', json: { name: 'Operativa', clabe: '012180001234567899' } });
  await st.apiAs('cfo@acme.mx', `/api/v1/bank/statements?account_id=${account.account_id}&format=csv`,
    { method: 'POST', raw: `Fecha,Descripcion,Monto,Referencia\n${day},ABONO VARIOS,${total},5512001\n` });
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByRole('link', { name: 'Conciliación' }).click();
  await page.getByRole('row', { name: /ABONO VARIOS/ }).getByRole('button', { name: 'Conciliar a mano' }).click();
  await page.getByLabel('Buscar facturas por cliente o RFC').fill(name.split(' ')[0]);
  const folio = st.sql(`SELECT coalesce(folio, '') FROM sat_invoices WHERE invoice_id = ${invoiceId}`);
  const amount = page.getByLabel(`Monto a aplicar a ${folio || invoiceId}`);
  await amount.fill('1.00');
  assert.equal(await page.getByRole('button', { name: 'Registrar' }).isDisabled(), true); // does not add up
  await amount.fill(total);
  await page.getByRole('button', { name: 'Registrar' }).click();
  await page.getByText('Conciliación manual registrada.').waitFor();
  assert.equal(st.sql(`SELECT status FROM bank_movements WHERE description = 'ABONO VARIOS'`), 'reconciled');
  assert.equal(st.sql(`SELECT count(*) FROM reconciliation_matches WHERE state = 'accepted' AND origin = 'manual'`), '1');
  await page.context().close();
});

test('an API key is shown once, and the health page shows the refresh log', async () => {
  const page = await st.page();
  await st.login(page, 'admin@acme.mx');
  await page.getByRole('link', { name: 'Ajustes' }).click();
  const keys = page.locator('section', { has: page.getByRole('heading', { name: 'Llaves de API' }) });
  await keys.getByLabel('Nombre').fill('Terminal 1');
  await keys.getByRole('button', { name: 'Crear llave' }).click();
  const shown = page.getByTestId('shown-once');
  await shown.waitFor();
  const key = /vk_\S+/.exec(await shown.innerText())[0];
  await shown.getByRole('button', { name: 'Ya la guardé' }).click();
  assert.equal((await page.locator('body').innerText()).includes(key), false); // only its prefix stays
  assert.equal(await page.getByText('Terminal 1').count(), 1);
  await page.getByRole('link', { name: 'Salud' }).click();
  await page.getByTestId('health-status').waitFor();
  await page.getByRole('heading', { name: 'Bitácora de actualizaciones' }).waitFor();
  await page.context().close();
});

test('an owner creates another company of the group and lands in it as its owner', async () => {
  const page = await st.page({ width: 1280, height: 900 });
  await st.login(page, 'admin@acme.mx');
  await page.getByRole('link', { name: 'Ajustes' }).click(); // once signed in (a goto could race the sign-in's redirect)
  const form = page.getByTestId('new-company');
  await form.getByLabel('Clave').fill('acme-sur');
  await form.getByLabel('Razón social').fill('Acme Sur SA de CV');
  await form.getByLabel('RFC').fill('asu010101ab1');
  await form.getByRole('button', { name: 'Crear empresa' }).click();
  await page.getByTestId('company-switcher').waitFor({ timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="company-switcher"]')?.value === 'acme-sur', null, { timeout: 15000 });
  assert.equal(st.sql("SELECT m.role FROM memberships m JOIN users u USING (user_id) WHERE m.company_id = 'acme-sur' AND u.email = 'admin@acme.mx'"), 'owner');
  assert.equal(st.sql("SELECT rfc FROM companies WHERE company_id = 'acme-sur'"), 'ASU010101AB1');
  await page.getByRole('heading', { name: 'Ajustes de la empresa' }).waitFor();
  await page.context().close();
});
