// The shell shows what the server says the company uses: enabled verticals only, each with the
// screens its web folder brings, and only the screens the user's capabilities open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './load.mjs';

const v = await load('verticals');

const web = [
  { name: 'cpg', screens: [{ slug: 'venta', title: 'Punto de venta', need: ['cpg.sell', 'cpg.consign'] }, { slug: 'catalogo', title: 'Catálogo', need: 'cpg.read' }], transactionTypes: { pos_sale: 'Ventas' } },
  { name: 'services', screens: [{ slug: 'contratos', title: 'Contratos', need: 'services.read' }] },
];
const server = [
  { name: 'cpg', title: 'Retail CPG', enabled: true, transaction_types: ['pos_sale', 'consignment_settlement'] },
  { name: 'services', title: 'Servicios', enabled: false, transaction_types: ['service_billing'] },
  { name: 'logistics', title: 'Logística', enabled: true, transaction_types: ['shipment'] },
];

test('only the verticals the company enabled, in the server\'s order, a vertical without web screens included', () => {
  const e = v.enabledVerticals(server, web);
  assert.deepEqual(e.map((x) => x.name), ['cpg', 'logistics']);
  assert.equal(e[0].title, 'Retail CPG');
  assert.deepEqual(e[0].transactionTypes, ['pos_sale', 'consignment_settlement']);
  assert.deepEqual(e[1].screens, []);
});

test('navigation: one entry per vertical, its first screen the user may open', () => {
  const e = v.enabledVerticals(server, web);
  assert.deepEqual(v.verticalNav(e, ['cpg.read']), [{ href: '/cpg/catalogo', text: 'Retail CPG' }]);
  assert.deepEqual(v.verticalNav(e, ['cpg.sell', 'cpg.read']), [{ href: '/cpg/venta', text: 'Retail CPG' }]);
  assert.deepEqual(v.verticalNav(e, ['services.read']), []);
  assert.deepEqual(v.screensFor(e[0], ['cpg.sell']).map((s) => s.slug), ['venta']);
});

test('labels: the vertical names its types, the core its own', () => {
  const e = v.enabledVerticals(server, web);
  assert.equal(v.verticalTitle(e, 'cpg'), 'Retail CPG');
  assert.equal(v.verticalTitle(e, 'core'), 'Facturación (CFDI)');
  assert.equal(v.typeTitle(e, { invoice: 'Facturas' }, 'pos_sale'), 'Ventas');
  assert.equal(v.typeTitle(e, { invoice: 'Facturas' }, 'invoice'), 'Facturas');
  assert.equal(v.typeTitle(e, {}, 'unknown'), 'unknown');
});
