// Money on screen: exact cents, es-MX formatting, the server's half-up rounding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './load.mjs';

const m = await load('money');

test('amounts are formatted as MXN with thousands separators, exactly', () => {
  assert.equal(m.money('1234567.89'), '$1,234,567.89');
  assert.equal(m.money('0'), '$0.00');
  assert.equal(m.money('-1234.5'), '-$1,234.50');
  assert.equal(m.money('999999999999999999.99'), '$999,999,999,999,999,999.99'); // beyond a double's precision
  assert.equal(m.money('0.005'), '$0.01');
  assert.equal(m.money(null), '—');
  assert.equal(m.money('abc'), '—');
});

test('sums are exact where floats are not', () => {
  assert.equal(m.centsToDecimal(m.sumCents(['0.10', '0.20'])), '0.30');
  assert.equal(m.centsToDecimal(m.sumCents(Array(1000).fill('0.01'))), '10.00');
  assert.equal(m.centsToDecimal(m.sumCents(['-5.00', '2.50', null])), '-2.50');
});

test("POS lines round as the server does: quantity × price, then IVA, half up", () => {
  assert.equal(m.lineAmount('3', '33.335'), 10001n);      // 100.005 → 100.01
  assert.equal(m.lineAmount('0.333', '10'), 333n);         // 3.33
  assert.equal(m.applyRate(10001n, '0.16'), 1600n);        // 16.0016 → 16.00
  assert.equal(m.applyRate(3125n, '0.16'), 500n);          // 5.00
  assert.equal(m.applyRate(3128n, '0.16'), 500n);          // 5.0048 → 5.00
  assert.equal(m.applyRate(3129n, '0.16'), 501n);          // 5.0064 → 5.01
  assert.equal(m.lineAmount('x', '1'), null);
});

test('bar heights are ratios of cents, never of floats of money', () => {
  assert.equal(m.ratio(50n, 200n), 0.25);
  assert.equal(m.ratio(1n, 0n), 0);
});

test('a shelf price that includes IVA is split as the server splits it: net half up, IVA the rest', () => {
  assert.equal(m.netOfIncluded(850n, '0.16'), 733n); // 8.50 = 7.33 + 1.17
  assert.equal(m.netOfIncluded(2550n, '0.160000'), 2198n); // 25.50 = 21.98 + 3.52
  assert.equal(m.netOfIncluded(58n, '0.16'), 50n); // exactly 0.50
  assert.equal(m.netOfIncluded(5300n, '0'), 5300n);
  assert.equal(m.netOfIncluded(100n, 'x'), null);
});
