// Dates and times for people in Mexico: es-MX, America/Mexico_City.
const TZ = 'America/Mexico_City';

const dateTime = new Intl.DateTimeFormat('es-MX', {
  timeZone: TZ, day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('es-MX', { timeZone: 'UTC', day: '2-digit', month: 'short', year: 'numeric' });
const monthName = new Intl.DateTimeFormat('es-MX', { timeZone: 'UTC', month: 'short', year: '2-digit' });

/** A timestamp (ISO with offset) in Mexico City time. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** A calendar date ("2026-11-27" or a timestamp's date part) without shifting the day. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(`${value.slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? value : dateOnly.format(d);
}

/** "2026-11" → "nov 26". */
export function formatMonth(ym: string): string {
  const d = new Date(`${ym.slice(0, 7)}-01T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? ym : monthName.format(d);
}

/** Today in Mexico City as YYYY-MM-DD. */
export function todayInMexico(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
}

/** "hace 3 s", "hace 2 min", "hace 1 h". */
export function ago(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `hace ${s} s`;
  if (s < 3600) return `hace ${Math.floor(s / 60)} min`;
  if (s < 86400) return `hace ${Math.floor(s / 3600)} h`;
  return `hace ${Math.floor(s / 86400)} d`;
}

export const TYPE_LABELS: Record<string, string> = {
  invoice: 'Facturas',
  credit_note: 'Notas de crédito',
  bank_deposit: 'Depósitos bancarios',
  bank_withdrawal: 'Retiros bancarios',
};
export const ROLE_LABELS: Record<string, string> = {
  owner: 'Propietario', ceo: 'Director general', cfo: 'Director de finanzas', accountant: 'Contador',
  cashier: 'Cajero', viewer: 'Consulta',
};
export const STATUS_LABELS: Record<string, string> = {
  completed: 'Completada', vigente: 'Vigente', cancelada: 'Cancelada', borrador: 'Borrador', settled: 'Liquidada',
  billed: 'Facturado', booked: 'Registrado', draft: 'Borrador',
};
export function label(map: Record<string, string>, key: string): string {
  return map[key] ?? key;
}

// The issuer's seal of a CFDI (issue 21): state and reason as the API answers them.
export type Seal = { state?: string | null; reason?: string | null } | null | undefined;
const SEAL_REASONS: Record<string, string> = {
  signature_mismatch: 'el contenido cambió después de sellarse',
  serial_mismatch: 'el certificado no es el NoCertificado',
  rfc_mismatch: 'el certificado no es del emisor',
  certificate_not_valid_at_fecha: 'certificado no vigente en la fecha',
  malformed_certificate: 'certificado ilegible',
  malformed_seal: 'sello ilegible',
  unsigned: 'sin sello',
};
export function sealLabel(seal: Seal): { text: string; cls: string } {
  const reason = seal?.reason ?? '';
  switch (seal?.state) {
    case 'valid': return { text: 'Sello válido', cls: 'ok' };
    case 'invalid': return { text: `Sello inválido${reason ? ` (${SEAL_REASONS[reason] ?? reason})` : ''}`, cls: 'bad' };
    case 'not_verifiable': return { text: `No verificable (complemento ${reason || 'no soportado'})`, cls: 'warn' };
    case 'unsigned': return { text: 'Sin sello', cls: 'bad' };
    case 'unverified_import': return { text: `Importada sin verificar${reason ? ` (${SEAL_REASONS[reason] ?? reason})` : ''}`, cls: 'warn' };
    default: return { text: 'Sello no revisado', cls: '' };
  }
}
