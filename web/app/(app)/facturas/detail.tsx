'use client';
// One CFDI: parties, conceptos with their taxes, payments, balance and its flags, warnings, the XML.
import { useEffect, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { money, toCents } from '@/lib/money';
import { formatDate, formatDateTime, sealLabel, type Seal } from '@/lib/format';
import { ErrorState, Loading } from '@/components/States';
import { downloadFromApi } from '@/lib/download';

type Json = Record<string, unknown>;
const s = (v: unknown) => (v == null ? '' : String(v));
const IMPUESTO: Record<string, string> = { '001': 'ISR', '002': 'IVA', '003': 'IEPS' };
const taxLabel = (t: Json) => `${t.kind === 'retencion' ? 'Retención' : 'Traslado'} ${IMPUESTO[s(t.impuesto)] ?? s(t.impuesto)} ${t.tasa != null ? (Number(t.tasa) * 100).toFixed(2).replace(/\.00$/, '') + ' %' : s(t.tipo_factor)}`;
const FLAGS: Record<string, string> = {
  insoluto_mismatch: 'saldo insoluto no coincide', parcialidad_duplicate: 'parcialidad repetida', parcialidad_gap: 'falta una parcialidad',
  saldo_chain_broken: 'cadena de saldos rota', overpaid: 'pagada de más', payment_before_invoice: 'pago antes de la factura',
  pue_with_payments: 'PUE con complementos de pago', cancelled_with_payments: 'cancelada con pagos',
};

export function InvoiceDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const [doc, setDoc] = useState<Json | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { api<Json>(`/api/v1/invoices/${encodeURIComponent(id)}`).then(setDoc, (e) => setError(errorMessage(e))); }, [id]);

  const conceptos = (doc?.conceptos as Json[] | undefined) ?? [];
  const payments = [...((doc?.payments_received as Json[] | undefined) ?? []), ...((doc?.payment_applications as Json[] | undefined) ?? [])];
  const credits = (doc?.credit_notes as Json[] | undefined) ?? [];
  const bank = doc?.bank as Json | undefined;
  const headerTaxes = (doc?.taxes as Json[] | undefined) ?? [];
  const balance = doc?.balance as Json | undefined;
  const warnings = (doc?.warnings as Json[] | undefined) ?? [];
  const emisor = doc?.emisor as Json | undefined;
  const receptor = doc?.receptor as Json | undefined;
  return (
    <section className="panel" aria-labelledby="h-doc" data-testid="invoice-detail" style={{ marginTop: 16 }}>
      <header>
        <h2 id="h-doc">Comprobante {s(doc?.serie)}{doc?.folio ? '-' + s(doc.folio) : ''}</h2>
        <div className="head-actions">
          {doc?.uuid != null && <button type="button" onClick={() => void downloadFromApi(`/api/v1/invoices/${s(doc.uuid)}/xml`, `${s(doc.uuid)}.xml`).catch((e) => setError(errorMessage(e)))}>Descargar XML</button>}
          <button type="button" onClick={onClose}>Cerrar</button>
        </div>
      </header>
      {error && <ErrorState message={error} />}
      {!doc ? (!error && <Loading />) : (
        <>
          <p className="muted small">UUID {s(doc.uuid) || '—'} · {formatDateTime(s(doc.fecha))} · {s(doc.status)} · {s(doc.moneda)}</p>
          <p><span className={`badge ${sealLabel(doc.seal as Seal).cls}`} data-testid="invoice-seal">{sealLabel(doc.seal as Seal).text}</span></p>
          <p>Emisor: <strong>{s(emisor?.nombre) || s(emisor?.rfc)}</strong> ({s(emisor?.rfc)}) · Receptor: <strong>{s(receptor?.nombre) || s(receptor?.rfc)}</strong> ({s(receptor?.rfc)})</p>
          <div className="table-wrap"><table className="num">
            <thead><tr><th>Concepto</th><th className="amount">Cantidad</th><th className="amount">Valor unitario</th><th className="amount">Importe</th><th>Impuestos</th></tr></thead>
            <tbody>{conceptos.map((c, i) => (
              <tr key={i}><td>{s(c.descripcion)}</td><td className="amount">{s(c.cantidad)}</td><td className="amount">{money(s(c.valor_unitario))}</td><td className="amount">{money(s(c.importe))}</td>
                <td className="small">{((c.taxes as Json[] | undefined) ?? []).map((t, j) => <div key={j}>{taxLabel(t)}: {money(s(t.importe))}</div>)}</td></tr>))}
            </tbody>
            <tfoot>
              <tr><th colSpan={3}>Subtotal</th><td className="amount">{money(s(doc.subtotal))}</td><td /></tr>
              {headerTaxes.map((t, i) => <tr key={i}><th colSpan={3}>{taxLabel(t)}</th><td className="amount">{t.kind === 'retencion' ? '-' : ''}{money(s(t.importe))}</td><td /></tr>)}
              <tr><th colSpan={3}>Total</th><td className="amount">{money(s(doc.total))} {s(doc.moneda) !== 'MXN' && s(doc.moneda)}</td><td /></tr>
            </tfoot>
          </table></div>
          {balance && (
            <p>Pagado {money(s(balance.paid))} · notas de crédito {money(s(balance.credited))} · saldo <strong data-testid="invoice-outstanding">{money(s(balance.outstanding))}</strong>
              {bank && toCents(s(bank.settled)) ? <> · conciliado en bancos {money(s(bank.settled))}</> : null}{' '}
              {((balance.flags as string[] | undefined) ?? []).map((f) => <span key={f} className="badge warn">{FLAGS[f] ?? f}</span>)}</p>
          )}
          {payments.length > 0 && (
            <><h3>Pagos</h3><ul>{payments.map((p, i) => <li key={i}>{formatDate(s(p.fecha_pago ?? p.fecha))} · parcialidad {s(p.num_parcialidad)} · {money(s(p.pagado ?? p.imp_pagado))} · saldo {money(s(p.insoluto))} <span className="muted small">{s(p.payment_uuid ?? p.uuid)}</span></li>)}</ul></>
          )}
          {credits.length > 0 && (<><h3>Notas de crédito</h3><ul>{credits.map((c, i) => <li key={i}>{s(c.uuid)} · {money(s(c.total ?? c.amount))}</li>)}</ul></>)}
          {warnings.length > 0 && (<><h3>Avisos</h3><ul>{warnings.map((w, i) => <li key={i} className="warn">{s(w.message)} ({s(w.code)})</li>)}</ul></>)}
        </>
      )}
    </section>
  );
}
