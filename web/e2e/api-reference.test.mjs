// The API reference page: reached from the settings screen, it renders the server's OpenAPI
// description (a few operations by name) with nothing fetched from outside the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from './harness.mjs';

let st;
before(async () => { st = await Stack.start('apiref'); });
after(async () => { await st?.stop(); });

test('the settings screen links to the API reference, which renders the operations offline', async () => {
  const page = await st.page();
  const outside = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(st.base + '/') && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  const described = await (await fetch(st.base + '/api/v1/openapi.json')).json();

  await st.login(page, 'admin@acme.mx');
  await page.getByRole('link', { name: 'Ajustes' }).click();
  await page.getByRole('link', { name: 'Referencia de la API' }).click();
  await page.waitForURL(/\/referencia-api\/?$/);
  await page.getByRole('heading', { name: 'Referencia de la API', level: 1 }).waitFor();

  const reference = page.getByTestId('api-reference');
  await reference.getByText(described.info.title).first().waitFor();
  // A few operations, as Swagger UI shows them: method, path and operationId.
  for (const [method, path] of [['POST', '/api/v1/auth/login'], ['GET', '/api/v1/invoices'], ['POST', '/api/v1/verticals/cpg/pos/{id}/sales']]) {
    const id = described.paths[path][method.toLowerCase()].operationId;
    const block = reference.locator(`#operations-${described.paths[path][method.toLowerCase()].tags[0].replace(/ /g, '_')}-${id}`);
    await block.waitFor();
    assert.equal((await block.locator('.opblock-summary-method').textContent()).trim(), method);
    assert.match(await block.locator('.opblock-summary-path').textContent(), new RegExp(path.replace(/[{}]/g, '.').replace(/\//g, '\\/')));
  }
  // Opening one shows its answers, the error answers included.
  const login = reference.locator('#operations-auth-login');
  await login.locator('.opblock-summary-control').click();
  await login.locator('.opblock-body').waitFor();
  await login.getByText('auth.invalid_credentials').first().waitFor();

  assert.deepEqual(outside, [], `requests outside the server: ${outside.join(', ')}`);
});

test('the page is public and loads the renderer only there', async () => {
  const page = await st.page();
  const scripts = [];
  page.on('response', (r) => { if (r.request().resourceType() === 'script') scripts.push(r.url()); });
  await page.goto(st.base + '/login');
  await page.getByLabel('Correo electrónico').waitFor();
  const loginScripts = scripts.length;
  await page.goto(st.base + '/referencia-api');
  await page.getByTestId('api-reference').locator('.opblock').first().waitFor();
  assert.ok(scripts.length > loginScripts, 'the reference page loads its own chunk');
  assert.equal(await page.title(), 'Referencia de la API · Vértice');
});
