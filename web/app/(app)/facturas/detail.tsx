'use client';
// One CFDI: parties, conceptos with their taxes, payments, balance and its flags, warnings, the XML.
import { useEffect, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { money } from '@/lib/money';
import { formatDate, formatDateTime } from '@/lib/format';
import { ErrorState, Loading } from '@/components/States';
import { download } from './page';

type Json = Record<string, unknown>;
const s = (v: unknown) => (v == null ? '' : String(v));

export function InvoiceDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const [doc, setDoc] = useState<Json | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { api<Json>(`/api/v1/invoices/${encodeURIComponent(id)}`).then(setDoc, (e) => setError(errorMessage(e))); }, [id]);

  const conceptos = (doc?.conceptos as Json[] | undefined) ?? [];
  const payments = ((doc?.payments as Json[] | undefined) ?? []);
  const balance = doc?.balance as Json | undefined;
  const warnings = (doc?.warnings as Json[] | undefined) ?? [];
  const emisor = doc?.emisor as Json | undefined;
  const receptor = doc?.receptor as Json | undefined;
  return (
    <section className="panel" aria-labelledby="h-doc" data-testid="invoice-detail" style={{ marginTop: 16 }}>
      <header>
        <h2 id="h-doc">Comprobante {s(doc?.serie)}{doc?.folio ? '-' + s(doc.folio) : ''}</h2>
        <div className="head-actions">
          {doc?.uuid != null && <button type="button" onClick={() => void download(`/api/v1/invoices/${s(doc.uuid)}/xml`, `${s(doc.uuid)}.xml`).catch((e) => setError(errorMessage(e)))}>Descargar XML</button>}
          <button type="button" onClick={onClose}>Cerrar</button>
        </div>
      </header>
      {error && <ErrorState message={error} />}
      {!doc ? (!error && <Loading />) : (
        <>
          <p className="muted small">UUID {s(doc.uuid) || '—'} · {formatDateTime(s(doc.fecha))} · {s(doc.status)} · {s(doc.moneda)}</p>
          <p>Emisor: <strong>{s(emisor?.nombre) || s(emisor?.rfc)}</strong> ({s(emisor?.rfc)}) · Receptor: <strong>{s(receptor?.nombre) || s(receptor?.rfc)}</strong> ({s(receptor?.rfc)})</p>
          <div className="table-wrap"><table className="num">
            <thead><tr><th>Concepto</th><th className="amount">Cantidad</th><th className="amount">Valor unitario</th><th className="amount">Importe</th><th>Impuestos</th></tr></thead>
            <tbody>{conceptos.map((c, i) => (
              <tr key={i}><td>{s(c.descripcion)}</td><td className="amount">{s(c.cantidad)}</td><td className="amount">{money(s(c.valor_unitario))}</td><td className="amount">{money(s(c.importe))}</td>
                <td className="small">{((c.taxes as Json[] | undefined) ?? []).map((t, j) => <div key={j}>{s(t.kind)} {s(t.impuesto)} {s(t.tasa_o_cuota)}: {money(s(t.importe))}</div>)}</td></tr>))}
            </tbody>
            <tfoot><tr><th colSpan={3}>Total</th><td className="amount">{money(s(doc.total))}</td><td /></tr></tfoot>
          </table></div>
          {balance && (
            <p>Saldo: <strong>{money(s(balance.outstanding))}</strong> {((balance.flags as string[] | undefined) ?? []).map((f) => <span key={f} className="badge warn">{f}</span>)}</p>
          )}
          {payments.length > 0 && (
            <><h3>Pagos</h3><ul>{payments.map((p, i) => <li key={i}>{formatDate(s(p.fecha_pago ?? p.fecha))} · {money(s(p.imp_pagado ?? p.amount))} {s(p.uuid)}</li>)}</ul></>
          )}
          {warnings.length > 0 && (<><h3>Avisos</h3><ul>{warnings.map((w, i) => <li key={i} className="warn">{s(w.message)} ({s(w.code)})</li>)}</ul></>)}
        </>
      )}
    </section>
  );
}
