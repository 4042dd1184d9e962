// Importing invoices from the browser (an XML and a ZIP, with the per-file report and each
// document's seal, a refused seal imported explicitly unverified after a confirmation), and a
// reconciliation suggestion accepted and undone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, Stack } from './harness.mjs';

let st;
let dir;
before(async () => {
  st = await Stack.start('invoices');
  dir = mkdtempSync(join(tmpdir(), 'vertice-e2e-'));
  // A company whose RFC the fixtures carry (the fixtures are real third-party CFDI), run by the owner.
  st.sql(`INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('hye', 'demo', 'H&E Pruebas', 'H&E951128469');
          INSERT INTO memberships (tenant_id, company_id, user_id, role)
          SELECT 'demo', 'hye', user_id, 'owner' FROM users WHERE email = 'admin@acme.mx'`);
});
after(async () => { await st?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

test('uploading an XML and a ZIP shows each file accepted, duplicate or rejected in plain Spanish', async () => {
  const zip = join(dir, 'sat-descarga.zip');
  execFileSync('python3', ['-c', `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w')
for p in sys.argv[2:]: z.write(p, p.rsplit('/', 1)[1])
z.close()`, zip, FIXTURES + 'cfdi/cfdi40_i_ppd_iva16_stamped.xml', FIXTURES + 'cfdi/cfdi40_i_pue_iva16_stamped.xml',
  FIXTURES + 'cfdi/broken_totals_mismatch.xml']);
  const page = await st.page();
  await st.login(page, 'admin@acme.mx');
  await page.getByTestId('company-switcher').selectOption('hye');
  await page.getByRole('link', { name: 'Facturas' }).click();
  await page.getByTestId('invoice-file').setInputFiles(FIXTURES + 'cfdi/cfdi40_i_iva8_stamped.xml');
  const report = page.getByTestId('import-report');
  await report.getByText('1 aceptados').waitFor();
  await page.getByTestId('invoice-list').locator('tbody tr').first().waitFor();
  assert.equal(await page.getByTestId('invoice-list').locator('tbody tr').count(), 1);

  assert.match(await report.locator('li[data-status="accepted"]').innerText(), /Sello válido/);

  await page.getByTestId('invoice-file').setInputFiles(zip);
  await report.getByText('3 archivos').waitFor();
  // The PPD fixture carries the UUID of the XML already imported, with other bytes: a conflict.
  // The PUE twin carries the PPD's seal (copied, not sealed) and the broken one was edited after
  // sealing: both refused for their seal.
  assert.equal(await report.locator('li[data-status="accepted"]').count(), 0);
  assert.match(await report.locator('li[data-status="conflict"]').innerText(), /Conflicto.*cfdi40_i_ppd_iva16_stamped\.xml/s);
  assert.equal(await report.locator('li[data-status="rejected"]').count(), 2);
  const refused = await report.locator('li[data-status="rejected"]').allInnerTexts();
  assert.ok(refused.some((t) => /Rechazado.*broken_totals_mismatch\.xml.*Sello inválido/s.test(t)), refused.join('\n'));
  assert.ok(refused.some((t) => /Rechazado.*cfdi40_i_pue_iva16_stamped\.xml.*Sello inválido/s.test(t)), refused.join('\n'));
  assert.equal(st.sql("SELECT count(*) FROM sat_invoices WHERE company_id = 'hye'"), '1');

  // Imported explicitly without verification, after a confirmation: stored, marked and audited.
  await page.getByTestId('unverified-toggle').check();
  await page.getByTestId('unverified-confirm').waitFor();
  await page.getByTestId('unverified-yes').click();
  await page.getByTestId('unverified-armed').waitFor();
  await page.getByTestId('invoice-file').setInputFiles(FIXTURES + 'cfdi/cfdi40_i_pue_iva16_stamped.xml');
  await report.locator('li[data-status="accepted"]').filter({ hasText: 'Importada sin verificar' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="invoice-list"] tbody tr').length === 2);
  assert.match(await page.getByTestId('invoice-list').innerText(), /Importada sin verificar/);
  assert.equal(st.sql("SELECT seal_state FROM sat_invoices WHERE company_id = 'hye' AND uuid = '6E546729-960A-4505-8E81-2D2952145BD9'"),
    'unverified_import');
  assert.equal(st.sql("SELECT count(*) FROM audit_log WHERE company_id = 'hye' AND action = 'invoice.imported_unverified'"), '1');
  await page.getByTestId('unverified-toggle').uncheck();

  // The same XML again is a duplicate, and changes nothing.
  await page.getByTestId('invoice-file').setInputFiles(FIXTURES + 'cfdi/cfdi40_i_iva8_stamped.xml');
  await report.locator('li[data-status="duplicate"]').waitFor();
  assert.equal(st.sql("SELECT count(*) FROM sat_invoices WHERE company_id = 'hye'"), '2');

  // A document's detail and its original XML.
  await page.getByTestId('invoice-list').locator('tbody tr button').first().click();
  await page.getByTestId('invoice-detail').getByText('Total').first().waitFor();
  await page.getByTestId('invoice-outstanding').waitFor(); // the balance, from the API's detail
  assert.match(await page.getByTestId('invoice-seal').innerText(), /Sello válido|Importada sin verificar/);
  assert.match(await page.getByTestId('invoice-detail').innerText(), /Traslado IVA (8|16) %/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar XML' }).click()]);
  assert.match(download.suggestedFilename(), /\.xml$/);
  await page.context().close();
});

test('a reconciliation suggestion is accepted, then undone', async () => {
  // An open invoice of Acme and a deposit of exactly its amount with no other evidence: a suggestion,
  // among whatever the demo's month of movements left to review.
  const [invoiceId, total, day] = st.sql(`SELECT invoice_id, total_mxn, fecha::date FROM sat_invoices WHERE company_id = 'acme'
      AND direction = 'issued' AND tipo = 'I' AND moneda = 'MXN' AND status = 'vigente' AND outstanding > 0 AND outstanding = total
      ORDER BY fecha DESC LIMIT 1`).split('|');
  assert.ok(invoiceId, 'the demo has an open invoice');
  const accepted = () => Number(st.sql(`SELECT count(*) FROM reconciliation_matches WHERE company_id = 'acme' AND state = 'accepted'`));
  const before = accepted();
  const csv = join(dir, 'estado.csv');
  writeFileSync(csv, `Fecha,Descripcion,Monto,Referencia\n${day},SPEI RECIBIDO,${total},0001\n`);
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByRole('link', { name: 'Conciliación' }).click();
  await page.getByRole('heading', { name: 'Conciliación bancaria' }).waitFor();
  await page.getByTestId('statement-file').setInputFiles(csv); // into the company's one account
  await page.getByText(/1 movimientos nuevos/).waitFor();
  await page.getByRole('button', { name: 'Conciliar ahora' }).click();
  await page.getByTestId('recon-notice').filter({ hasText: 'Conciliación ejecutada.' }).waitFor();
  assert.match(await page.getByTestId('recon-notice').innerText(), /[1-9]\d* sugerencias/);
  const movement = st.sql(`SELECT movement_id FROM bank_movements WHERE company_id = 'acme' AND description = 'SPEI RECIBIDO' AND amount = ${total}`);
  const match = st.sql(`SELECT match_id FROM reconciliation_matches WHERE company_id = 'acme' AND movement_id = ${movement} AND state = 'proposed'`);
  assert.ok(match, 'the deposit got a suggestion');
  const row = page.getByTestId('suggestions').locator(`tbody tr[data-match="${match}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: 'Aceptar' }).click();
  await page.getByTestId('recon-notice').filter({ hasText: 'Sugerencia aceptada.' }).waitFor();
  assert.equal(accepted(), before + 1);
  await page.getByTestId('undo').click();
  await page.getByTestId('recon-notice').filter({ hasText: 'Conciliación deshecha.' }).waitFor();
  assert.equal(accepted(), before);
  await page.context().close();
});
