// Dates for people in Mexico City.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './load.mjs';

const f = await load('format');

test('a timestamp shows in Mexico City time, a date without shifting the day', () => {
  // 02:30 UTC on Nov 28 is still Nov 27 in Mexico City (UTC-6).
  assert.match(f.formatDateTime('2026-11-28T02:30:00Z'), /27/);
  assert.match(f.formatDate('2026-01-01'), /01.*ene.*2026/);
  assert.equal(f.formatDate(null), '—');
});

test('ages read naturally', () => {
  assert.equal(f.ago(3.7), 'hace 3 s');
  assert.equal(f.ago(125), 'hace 2 min');
  assert.equal(f.ago(7300), 'hace 2 h');
});
