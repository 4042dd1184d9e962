'use client';
// Invoices: drag-and-drop import of XML files and ZIPs with a per-file report, the list with
// filters, a document's detail (conceptos, taxes, payments, balance, warnings), the original XML,
// and receivables / payables aging.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { CAN, useSession } from '@/lib/session';
import { CapabilityGate } from '@/components/Shell';
import { money } from '@/lib/money';
import { formatDate, label, STATUS_LABELS, sealLabel, type Seal } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import { InvoiceDetail } from './detail';
import { Upload } from './upload';

type Item = {
  id: string; uuid: string | null; serie: string | null; folio: string | null; fecha: string; tipo: string; direction: string;
  status: string; counterparty: { rfc: string; nombre: string | null }; moneda: string; total: string; total_mxn: string;
  outstanding: string | null; payment_state: string | null; warnings: number; seal?: Seal;
};
type Aging = { totals: { outstanding_mxn: string; buckets: Record<string, string> }; items: { rfc: string; nombre: string; invoices: number; outstanding_mxn: string; buckets: Record<string, string> }[] };

const TIPO: Record<string, string> = { I: 'Ingreso', E: 'Egreso', P: 'Pago', T: 'Traslado', N: 'Nómina' };
const STATE: Record<string, string> = { paid: 'Pagada', partial: 'Pago parcial', unpaid: 'Sin pagar' };
const owes = (i: { payment_state: string | null }) => i.payment_state != null && i.payment_state in STATE;

export default function InvoicesPage() {
  return <CapabilityGate need={CAN.invoices}><Invoices /></CapabilityGate>;
}

function Invoices() {
  const { can } = useSession();
  const [tab, setTab] = useState<'list' | 'receivables' | 'payables'>('list');
  const [filters, setFilters] = useState({ direction: '', tipo: '', status: '', payment: '', q: '', from: '', to: '' });
  const [items, setItems] = useState<Item[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const query = useMemo(() => {
    const q = new URLSearchParams({ limit: '50' });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    return q;
  }, [filters]);

  // Typing in the filters sends a query per keystroke: only the latest one's answer is shown.
  const latest = useRef(0);
  const load = useCallback(async (after?: string) => {
    const mine = after ? latest.current : ++latest.current;
    try {
      const q = new URLSearchParams(query);
      if (after) q.set('after', after);
      const r = await api<{ items: Item[]; next_after?: string | null }>('/api/v1/invoices?' + q);
      if (mine !== latest.current) return;
      setItems((prev) => (after && prev ? [...prev, ...r.items] : r.items));
      setNext(r.next_after ?? null);
      setError(null);
    } catch (e) { setError(errorMessage(e)); }
  }, [query]);
  useEffect(() => { void load(); }, [load]);

  const set = (k: keyof typeof filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFilters({ ...filters, [k]: e.target.value });

  return (
    <div>
      <div className="page-head"><h1>Facturas (CFDI)</h1></div>
      {can(CAN.importInvoices) && <Upload onImported={() => void load()} />}
      <div className="tabs" role="tablist">
        <button role="tab" type="button" aria-selected={tab === 'list'} onClick={() => setTab('list')}>Comprobantes</button>
        <button role="tab" type="button" aria-selected={tab === 'receivables'} onClick={() => setTab('receivables')}>Por cobrar</button>
        <button role="tab" type="button" aria-selected={tab === 'payables'} onClick={() => setTab('payables')}>Por pagar</button>
      </div>
      {tab !== 'list' ? <AgingView kind={tab} /> : (
        <>
          <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtros">
            <label>Buscar<input value={filters.q} onChange={set('q')} placeholder="UUID, folio o serie-folio" /></label>
            <label>Dirección<select value={filters.direction} onChange={set('direction')}><option value="">Todas</option><option value="issued">Emitidas</option><option value="received">Recibidas</option></select></label>
            <label>Tipo<select value={filters.tipo} onChange={set('tipo')}><option value="">Todos</option>{Object.entries(TIPO).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
            <label>Estado<select value={filters.status} onChange={set('status')}><option value="">Todos</option><option value="vigente">Vigente</option><option value="cancelada">Cancelada</option><option value="borrador">Borrador</option></select></label>
            <label>Pago<select value={filters.payment} onChange={set('payment')}><option value="">Todos</option><option value="paid">Pagadas</option><option value="partial">Parciales</option><option value="unpaid">Sin pagar</option></select></label>
            <label>Desde<input type="date" value={filters.from} onChange={set('from')} /></label>
            <label>Hasta<input type="date" value={filters.to} onChange={set('to')} /></label>
          </form>
          {error && <ErrorState message={error} onRetry={() => void load()} />}
          {!items ? <Loading /> : items.length === 0 ? <Empty>No hay comprobantes con estos filtros.</Empty> : (
            <section className="panel table-wrap">
              <table className="num" data-testid="invoice-list">
                <thead><tr><th>Fecha</th><th>Folio</th><th>Tipo</th><th>Contraparte</th><th>Estado</th><th className="amount">Total</th><th className="amount">Saldo</th></tr></thead>
                <tbody>{items.map((i) => (
                  <tr key={i.id}>
                    <td>{formatDate(i.fecha)}</td>
                    <td><button type="button" className="ghost" onClick={() => setSelected(i.uuid ?? i.id)} title={`Ver el detalle de ${i.uuid ?? i.id}`}>{[i.serie, i.folio].filter(Boolean).join('-') || (i.uuid ?? i.id).slice(0, 8)}</button></td>
                    <td>{TIPO[i.tipo] ?? i.tipo} · {i.direction === 'issued' ? 'emitida' : 'recibida'}</td>
                    <td>{i.counterparty.nombre ?? i.counterparty.rfc}<div className="muted small">{i.counterparty.rfc}</div></td>
                    <td><span className={`badge ${i.status === 'cancelada' ? 'bad' : i.status === 'vigente' ? 'ok' : ''}`}>{label(STATUS_LABELS, i.status)}</span>{owes(i) && <div className="muted small">{STATE[i.payment_state!]}</div>}{i.warnings > 0 && <div className="warn small">{i.warnings} avisos</div>}{i.seal?.state && i.seal.state !== 'valid' && <div className={`small ${sealLabel(i.seal).cls}`} data-testid="seal-state">{sealLabel(i.seal).text}</div>}</td>
                    <td className="amount">{i.tipo === 'P' ? '—' : money(i.total)} {i.moneda !== 'MXN' && i.moneda !== 'XXX' && <span className="muted small">{i.moneda}</span>}</td>
                    <td className="amount">{owes(i) && i.outstanding ? money(i.outstanding) : '—'}</td>
                  </tr>))}
                </tbody>
              </table>
              {next && <button type="button" onClick={() => void load(next)}>Ver más</button>}
            </section>
          )}
        </>
      )}
      {selected && <InvoiceDetail id={selected} onClose={() => setSelected(null)} />}
    </div>
  );
}

function AgingView({ kind }: { kind: 'receivables' | 'payables' }) {
  const [data, setData] = useState<Aging | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { api<Aging>(`/api/v1/invoices/${kind}`).then(setData, (e) => setError(errorMessage(e))); }, [kind]);
  if (error) return <ErrorState message={error} />;
  if (!data) return <Loading />;
  const b = (x: Record<string, string>) => ['0_30', '31_60', '61_90', '90_plus'].map((k) => <td key={k} className="amount">{money(x[k])}</td>);
  return (
    <section className="panel table-wrap">
      <h2>{kind === 'receivables' ? 'Cuentas por cobrar' : 'Cuentas por pagar'}: {money(data.totals.outstanding_mxn)}</h2>
      {data.items.length === 0 ? <Empty>Nada pendiente.</Empty> : (
        <table className="num">
          <thead><tr><th>{kind === 'receivables' ? 'Cliente' : 'Proveedor'}</th><th className="amount">Facturas</th><th className="amount">0–30 días</th><th className="amount">31–60</th><th className="amount">61–90</th><th className="amount">Más de 90</th><th className="amount">Total</th></tr></thead>
          <tbody>{data.items.map((i) => <tr key={i.rfc}><td>{i.nombre || i.rfc}<div className="muted small">{i.rfc}</div></td><td className="amount">{i.invoices}</td>{b(i.buckets)}<td className="amount">{money(i.outstanding_mxn)}</td></tr>)}</tbody>
          <tfoot><tr><th>Total</th><td />{b(data.totals.buckets)}<td className="amount">{money(data.totals.outstanding_mxn)}</td></tr></tfoot>
        </table>
      )}
    </section>
  );
}
