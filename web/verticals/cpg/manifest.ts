// The CPG retail vertical's screens (src/verticals/cpg/ is its server part).
import type { VerticalWebManifest } from '../types';
import { CPG_CAN } from './capabilities';

const manifest: VerticalWebManifest = {
  name: 'cpg',
  screens: [
    { slug: 'venta', title: 'Punto de venta', need: CPG_CAN.pos },
    { slug: 'ventas', title: 'Historial de ventas', need: CPG_CAN.read },
    { slug: 'catalogo', title: 'Catálogo', need: CPG_CAN.read },
    { slug: 'puntos', title: 'Puntos de venta', need: CPG_CAN.read },
    { slug: 'reportes', title: 'Reportes de retail', need: CPG_CAN.report },
  ],
  transactionTypes: { pos_sale: 'Ventas en punto de venta', consignment_settlement: 'Liquidaciones de consignación' },
};
export default manifest;
