// The verticals the selected company uses, as the shell shows them: the server says which exist and
// which are enabled (GET /api/v1/verticals, with their titles and the transaction types they add);
// each vertical's own folder under web/verticals/ brings its screens and labels.
import { allows } from './capabilities';
import type { VerticalScreenInfo, VerticalWebManifest } from '@/verticals/types';

/** A vertical as GET /api/v1/verticals lists it (only the fields the shell reads). */
export type ServerVertical = { name: string; title: string; enabled: boolean; transaction_types?: string[] };

export type EnabledVertical = {
  name: string;
  title: string;
  /** Its rows' transaction_type values in the unified view. */
  transactionTypes: string[];
  typeLabels: Record<string, string>;
  screens: VerticalScreenInfo[];
};

/** The company's enabled verticals, in the server's order, with their web screens (none when a vertical brings no web folder). */
export function enabledVerticals(server: readonly ServerVertical[], web: readonly VerticalWebManifest[]): EnabledVertical[] {
  return server.filter((v) => v.enabled).map((v) => {
    const w = web.find((m) => m.name === v.name);
    return {
      name: v.name,
      title: v.title,
      transactionTypes: v.transaction_types ?? [],
      typeLabels: w?.transactionTypes ?? {},
      screens: w?.screens ?? [],
    };
  });
}

export type NavEntry = { href: string; text: string };

/** One navigation entry per enabled vertical the user may use: its first screen they may open. */
export function verticalNav(verticals: readonly EnabledVertical[], capabilities: readonly string[]): NavEntry[] {
  return verticals.flatMap((v) => {
    const first = v.screens.find((s) => allows(capabilities, s.need));
    return first ? [{ href: `/${v.name}/${first.slug}`, text: v.title }] : [];
  });
}

/** The screens of one vertical the user may open (the vertical's own tabs). */
export function screensFor(vertical: EnabledVertical, capabilities: readonly string[]): VerticalScreenInfo[] {
  return vertical.screens.filter((s) => allows(capabilities, s.need));
}

/** The unified view's rows that no vertical adds: the invoicing core's (and the bank's). */
export const CORE_LINES: Record<string, string> = { core: 'Facturación (CFDI)', bank: 'Bancos' };
export const CORE_TRANSACTION_TYPES = ['invoice', 'credit_note'] as const;

/** A line of business's title: the core's, or the vertical's as the server states it. */
export function verticalTitle(verticals: readonly EnabledVertical[], name: string): string {
  return CORE_LINES[name] ?? verticals.find((v) => v.name === name)?.title ?? name;
}

/** A transaction type's label: the vertical that adds it names it, the core labels its own. */
export function typeTitle(verticals: readonly EnabledVertical[], core: Record<string, string>, type: string): string {
  for (const v of verticals) if (v.typeLabels[type]) return v.typeLabels[type];
  return core[type] ?? type;
}
