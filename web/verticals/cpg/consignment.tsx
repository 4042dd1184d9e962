'use client';
// Consignment at a point of sale: deliver goods, report what sold and what came back (cumulative
// quantities, as the retailer reports them), record the retailer's payments.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { money } from '@/lib/money';
import { formatDate } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import type { Product } from './venta';
import { CPG_API as CPG, CPG_CAN as CAN } from './capabilities';
const STATUS: Record<string, string> = {
  draft: 'Borrador', delivered: 'Entregada', partially_settled: 'Pago parcial', settled: 'Liquidada',
  returned: 'Devuelta', cancelled: 'Cancelada',
};
type Summary = { consignment_id: string; folio: string; consigned_on: string; status: string; value_delivered: string; amount_due: string; settled: string; balance: string };
type Line = { line_no: number; sku: string; name: string; qty_delivered: string; qty_sold: string; qty_returned: string; qty_on_hand: string };
type Detail = Summary & { lines: Line[]; available_events?: string[]; settlements: { settlement_id: string; amount: string; paid_on: string; method: string }[] };

export function Consignment({ posId, products }: { posId: string; products: Product[] }) {
  const { can } = useSession();
  const canSettle = can(CAN.settle);
  const [list, setList] = useState<Summary[] | null>(null);
  const [open, setOpen] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [delivery, setDelivery] = useState<Record<string, string>>({});
  const [reported, setReported] = useState<Record<number, { sold: string; returned: string }>>({});
  const [payment, setPayment] = useState({ amount: '', method: 'transfer', reference: '' });

  const load = useCallback(async () => {
    try {
      setList((await api<{ items: Summary[] }>(`${CPG}/consignment?pos_id=${posId}`)).items);
      setError(null);
    } catch (e) { setError(errorMessage(e)); }
  }, [posId]);
  useEffect(() => { void load(); }, [load]);

  const openDetail = async (id: string) => {
    try {
      const d = await api<Detail>(`${CPG}/consignment/${id}`);
      setOpen(d);
      setReported(Object.fromEntries(d.lines.map((l) => [l.line_no, { sold: l.qty_sold, returned: l.qty_returned }])));
    } catch (e) { setError(errorMessage(e)); }
  };

  const act = async (what: string, fn: () => Promise<unknown>, after?: string) => {
    if (busy) return;
    setBusy(true); setError(null); setNotice(null);
    try {
      await fn();
      setNotice(what);
      await load();
      if (after) await openDetail(after);
    } catch (e) { setError(errorMessage(e)); } finally { setBusy(false); }
  };

  const deliver = () => act('Entrega registrada.', async () => {
    const lines = Object.entries(delivery).filter(([, q]) => Number(q) > 0).map(([sku, quantity]) => ({ sku, quantity }));
    if (lines.length === 0) throw new Error('Indique al menos una cantidad.');
    const c = await api<{ consignment_id: string }>(`${CPG}/consignment`, { method: 'POST', json: { pos_id: posId, lines } });
    await api(`${CPG}/consignment/${c.consignment_id}/transitions`, { method: 'POST', json: { event: 'deliver' } });
    setDelivery({});
  });

  return (
    <div className="grid-2">
      <section className="panel" aria-labelledby="h-cons">
        <header><h2 id="h-cons">Consignaciones de este punto de venta</h2></header>
        {notice && <p className="notice ok" role="status">{notice}</p>}
        {error && <ErrorState message={error} />}
        {!list ? <Loading /> : list.length === 0 ? <Empty>Sin consignaciones.</Empty> : (
          <div className="table-wrap"><table className="num">
            <thead><tr><th>Folio</th><th>Fecha</th><th>Estado</th><th className="amount">Saldo</th><th /></tr></thead>
            <tbody>{list.map((c) => (
              <tr key={c.consignment_id}>
                <td>{c.folio}</td><td>{formatDate(c.consigned_on)}</td><td>{STATUS[c.status] ?? c.status}</td>
                <td className="amount">{money(c.balance)}</td>
                <td><button type="button" onClick={() => void openDetail(c.consignment_id)}>Abrir</button></td>
              </tr>))}
            </tbody>
          </table></div>
        )}
        <h3>Nueva entrega</h3>
        <div className="table-wrap"><table>
          <tbody>{products.slice(0, 30).map((p) => (
            <tr key={p.sku}><td>{p.name} <span className="muted small">{p.sku}</span></td>
              <td><input aria-label={`Cantidad a entregar de ${p.name}`} inputMode="decimal" style={{ width: 90 }}
                value={delivery[p.sku] ?? ''} onChange={(e) => setDelivery({ ...delivery, [p.sku]: e.target.value })} /></td></tr>))}
          </tbody>
        </table></div>
        <button type="button" className="primary" onClick={() => void deliver()} disabled={busy}>Registrar entrega</button>
      </section>
      {open && (
        <section className="panel" aria-labelledby="h-detail">
          <header><h2 id="h-detail">Consignación {open.folio}</h2><span className="badge">{STATUS[open.status] ?? open.status}</span></header>
          <p>Adeudo {money(open.amount_due)} · pagado {money(open.settled)} · <strong>saldo {money(open.balance)}</strong></p>
          <table className="num">
            <thead><tr><th>Producto</th><th className="amount">Entregado</th><th>Vendido</th><th>Devuelto</th></tr></thead>
            <tbody>{open.lines.map((l) => (
              <tr key={l.line_no}><td>{l.name}</td><td className="amount">{l.qty_delivered}</td>
                <td><input aria-label={`Vendido de ${l.name}`} inputMode="decimal" style={{ width: 80 }} value={reported[l.line_no]?.sold ?? ''}
                  onChange={(e) => setReported({ ...reported, [l.line_no]: { ...reported[l.line_no], sold: e.target.value } })} /></td>
                <td><input aria-label={`Devuelto de ${l.name}`} inputMode="decimal" style={{ width: 80 }} value={reported[l.line_no]?.returned ?? ''}
                  onChange={(e) => setReported({ ...reported, [l.line_no]: { ...reported[l.line_no], returned: e.target.value } })} /></td></tr>))}
            </tbody>
          </table>
          {open.available_events?.includes('report') && (
            <button type="button" disabled={busy} onClick={() => void act('Reporte de ventas registrado.', () => api(`${CPG}/consignment/${open.consignment_id}/transitions`,
              { method: 'POST', json: { event: 'report', lines: open.lines.map((l) => ({ line_no: l.line_no, sold: reported[l.line_no]?.sold || '0', returned: reported[l.line_no]?.returned || '0' })) } }), open.consignment_id)}>
              Registrar vendido y devuelto</button>
          )}
          {canSettle && ['delivered', 'partially_settled'].includes(open.status) && (
            <form className="filters" style={{ marginTop: 16 }} onSubmit={(e) => { e.preventDefault(); void act('Pago registrado.', () => api(`${CPG}/consignment/${open.consignment_id}/settlements`,
              { method: 'POST', json: { amount: payment.amount, method: payment.method, ...(payment.reference ? { reference: payment.reference } : {}) } }), open.consignment_id); }}>
              <label>Monto del pago<input inputMode="decimal" required value={payment.amount} onChange={(e) => setPayment({ ...payment, amount: e.target.value })} /></label>
              <label>Forma<select value={payment.method} onChange={(e) => setPayment({ ...payment, method: e.target.value })}>
                <option value="transfer">Transferencia</option><option value="cash">Efectivo</option><option value="check">Cheque</option><option value="card">Tarjeta</option><option value="compensation">Compensación</option></select></label>
              <label>Referencia<input value={payment.reference} onChange={(e) => setPayment({ ...payment, reference: e.target.value })} /></label>
              <button type="submit" className="primary" disabled={busy}>Registrar pago</button>
            </form>
          )}
          {open.settlements.length > 0 && (
            <ul>{open.settlements.map((s) => <li key={s.settlement_id}>{formatDate(s.paid_on)} · {money(s.amount)} · {s.method}</li>)}</ul>
          )}
        </section>
      )}
    </div>
  );
}
