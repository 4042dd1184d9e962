// The services vertical's screens (src/verticals/services/ is its server part).
import type { VerticalWebManifest } from '../types';

const manifest: VerticalWebManifest = {
  name: 'services',
  screens: [],
  transactionTypes: { service_billing: 'Servicios facturados' },
};
export default manifest;
