// What a vertical's folder under web/verticals/ declares so the shell can show it: the screens it
// brings (each at /<vertical>/<slug>, gated by the server's capability it needs) and the labels of
// the rows it adds to the unified view. The shell reads these through the generated registry
// (scripts/verticals.mjs) and shows a vertical only when the company has it enabled
// (GET /api/v1/verticals) — nothing outside the folder names a vertical.
import type { ComponentType } from 'react';
import type { Need } from '@/lib/capabilities';

export type VerticalScreenInfo = {
  /** The URL segment: /<vertical>/<slug>. */
  slug: string;
  /** Its title in the navigation and the page heading (es-MX). */
  title: string;
  /** The capability (or any of several) the server requires for what the screen shows. */
  need: Need;
};

export type VerticalWebManifest = {
  /** The server's vertical name (its folder under src/verticals/). */
  name: string;
  /** In navigation order; the first the user may open is the vertical's entry point. */
  screens: VerticalScreenInfo[];
  /** How the unified view's transaction_type values this vertical adds are called. */
  transactionTypes?: Record<string, string>;
};

/** The screens' components, by slug (loaded only when one of them is opened). */
export type VerticalScreens = Record<string, ComponentType>;
