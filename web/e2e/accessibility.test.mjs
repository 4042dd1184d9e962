// Every page meets WCAG 2.1 AA as axe-core (npm) checks it in Chromium: the sign-in page, every
// core screen and every screen the company's verticals bring (found through the navigation, so a
// new screen is checked without editing this file), for an owner and for a cashier.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Stack } from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let st;
before(async () => { st = await Stack.start('a11y'); });
after(async () => { await st?.stop(); });

async function audit(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

/** Waits until the screen has settled: no loading state left. */
async function settled(page) {
  await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => {});
  await page.locator('[aria-busy="true"], .state.loading').first().waitFor({ state: 'detached', timeout: 15000 }).catch(() => {});
}

/** Every page the navigation leads to, a vertical's tabs included. */
async function pages(page) {
  const hrefs = new Set();
  const collect = async (selector) => {
    for (const a of await page.locator(selector).all()) {
      const h = await a.getAttribute('href');
      if (h && h.startsWith('/')) hrefs.add(h);
    }
  };
  await collect('nav[aria-label="Principal"] a');
  for (const h of [...hrefs]) {
    if (h.split('/').length < 3) continue; // a vertical's entry: /<vertical>/<screen>
    await page.goto(st.base + h);
    await page.locator('main').waitFor();
    await collect('nav.subnav a');
  }
  return [...hrefs];
}

test('the sign-in page has no accessibility violations', async () => {
  const page = await st.page();
  await page.goto(st.base + '/login');
  await page.getByLabel('Correo electrónico').waitFor();
  assert.deepEqual(await audit(page), []);
  await page.context().close();
});

for (const user of ['admin@acme.mx', 'cajero@acme.mx', 'cfo@globex.mx']) {
  test(`every page ${user} can open has no accessibility violations`, async () => {
    const page = await st.page({ width: 1280, height: 900 });
    await st.login(page, user);
    await page.locator('nav[aria-label="Principal"] a').first().waitFor();
    await settled(page);
    const found = {};
    for (const href of await pages(page)) {
      await page.goto(st.base + href);
      await settled(page);
      const violations = await audit(page);
      if (violations.length) found[href] = violations;
    }
    assert.deepEqual(found, {});
    await page.context().close();
  });
}
