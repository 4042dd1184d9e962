// The CPG vertical's screens by slug (manifest.ts lists them with their titles and capabilities).
import type { VerticalScreens } from '../types';
import PosScreen from './venta';

const screens: VerticalScreens = {
  venta: PosScreen,
};
export default screens;
