// Sign-in, sign-out, roles on screen, and the company switcher never showing the other company's data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { money, plain, Stack } from './harness.mjs';

let st;
before(async () => { st = await Stack.start('auth'); });
after(async () => { await st?.stop(); });

test('a wrong password is refused with a clear message and no session', async () => {
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx', 'not-the-password');
  await assert.doesNotReject(page.getByTestId('login-error').waitFor());
  assert.equal(await page.getByTestId('login-error').innerText(), 'Correo o contraseña incorrectos.');
  assert.match(page.url(), /\/login/);
  await page.goto(st.base + '/');
  await page.waitForURL(/\/login/);
  await page.context().close();
});

test('the CFO signs in, sees the dashboard with "Actualizar ahora", and signs out', async () => {
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByRole('heading', { name: /Panel de Acme/ }).waitFor();
  assert.equal(await page.getByTestId('refresh-now').count(), 1);
  await page.getByRole('button', { name: 'Salir' }).click();
  await page.waitForURL(/\/login/);
  // The session is gone on the server too: going back lands on the login page.
  await page.goto(st.base + '/reportes');
  await page.waitForURL(/\/login/);
  await page.context().close();
});

test('a cashier lands on the point of sale and never sees the refresh button or the admin', async () => {
  const page = await st.page({ width: 768, height: 1024 });
  await st.login(page, 'cajero@acme.mx');
  await page.waitForURL(/\/cpg\/venta/);
  await page.getByRole('heading', { name: 'Punto de venta' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Principal' });
  // Its vertical's entry (the company has Retail CPG enabled), leading to the one screen it may use.
  assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Retail CPG']);
  assert.equal(await page.getByTestId('refresh-now').count(), 0);
  await page.goto(st.base + '/');
  await page.waitForURL(/\/cpg\/venta/);
  assert.equal(await page.getByTestId('refresh-now').count(), 0);
  await page.goto(st.base + '/ajustes');
  await page.getByRole('heading', { name: 'Sin acceso' }).waitFor();
  await page.context().close();
});

test("switching company shows only the chosen company's numbers", async () => {
  st.sql(`INSERT INTO sat_invoices (tenant_id, company_id, uuid, sha256, version, fecha, tipo, direction, emisor_rfc, receptor_rfc,
            counterparty_rfc, subtotal, total, moneda, total_mxn, status, xml)
          VALUES ('demo', 'globex', 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', repeat('a', 64), '4.0', now(), 'I', 'issued', 'GCO930215KX7',
            'XAXX010101000', 'XAXX010101000', 777777.77, 777777.77, 'MXN', 777777.77, 'vigente', '\\x00'::bytea)`);
  const acme = await st.apiAs('director@grupo.mx', '/api/v1/dashboard', { company: 'acme' });
  const globex = await st.apiAs('director@grupo.mx', '/api/v1/dashboard', { company: 'globex' });
  assert.notEqual(acme.revenue.year, globex.revenue.year);
  const page = await st.page();
  await st.login(page, 'director@grupo.mx');
  await page.getByRole('heading', { name: /Panel de Acme/ }).waitFor();
  assert.equal(plain(await page.getByTestId('revenue-year').innerText()), acme.revenue.year);
  await page.getByTestId('company-switcher').selectOption('globex');
  await page.getByRole('heading', { name: /Panel de Globex/ }).waitFor();
  await page.getByTestId('revenue-year').waitFor();
  assert.equal(plain(await page.getByTestId('revenue-year').innerText()), globex.revenue.year);
  assert.equal(await page.getByText(money(acme.revenue.year)).count(), 0);
  assert.equal(await page.getByText('Panel de Acme').count(), 0);
  // Back to Acme: none of Globex's numbers stay on screen.
  await page.getByTestId('company-switcher').selectOption('acme');
  await page.getByRole('heading', { name: /Panel de Acme/ }).waitFor();
  await page.getByTestId('revenue-year').waitFor();
  assert.equal(plain(await page.getByTestId('revenue-year').innerText()), acme.revenue.year);
  assert.equal(await page.getByText(money(globex.revenue.year)).count(), 0);
  await page.context().close();
});
