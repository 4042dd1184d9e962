// What the CPG back-office screens share: the API's shapes, paging through a whole list, exact
// rates and percentages (decimal strings, never floats), labels, and CSV/XLSX files.
import { api } from '@/lib/api';
import { parseDecimal } from '@/lib/money';
import { saveBlob } from '@/lib/download';
import { CPG_API } from './capabilities';

export type Flag = boolean | string | null | undefined;

export type CatalogProduct = {
  product_id: string; sku: string; name: string; unit_price: string; iva_rate: string;
  price_includes_tax?: Flag; active: Flag; version: number; created_at: string;
};
export type PointOfSale = {
  pos_id: string; code: string; name: string; retailer_rfc: string; address: string;
  commission_rate: string; status: string; version: number; created_at: string;
};
export type SaleItem = {
  sale_id: string; pos_id: string; pos_code: string; ticket: string; sold_at: string; business_date: string;
  payment_method: string; subtotal: string; iva: string; total: string; cfdi_uuid: string | null;
};
export type SaleLine = {
  line_no: number; product_id: string; sku: string; name: string; quantity: string; unit_price: string;
  iva_rate: string; price_includes_tax?: Flag; subtotal: string; iva: string; total?: string;
};
export type SaleDetail = SaleItem & { pos_name?: string; lines: SaleLine[] };
export type SalesSummary = { count: number | string; subtotal: string; iva: string; total: string };
export type Page<T> = { items: T[]; next_after?: string | null };

export const PAYMENT_METHODS: Record<string, string> = { cash: 'Efectivo', card: 'Tarjeta', transfer: 'Transferencia', voucher: 'Vale' };
export const POS_STATUS: Record<string, string> = { active: 'Activo', inactive: 'Inactivo' };
export const IVA_RATES = [{ value: '0.16', text: '16 %' }, { value: '0.08', text: '8 % (frontera)' }, { value: '0', text: '0 %' }];

/** A boolean the API may send as JSON true/false or as the text "true"/"false". */
export function flag(v: Flag): boolean {
  return v === true || v === 't' || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/** The path with the query's non-empty values. */
export function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Every item of a list, page after page (cursor next_after → after), up to `max` items. */
export async function fetchAll<T>(path: string, params: Record<string, string | null | undefined> = {},
  opts: { max?: number; limit?: number; signal?: AbortSignal; onPage?: (n: number) => void } = {}): Promise<{ items: T[]; truncated: boolean }> {
  const max = opts.max ?? 10000;
  const items: T[] = [];
  let after: string | null | undefined;
  do {
    const page = await api<Page<T>>(withQuery(`${CPG_API}${path}`, { ...params, limit: String(opts.limit ?? 200), after }), { signal: opts.signal });
    items.push(...page.items);
    opts.onPage?.(items.length);
    after = page.next_after;
  } while (after && items.length < max);
  return { items: items.slice(0, max), truncated: Boolean(after) || items.length > max };
}

function decimalString(units: bigint, scale: number): string {
  const neg = units < 0n;
  let digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  if (scale > 0) digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
  if (digits.includes('.')) digits = digits.replace(/0+$/, '').replace(/\.$/, '');
  return (neg ? '-' : '') + digits;
}

/** "0.160000" → "16", "0.125" → "12.5" (exact). */
export function rateToPercent(rate: string | null | undefined): string {
  const d = rate == null ? null : parseDecimal(rate);
  if (!d) return rate ?? '';
  return decimalString(d.units * 100n, d.scale);
}

/** "12.5" → "0.125" (exact); null when it is not a plain number. */
export function percentToRate(percent: string): string | null {
  const d = parseDecimal(percent.trim().replace(/\s*%$/, ''));
  if (!d || d.units < 0n) return null;
  return decimalString(d.units, d.scale + 2) || '0';
}

/** "0.160000" → "16 %". */
export function percentLabel(rate: string | null | undefined): string {
  return rate == null || rate === '' ? '—' : `${rateToPercent(rate)} %`;
}

/** The IVA option ("0.16", "0.08", "0") equal to a rate as the server writes it ("0.160000"). */
export function ivaOption(rate: string): string {
  const p = rateToPercent(rate);
  return IVA_RATES.find((o) => rateToPercent(o.value) === p)?.value ?? rate;
}

/** A unit price for editing: "8.500000" → "8.50" (no digits dropped that are not zeros). */
export function priceText(p: string): string {
  const d = parseDecimal(p);
  if (!d || d.scale <= 2) return p;
  const s = decimalString(d.units, d.scale);
  const frac = s.split('.')[1] ?? '';
  return frac.length >= 2 ? s : `${s.split('.')[0]}.${frac.padEnd(2, '0')}`;
}

/** A quantity without trailing zeros ("3.000" → "3"). */
export function quantity(q: string): string {
  const d = parseDecimal(q);
  return d ? decimalString(d.units, d.scale) : q;
}

/** One CSV field (quotes when needed). */
export function csvField(s: string): string {
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV file Excel opens in UTF-8 (BOM, CRLF). */
export function saveCsv(rows: string[][], name: string) {
  const text = rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
  saveBlob(new Blob(['\ufeff' + text], { type: 'text/csv;charset=utf-8' }), name);
}

export type XlsxCell = { text: string } | { amount: string } | { count: number };

/** An XLSX file (the library loads only when asked for): a bold header row, amounts as numbers with two decimals. */
export async function saveXlsx(header: string[], rows: XlsxCell[][], sheet: string, name: string, boldLast = false) {
  const { default: writeXlsxFile } = await import('write-excel-file/browser');
  const cell = (c: XlsxCell, bold: boolean) => {
    const fontWeight = bold ? ('bold' as const) : undefined;
    if ('amount' in c) return { type: Number, value: Number(c.amount || '0'), format: '#,##0.00', fontWeight };
    if ('count' in c) return { type: Number, value: c.count, fontWeight };
    return { type: String, value: c.text, fontWeight };
  };
  const data = [header.map((h) => ({ type: String, value: h, fontWeight: 'bold' as const })),
    ...rows.map((r, i) => r.map((c) => cell(c, boldLast && i === rows.length - 1)))];
  await writeXlsxFile(data, { sheet, columns: header.map(() => ({ width: 18 })) }).toFile(name);
}

/** Field → problem, from the server's `{fields: [{field, problem}]}` (or a plain `{field: message}` map). */
export function fieldProblems(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!source || typeof source !== 'object') return out;
  const list = Array.isArray(source) ? source : (source as { fields?: unknown }).fields;
  if (Array.isArray(list)) {
    for (const f of list as { field?: string; problem?: string; message?: string }[]) {
      if (f?.field) out[f.field] = f.problem ?? f.message ?? 'no es válido';
    }
    return out;
  }
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    out[k] = typeof v === 'string' ? v : (v as { problem?: string; message?: string })?.problem ?? (v as { message?: string })?.message ?? 'no es válido';
  }
  return out;
}
