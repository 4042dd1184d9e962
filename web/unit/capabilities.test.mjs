// Screens follow the capabilities the server sends, not role lists typed in the web app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './load.mjs';

const c = await load('capabilities');

test('a screen needs its capability; any of several will do', () => {
  assert.equal(c.allows(['dashboard.read'], c.CAN.dashboard), true);
  assert.equal(c.allows(['invoices.read'], c.CAN.dashboard), false);
  assert.equal(c.allows(['cpg.consign'], c.CAN.pos), true);
  assert.equal(c.allows([], c.CAN.pos), false);
  assert.equal(c.allows(undefined, c.CAN.health), false);
});

test('someone who only sells lands on the point of sale, everyone else on the dashboard', () => {
  assert.equal(c.homeFor(['cpg.read', 'cpg.sell']), '/pos');
  assert.equal(c.homeFor(['dashboard.read', 'cpg.sell']), '/');
  assert.equal(c.homeFor([]), '/');
});
