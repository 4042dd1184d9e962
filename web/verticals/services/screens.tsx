// The services vertical's screens by slug (manifest.ts lists them with their titles and capabilities).
import type { VerticalScreens } from '../types';
import ContractsScreen from './contratos';
import BillingsScreen from './facturacion';
import ServicesReportScreen from './reporte';

const screens: VerticalScreens = {
  contratos: ContractsScreen,
  facturacion: BillingsScreen,
  reporte: ServicesReportScreen,
};
export default screens;
