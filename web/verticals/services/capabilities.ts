// The services vertical's capabilities (its manifest's permissions, src/verticals/services/vertical.cpp),
// its API, and the words its screens use for the server's codes.
import { parseDecimal } from '@/lib/money';

export const SERVICES_CAN = {
  read: 'services.read',
  manage: 'services.manage',
} as const;

export const SERVICES_API = '/api/v1/verticals/services';

export type Contract = {
  contract_id: string; client_name: string; client_rfc: string; description: string | null; monthly_fee: string;
  iva_rate: string; starts_on: string; ends_on: string | null; billing_day: string | number; status: string; version?: string | number;
};
export type Billing = { billing_id: string; contract_id: string; period: string; billed_on: string; amount: string; status: string };
export type ContractDetail = Contract & { billings: Billing[]; available_events?: string[] };
export type Page<T> = { items: T[]; next_after?: string | null };

export const CONTRACT_STATUS: Record<string, string> = {
  draft: 'Borrador', active: 'Activo', suspended: 'Suspendido', terminated: 'Terminado',
};
export const STATUS_BADGE: Record<string, string> = { active: 'ok', suspended: 'warn', terminated: 'bad' };
export const BILLING_STATUS: Record<string, string> = { issued: 'Emitida' };

/** The contract machine's events, in the order their buttons show. */
export const EVENT_LABELS: Record<string, string> = {
  activate: 'Activar', suspend: 'Suspender', resume: 'Reanudar', terminate: 'Terminar',
};

/**
 * The events a status allows by the server's contract machine (vertical.cpp's ContractMachine).
 * Only a fallback for a server that does not send `available_events`; the server's list wins.
 */
const MACHINE: Record<string, string[]> = {
  draft: ['activate', 'terminate'], active: ['suspend', 'terminate'], suspended: ['resume', 'terminate'], terminated: [],
};
/**
 * The lifecycle buttons to show: the events the server lists for the contract's status, and only
 * to whoever may fire them (POST /contracts/{id}/transitions needs services.manage; the machine's
 * transitions name no roles, so `available_events` alone would offer them to readers too).
 */
export function allowedEvents(c: ContractDetail, canManage: boolean): string[] {
  if (!canManage) return [];
  const events = c.available_events ?? MACHINE[c.status] ?? [];
  return Object.keys(EVENT_LABELS).filter((e) => events.includes(e));
}

/** "0.160000" → "16 %" (exact: decimal digits moved, never a float). */
export function percent(rate: string | null | undefined): string {
  const d = rate == null ? null : parseDecimal(String(rate));
  if (!d) return '—';
  const scaled = d.units * 100n;
  const div = 10n ** BigInt(d.scale);
  const int = scaled / div;
  const frac = (scaled % div).toString().padStart(d.scale, '0').replace(/0+$/, '');
  return `${int}${frac ? '.' + frac : ''} %`;
}

/** Every page of a list (for pickers that need all of it), up to `max` rows. */
export async function allPages<T>(fetchPage: (after?: string) => Promise<Page<T>>, max = 5000): Promise<T[]> {
  const out: T[] = [];
  let after: string | null | undefined;
  do {
    const page = await fetchPage(after ?? undefined);
    out.push(...page.items);
    after = page.next_after;
  } while (after && out.length < max);
  return out;
}
