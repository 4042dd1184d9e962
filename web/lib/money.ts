// Money arrives from the API as decimal strings and is only formatted or added here, in integer
// cents (BigInt): never a float. Rounding is half up, as the server rounds.

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** A decimal string as an exact scaled integer: value = units / 10^scale. */
export function parseDecimal(s: string): { units: bigint; scale: number } | null {
  const m = DECIMAL.exec(s.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const units = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
  return { units, scale: frac.length };
}

function roundToScale(units: bigint, from: number, to: number): bigint {
  if (from <= to) return units * 10n ** BigInt(to - from);
  const div = 10n ** BigInt(from - to);
  const neg = units < 0n;
  const abs = neg ? -units : units;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;  // half up, away from zero
  return neg ? -q : q;
}

/** Cents of a decimal string (rounded half up); null when it is not a number. */
export function toCents(s: string | null | undefined): bigint | null {
  if (s == null) return null;
  const d = parseDecimal(s);
  return d ? roundToScale(d.units, d.scale, 2) : null;
}

/** Cents as a plain decimal string ("1234.50"), as the API expects amounts. */
export function centsToDecimal(c: bigint): string {
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const s = (abs / 100n).toString() + '.' + (abs % 100n).toString().padStart(2, '0');
  return neg ? '-' + s : s;
}

/** "$1,234,567.89" (es-MX); "-$1,234.50" for negatives; "—" for missing values. */
export function formatCents(c: bigint | null): string {
  if (c == null) return '—';
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const int = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}$${int}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export function money(s: string | null | undefined): string {
  return formatCents(toCents(s));
}

/** quantity × price rounded half up to cents (a POS line), exact. */
export function lineAmount(quantity: string, unitPrice: string): bigint | null {
  const q = parseDecimal(quantity);
  const p = parseDecimal(unitPrice);
  if (!q || !p) return null;
  return roundToScale(q.units * p.units, q.scale + p.scale, 2);
}

/** cents × rate ("0.16") rounded half up to cents (IVA of a line). */
export function applyRate(cents: bigint, rate: string): bigint | null {
  const r = parseDecimal(rate);
  if (!r) return null;
  return roundToScale(cents * r.units, 2 + r.scale, 2);
}

/** The net (before IVA) of cents that include IVA at `rate`, rounded half up: how the server separates a shelf price. */
export function netOfIncluded(cents: bigint, rate: string): bigint | null {
  const r = parseDecimal(rate);
  if (!r || cents < 0n) return null;
  const one = 10n ** BigInt(r.scale);
  const n = cents * one;
  const d = one + r.units;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return q;
}

export function sumCents(values: (string | bigint | null | undefined)[]): bigint {
  let t = 0n;
  for (const v of values) {
    const c = typeof v === 'bigint' ? v : toCents(v ?? null);
    if (c != null) t += c;
  }
  return t;
}

/** For charts only: a share between 0 and 1 of two amounts (never used for money math). */
export function ratio(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  return Number((part * 10000n) / whole) / 10000;
}
