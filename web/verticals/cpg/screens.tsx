// The CPG vertical's screens by slug (manifest.ts lists them with their titles and capabilities).
import type { VerticalScreens } from '../types';
import PosScreen from './venta';
import SalesScreen from './ventas';
import CatalogScreen from './catalogo';
import PointsOfSaleScreen from './puntos';
import RetailReportsScreen from './reportes';

const screens: VerticalScreens = {
  venta: PosScreen,
  ventas: SalesScreen,
  catalogo: CatalogScreen,
  puntos: PointsOfSaleScreen,
  reportes: RetailReportsScreen,
};
export default screens;
