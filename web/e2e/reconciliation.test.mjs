// Reconciliation with more than a page of everything: suggestions and movements are browsed page
// by page to the last one; each suggestion shows its confidence as a level (alta / media / baja)
// with its reasons in Spanish, and the raw score on hover.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from './harness.mjs';

const MOVEMENTS = 130;
const SUGGESTIONS = 120;
const CO = 'conciliadora';
let st;
before(async () => {
  st = await Stack.start('recon');
  // A company of the group with no bank data yet (the demo's companies carry a month of it), run
  // by Acme's CFO as its CFO: the counts below are this test's alone.
  st.sql(`INSERT INTO companies (company_id, tenant_id, legal_name, rfc) VALUES ('${CO}', 'demo', 'Conciliadora de Pruebas', 'CPR010101AB1');
          INSERT INTO memberships (tenant_id, company_id, user_id, role)
          SELECT 'demo', '${CO}', user_id, 'cfo' FROM users WHERE email = 'cfo@acme.mx'`);
  // A statement of 130 deposits, imported through the API as a bank would send it.
  const account = await st.apiAs('cfo@acme.mx', '/api/v1/bank/accounts', { method: 'POST', company: CO, json: { name: 'Concentradora', clabe: '012180001234567899' } });
  const lines = ['Fecha,Descripcion,Monto,Referencia'];
  for (let i = 1; i <= MOVEMENTS; i++) {
    const day = `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`;
    lines.push(`${day},DEPOSITO E2E ${String(i).padStart(3, '0')},${1000 + i}.50,REF${i}`);
  }
  await st.apiAs('cfo@acme.mx', `/api/v1/bank/statements?account_id=${account.account_id}&format=csv`, { method: 'POST', company: CO, raw: lines.join('\n') + '\n' });
  // Suggestions for the first 120 of them, as a matcher run would store them: scores across the
  // three levels, reasons as the matcher writes them today (sentences), as codes (those being
  // added among them) and one code no label knows yet.
  st.sql(`INSERT INTO reconciliation_matches (tenant_id, company_id, movement_id, origin, state, score, reasons, created_by)
          SELECT tenant_id, company_id, movement_id, 'suggestion', 'proposed',
                 (ARRAY[8.5, 6.0, 4.5])[1 + (n - 1) % 3],
                 (ARRAY['["exact_amount", "payer_by_name"]', '["fee_deducted", "fx_rate", "importe exacto"]',
                        '["installment", "third_party_reference", "credit_note_netted", "mystery_signal"]'])[1 + (n - 1) % 3]::jsonb,
                 'e2e'
          FROM (SELECT m.*, row_number() OVER (ORDER BY substring(description FROM '[0-9]+$')::int) AS n
                FROM bank_movements m WHERE company_id = '${CO}') m
          WHERE n <= ${SUGGESTIONS} ORDER BY n`);
});
after(async () => { await st?.stop(); });

const rowTexts = (page, testId) => page.getByTestId(testId).locator('tbody tr').allInnerTexts();
const waitPosition = (page, testId, re) => page.waitForFunction(([id, src]) =>
  new RegExp(src).test(document.querySelector(`[data-testid="${id}-position"]`)?.textContent ?? ''), [testId, re.source], { timeout: 10000 });

test('suggestions page through all of them, each with its level, reasons in Spanish and its score on hover', async () => {
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByTestId('company-switcher').selectOption(CO);
  await page.getByRole('link', { name: 'Conciliación' }).click();
  await page.getByRole('heading', { name: 'Conciliación bancaria' }).waitFor();
  const pager = page.getByTestId('suggestions-pager');
  await waitPosition(page, 'suggestions-pager', /^Página 1 de 3 · filas 1–50$/);
  const first = await rowTexts(page, 'suggestions');
  assert.equal(first.length, 50);
  assert.match(first[0], /DEPOSITO E2E 001/);

  // Levels from the matcher's thresholds: 8.5 alta, 6.0 media, 4.5 baja; the score on hover.
  const rows = page.getByTestId('suggestions').locator('tbody tr');
  const expect = [['alta', 'Confianza alta', '8.5'], ['media', 'Confianza media', '6.0'], ['baja', 'Confianza baja', '4.5']];
  for (const [i, [level, text, score]] of expect.entries()) {
    const badge = rows.nth(i).getByTestId('confidence');
    assert.equal(await badge.getAttribute('data-level'), level);
    assert.match(await badge.innerText(), new RegExp(`^${text}`));
    await badge.hover();
    assert.equal(await badge.getAttribute('title'), `Puntuación ${score}`);
  }
  assert.deepEqual(await rows.nth(0).getByTestId('reasons').locator('li').allInnerTexts(), ['Importe exacto', 'Pagador reconocido por su nombre']);
  assert.deepEqual(await rows.nth(1).getByTestId('reasons').locator('li').allInnerTexts(),
    ['Pago neto de una comisión bancaria y su IVA', 'Factura en dólares pagada en pesos al tipo de cambio del día', 'importe exacto']);
  assert.deepEqual(await rows.nth(2).getByTestId('reasons').locator('li').allInnerTexts(),
    ['Pago de una parcialidad', 'Pagado por un tercero que cita la referencia del documento', 'Nota de crédito descontada en el pago', 'Otro motivo: mystery signal']);

  // Beyond the first page, and back.
  await pager.getByRole('button', { name: 'Siguiente' }).click();
  await waitPosition(page, 'suggestions-pager', /^Página 2 de 3 · filas 51–100$/);
  const second = await rowTexts(page, 'suggestions');
  assert.equal(second.length, 50);
  assert.match(second[0], /DEPOSITO E2E 051/);
  await pager.getByRole('button', { name: 'Siguiente' }).click();
  await waitPosition(page, 'suggestions-pager', /^Página 3 de 3 · filas 101–120$/);
  const third = await rowTexts(page, 'suggestions');
  assert.equal(third.length, SUGGESTIONS - 100);
  assert.match(third.at(-1), /DEPOSITO E2E 120/);
  assert.equal(await pager.getByRole('button', { name: 'Siguiente' }).isDisabled(), true);
  await pager.getByRole('button', { name: 'Anterior' }).click();
  await waitPosition(page, 'suggestions-pager', /^Página 2 de 3 · filas 51–100$/);
  assert.match((await rowTexts(page, 'suggestions'))[0], /DEPOSITO E2E 051/);

  // Rejecting one on page 2 keeps the reader on page 2; the next one moves up.
  await rows.filter({ hasText: 'DEPOSITO E2E 051' }).getByRole('button', { name: 'Rechazar' }).click();
  await page.getByTestId('recon-notice').filter({ hasText: 'Sugerencia rechazada.' }).waitFor();
  await page.waitForFunction(() => {
    const r = [...document.querySelectorAll('[data-testid="suggestions"] tbody tr')];
    return r.length === 50 && r[0].textContent.includes('DEPOSITO E2E 052') && r[49].textContent.includes('DEPOSITO E2E 101');
  }, null, { timeout: 10000 });
  await waitPosition(page, 'suggestions-pager', /^Página 2/);
  assert.equal(st.sql(`SELECT count(*) FROM reconciliation_matches WHERE company_id = '${CO}' AND state = 'rejected'`), '1');
  await page.context().close();
});

test('movements page through all of them, 50 at a time, the status filter starting again at the first page', async () => {
  const page = await st.page();
  await st.login(page, 'cfo@acme.mx');
  await page.getByTestId('company-switcher').selectOption(CO);
  await page.getByRole('link', { name: 'Conciliación' }).click();
  const pager = page.getByTestId('movements-pager');
  await waitPosition(page, 'movements-pager', /^Página 1 de 3 · filas 1–50$/);
  const seen = new Set();
  for (let p = 1; ; p++) {
    const texts = await rowTexts(page, 'movements');
    assert.ok(texts.length <= 50);
    for (const t of texts) seen.add(/DEPOSITO E2E \d+/.exec(t)?.[0]);
    const next = pager.getByRole('button', { name: 'Siguiente' });
    if (await next.isDisabled()) break;
    await next.click();
    await waitPosition(page, 'movements-pager', new RegExp(`^Página ${p + 1} de 3 · filas \\d+–\\d+$`));
    assert.ok(p < 10, 'the pages end');
  }
  assert.equal(seen.size, MOVEMENTS, 'every movement, each once');
  assert.ok(!seen.has(undefined));
  // Another status: back to its first page.
  await page.locator('select[name=status]').selectOption('');
  await waitPosition(page, 'movements-pager', /^Página 1 de 3 · filas 1–50$/);
  await page.context().close();
});
