// The services vertical's screens (src/verticals/services/ is its server part).
import type { VerticalWebManifest } from '../types';
import { SERVICES_CAN } from './capabilities';

const manifest: VerticalWebManifest = {
  name: 'services',
  screens: [
    { slug: 'contratos', title: 'Contratos', need: SERVICES_CAN.read },
    { slug: 'facturacion', title: 'Facturación', need: SERVICES_CAN.read },
    { slug: 'reporte', title: 'Reporte', need: SERVICES_CAN.read },
  ],
  transactionTypes: { service_billing: 'Servicios facturados' },
};
export default manifest;
