// What the signed-in user may do: the server's capability table (GET /api/v1/auth/me lists the
// caller's per company, core and per vertical). Screens name the capability they need; no role
// lists here, so the web shows exactly what the API allows.

/** A capability the server names (GET /api/v1/auth/me lists the caller's per company), or any of several. */
export type Need = string | readonly string[];

/** What each screen and action needs: the server's capability table, not role lists. */
export const CAN = {
  dashboard: 'dashboard.read',
  reports: 'transactions.read',
  pos: ['cpg.sell', 'cpg.consign'],
  sell: 'cpg.sell',
  consign: 'cpg.consign',
  settle: 'cpg.settle',
  invoices: 'invoices.read',
  importInvoices: 'invoices.import',
  reconciliation: 'reconciliation.read',
  reconcile: 'reconciliation.decide',
  bankAccounts: 'bank.accounts.manage',
  refresh: 'freshness.refresh',
  settings: 'members.manage',
  health: 'freshness.read',
} as const;

export function allows(capabilities: readonly string[] | undefined, need: Need): boolean {
  const have = capabilities ?? [];
  return typeof need === 'string' ? have.includes(need) : need.some((n) => have.includes(n));
}

/** Where a user lands: the dashboard, or the point of sale for someone who only sells. */
export function homeFor(capabilities: readonly string[] | undefined): string {
  return !allows(capabilities, CAN.dashboard) && allows(capabilities, CAN.pos) ? '/pos' : '/';
}
