// How the reconciliation screen words a suggestion's confidence and the matcher's reasons
// (src/reconciliation/matcher.{hpp,cpp}; the API returns them in GET /reconciliation/suggestions).

/**
 * Confidence levels from the matcher's score. The score is a sum of evidence weights
 * (ScoreWeights in matcher.hpp: an exact amount 4, a recognised payer 3, a named reference up to
 * 5, a payment complement 5, …; negative evidence subtracts). The matcher settles a candidate by
 * itself at `auto_threshold` (7; `recon_auto_threshold` in the server's config) when it is also 3
 * ahead of the next, and suggests from `suggest_threshold` (4). So, for a suggestion:
 *   - alta:  score ≥ 7    — what the matcher would settle alone (left for a person only because a
 *                           second candidate was close or the pesos are uncertain);
 *   - media: 5.5 ≤ score < 7 — halfway from the suggestion threshold to the automatic one: one
 *                           strong piece of evidence plus a weaker one;
 *   - baja:  score < 5.5  — little more than one piece of evidence (e.g. an exact amount alone).
 */
export const AUTO_THRESHOLD = 7;
export const SUGGEST_THRESHOLD = 4;
export const MEDIUM_THRESHOLD = (AUTO_THRESHOLD + SUGGEST_THRESHOLD) / 2; // 5.5

export type Level = { key: 'alta' | 'media' | 'baja'; text: string; badge: string };

export function confidence(score: string | number | null | undefined): Level | null {
  const n = typeof score === 'number' ? score : Number(score);
  if (score == null || score === '' || !Number.isFinite(n)) return null;
  if (n >= AUTO_THRESHOLD) return { key: 'alta', text: 'Alta', badge: 'ok' };
  if (n >= MEDIUM_THRESHOLD) return { key: 'media', text: 'Media', badge: 'warn' };
  return { key: 'baja', text: 'Baja', badge: 'bad' };
}

/** The score as people read it: "8.5" (one decimal, es-MX). */
export function formatScore(score: string | number | null | undefined): string {
  const n = typeof score === 'number' ? score : Number(score);
  return score == null || score === '' || !Number.isFinite(n) ? '—' : n.toLocaleString('es-MX', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/**
 * Every reason code's label, in one place. The codes are the matcher's pieces of evidence
 * (ScoreWeights' names) and the ones being added (fee_deducted, fx_rate, credit_note_netted,
 * third_party_reference, installment); a code not here still reads sensibly (reasonText).
 */
export const REASON_LABELS: Record<string, string> = {
  // Amounts
  exact_amount: 'Importe exacto',
  nearly_paid: 'Pago casi completo (faltan unos pesos)',
  partial: 'Pago parcial',
  partial_payment: 'Pago parcial',
  installment: 'Pago de una parcialidad',
  combination: 'Varios documentos suman el importe exacto',
  other_combination: 'Otra combinación de documentos también suma el importe',
  credit_note_netted: 'Nota de crédito descontada en el pago',
  amount_uncertain: 'Importe en pesos por confirmar (tipo de cambio o comisión)',
  // Foreign currency and bank fees
  fx_rate: 'Factura en dólares pagada en pesos al tipo de cambio del día',
  fx_within_spread: 'Factura en dólares pagada en pesos al tipo de cambio del día',
  fee_deducted: 'Pago neto de una comisión bancaria y su IVA',
  fee_from_complement: 'Comisión bancaria deducida, según el complemento de pago',
  // Payment complements (CFDI de pagos)
  complement: 'Complemento de pago por el mismo importe y fecha',
  payment_complement: 'Complemento de pago por el mismo importe y fecha',
  // Who paid
  payer_recognised: 'Pagador reconocido',
  payer_by_name: 'Pagador reconocido por su nombre',
  payer_by_account: 'Pagador reconocido por su cuenta bancaria',
  payer_by_rfc: 'Pagador reconocido por su RFC',
  other_payer: 'El pago viene de otro cliente',
  third_party_reference: 'Pagado por un tercero que cita la referencia del documento',
  // References
  reference_exact: 'La referencia del banco cita el documento',
  reference_one_edit: 'La referencia cita el documento con un carácter distinto',
  reference_names_another: 'La referencia cita otro documento',
  reference_left_out: 'La referencia cita documentos que no están en la sugerencia',
  // Timing
  lag_on_terms: 'Pagado dentro del plazo',
  lag_before_issue: 'Pagado antes de la fecha de la factura',
  lag_overdue: 'Pagado con mucho atraso',
  installment_complement: 'Un complemento de pago declara esta parcialidad',
  credit_note_related: 'La nota de crédito está relacionada con la factura',
  credit_note_other_invoice: 'La nota de crédito corresponde a otra factura',
  payer_name: 'Pagador reconocido por su nombre',
  payer_account: 'Pagador reconocido por su cuenta bancaria',
  reference: 'La referencia del banco cita el documento',
  amount_to_confirm: 'Documentos claros; el importe en pesos por confirmar',
  // Other
  rule: 'Clasificado por una regla',
  next_candidate: 'Hay otro candidato cercano',
  runner_up: 'Hay otro candidato cercano',
  manual: 'Conciliación manual',
};

/** A reason as the API may send it: a code, a sentence, or an object with a code and details. */
export type Reason = string | { code?: string; text?: string; message?: string; detail?: string | number | null };

const CODE = /^[a-z][a-z0-9]*(?:[_.][a-z0-9]+)*$/;

/** A code nobody labelled yet, still readable: "third_party_payer" → "Otro motivo: third party payer". */
function unknownCode(code: string): string {
  return `Otro motivo: ${code.replace(/[_.]+/g, ' ')}`;
}

/** The Spanish text of one reason. */
export function reasonText(r: Reason): string {
  if (typeof r === 'string') {
    if (!CODE.test(r)) return r; // already a sentence (the matcher writes Spanish sentences today)
    return REASON_LABELS[r] ?? unknownCode(r);
  }
  if (r == null || typeof r !== 'object') return String(r ?? '');
  // The matcher's own sentence carries the figures (the fee, the rate, the share): it wins.
  if (r.text) return r.text;
  const label = r.code ? REASON_LABELS[r.code] : undefined;
  const detail = r.detail != null && r.detail !== '' ? String(r.detail) : '';
  if (label) return detail ? `${label} (${detail})` : label;
  return r.text ?? r.message ?? (r.code ? unknownCode(r.code) : detail || 'Motivo sin descripción');
}
