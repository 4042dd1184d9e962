// The services vertical's screens by slug (manifest.ts lists them with their titles and capabilities).
import type { VerticalScreens } from '../types';

const screens: VerticalScreens = {};
export default screens;
