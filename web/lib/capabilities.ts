// What the signed-in user may do: the server's capability table (GET /api/v1/auth/me lists the
// caller's per company, core and per vertical). Screens name the capability they need; no role
// lists here, so the web shows exactly what the API allows.

/** A capability the server names (GET /api/v1/auth/me lists the caller's per company), or any of several. */
export type Need = string | readonly string[];

/** What each screen and action needs: the server's capability table, not role lists. */
export const CAN = {
  dashboard: 'dashboard.read',
  reports: 'transactions.read',
  invoices: 'invoices.read',
  importInvoices: 'invoices.import',
  reconciliation: 'reconciliation.read',
  reconcile: 'reconciliation.decide',
  bankAccounts: 'bank.accounts.manage',
  refresh: 'freshness.refresh',
  settings: 'members.manage',
  createCompany: 'companies.create',
  health: 'freshness.read',
} as const;

export function allows(capabilities: readonly string[] | undefined, need: Need): boolean {
  const have = capabilities ?? [];
  return typeof need === 'string' ? have.includes(need) : need.some((n) => have.includes(n));
}

/** The core screens, in navigation order (verticals add theirs after the reports). */
export const CORE_SCREENS: readonly { href: string; text: string; need: Need }[] = [
  { href: '/', text: 'Panel', need: CAN.dashboard },
  { href: '/reportes', text: 'Reportes', need: CAN.reports },
  { href: '/facturas', text: 'Facturas', need: CAN.invoices },
  { href: '/conciliacion', text: 'Conciliación', need: CAN.reconciliation },
  { href: '/salud', text: 'Salud', need: CAN.health },
  { href: '/ajustes', text: 'Ajustes', need: CAN.settings },
];

/** Where a user lands: the dashboard, else the first screen they may use (a cashier: the point of sale their vertical brings). */
export function homeFor(capabilities: readonly string[] | undefined, verticalHomes: readonly string[] = []): string {
  if (allows(capabilities, CAN.dashboard)) return '/';
  return verticalHomes[0] ?? CORE_SCREENS.find((s) => allows(capabilities, s.need))?.href ?? '/';
}
