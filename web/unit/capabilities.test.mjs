// Screens follow the capabilities the server sends, not role lists typed in the web app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './load.mjs';

const c = await load('capabilities');

test('a screen needs its capability; any of several will do', () => {
  assert.equal(c.allows(['dashboard.read'], c.CAN.dashboard), true);
  assert.equal(c.allows(['invoices.read'], c.CAN.dashboard), false);
  assert.equal(c.allows(['cpg.consign'], ['cpg.sell', 'cpg.consign']), true);
  assert.equal(c.allows([], ['cpg.sell', 'cpg.consign']), false);
  assert.equal(c.allows(undefined, c.CAN.health), false);
});

test('someone who only sells lands on their vertical\'s screen, everyone else on the dashboard', () => {
  assert.equal(c.homeFor(['cpg.read', 'cpg.sell'], ['/cpg/venta']), '/cpg/venta');
  assert.equal(c.homeFor(['dashboard.read', 'cpg.sell'], ['/cpg/venta']), '/');
  assert.equal(c.homeFor(['invoices.read'], []), '/facturas');
  assert.equal(c.homeFor([]), '/');
});
