'use client';
// Points of sale: the list (clave, nombre, RFC del comercio, comisión, estado), create, edit and
// deactivate with the version read, and one point of sale in detail: its consignments and its
// latest tickets with their totals.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { formatCents, money, sumCents } from '@/lib/money';
import { formatDate, formatDateTime } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import { CPG_API, CPG_CAN } from './capabilities';
import {
  fetchAll, fieldProblems, type Page, PAYMENT_METHODS, percentLabel, percentToRate, type PointOfSale, POS_STATUS,
  rateToPercent, type SaleItem, type SalesSummary, withQuery,
} from './backoffice';
import { SaleTicket } from './ventas';

type Draft = { code: string; name: string; retailer_rfc: string; address: string; commission: string; status: string };
const EMPTY: Draft = { code: '', name: '', retailer_rfc: '', address: '', commission: '', status: 'active' };
const STALE = 'Otro usuario cambió este punto de venta; recargue para ver sus datos actuales.';
const RFC = /^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$/;
const CONSIGNMENT_STATUS: Record<string, string> = {
  draft: 'Borrador', delivered: 'Entregada', partially_settled: 'Pago parcial', settled: 'Liquidada', returned: 'Devuelta', cancelled: 'Cancelada',
};

function draftOf(p: PointOfSale): Draft {
  return { code: p.code, name: p.name, retailer_rfc: p.retailer_rfc, address: p.address ?? '', commission: rateToPercent(p.commission_rate), status: p.status };
}

export default function PointsOfSaleScreen() {
  const { can } = useSession();
  const canManage = can(CPG_CAN.manage);
  const [status, setStatus] = useState('');
  const [items, setItems] = useState<PointOfSale[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<PointOfSale | 'new' | null>(null);
  const [detail, setDetail] = useState<PointOfSale | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const latest = useRef(0);
  const load = useCallback(async () => {
    const mine = ++latest.current;
    try {
      const { items: all } = await fetchAll<PointOfSale>('/pos', { status });
      if (mine !== latest.current) return;
      setItems(all);
      setError(null);
    } catch (e) { if (mine === latest.current) setError(errorMessage(e)); }
  }, [status]);
  useEffect(() => { void load(); }, [load]);

  const toggle = async (p: PointOfSale) => {
    const next = p.status === 'active' ? 'inactive' : 'active';
    setBusy(p.pos_id); setNotice(null); setError(null);
    try {
      await api(`${CPG_API}/pos/${p.pos_id}`, { method: 'PATCH', json: { status: next, version: p.version } });
      setNotice(`${p.code} ${next === 'active' ? 'reactivado' : 'desactivado'}.`);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? STALE : errorMessage(e));
    } finally {
      setBusy(null);
      await load();
    }
  };

  return (
    <div>
      <div className="page-head">
        <div><h1>Puntos de venta</h1><p className="muted">Tiendas de los comercios donde se vende y se deja mercancía en consignación.</p></div>
        {canManage && <div className="head-actions"><button type="button" className="primary" onClick={() => { setEditing('new'); setNotice(null); }}>Nuevo punto de venta</button></div>}
      </div>
      {notice && <p className="notice ok" role="status">{notice}</p>}
      {editing && canManage && (
        <PosForm key={editing === 'new' ? 'new' : editing.pos_id} pos={editing === 'new' ? null : editing} onCancel={() => { setEditing(null); void load(); }}
          onSaved={(p, created) => { setEditing(null); setNotice(`Punto de venta ${p.code} ${created ? 'dado de alta' : 'guardado'}.`); void load(); }} />
      )}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtros de puntos de venta">
        <label>Estado
          <select value={status} onChange={(e) => setStatus(e.target.value)} name="status">
            <option value="">Todos</option><option value="active">Activos</option><option value="inactive">Inactivos</option>
          </select>
        </label>
      </form>
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {detail && <PosDetail key={detail.pos_id} pos={detail} onClose={() => setDetail(null)} />}
      {!items ? (!error && <Loading />) : items.length === 0 ? <Empty>No hay puntos de venta con este estado.</Empty> : (
        <section className="panel table-wrap" aria-label="Puntos de venta">
          <table className="num" data-testid="pos-list">
            <thead><tr>
              <th scope="col">Clave</th><th scope="col">Nombre</th><th scope="col">RFC del comercio</th><th scope="col" className="amount">Comisión</th>
              <th scope="col">Estado</th><th scope="col"><span className="sr-only">Acciones</span></th>
            </tr></thead>
            <tbody>{items.map((p) => (
              <tr key={p.pos_id} data-code={p.code}>
                <td>{p.code}</td><td>{p.name}{p.address && <div className="muted small">{p.address}</div>}</td><td>{p.retailer_rfc}</td>
                <td className="amount">{percentLabel(p.commission_rate)}</td>
                <td><span className="badge">{POS_STATUS[p.status] ?? p.status}</span></td>
                <td style={{ whiteSpace: 'nowrap' }}>
                  <button type="button" aria-label={`Ver ${p.code}`} onClick={() => setDetail(p)}>Ver</button>{' '}
                  {canManage && <>
                    <button type="button" aria-label={`Editar ${p.code}`} onClick={() => { setEditing(p); setNotice(null); }}>Editar</button>{' '}
                    <button type="button" className={p.status === 'active' ? 'danger' : ''} disabled={busy === p.pos_id} aria-label={`${p.status === 'active' ? 'Desactivar' : 'Reactivar'} ${p.code}`}
                      onClick={() => void toggle(p)}>{p.status === 'active' ? 'Desactivar' : 'Reactivar'}</button>
                  </>}
                </td>
              </tr>))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

function PosForm({ pos, onCancel, onSaved }: { pos: PointOfSale | null; onCancel: () => void; onSaved: (p: PointOfSale, created: boolean) => void }) {
  const [base, setBase] = useState<PointOfSale | null>(pos);
  const [draft, setDraft] = useState<Draft>(pos ? draftOf(pos) : EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => { first.current?.focus(); }, []);
  const set = (k: keyof Draft) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft({ ...draft, [k]: e.target.value });

  const reload = async () => {
    if (!base) return;
    try {
      const { items } = await fetchAll<PointOfSale>('/pos');
      const fresh = items.find((p) => p.pos_id === base.pos_id);
      if (!fresh) { setError('El punto de venta ya no existe.'); return; }
      setBase(fresh); setDraft(draftOf(fresh)); setStale(false); setError(null); setErrors({});
    } catch (e) { setError(errorMessage(e)); }
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const rfc = draft.retailer_rfc.trim().toUpperCase();
    const rate = draft.commission.trim() === '' ? null : percentToRate(draft.commission);
    if (!base && !/^[A-Za-z0-9._-]{1,30}$/.test(draft.code.trim())) local.code = 'Solo letras, dígitos, punto, guion y guion bajo (hasta 30).';
    if (!draft.name.trim()) local.name = 'Escriba el nombre.';
    if (!RFC.test(rfc)) local.retailer_rfc = 'Un RFC de 12 o 13 caracteres, como CCO8605231N4.';
    if (draft.commission.trim() !== '' && (rate == null || Number(rate) >= 1)) local.commission_rate = 'Un porcentaje de 0 a 99.9999.';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true); setError(null);
    try {
      if (!base) {
        const body: Record<string, unknown> = { code: draft.code.trim(), name: draft.name.trim(), retailer_rfc: rfc, status: draft.status };
        if (draft.address.trim()) body.address = draft.address.trim();
        if (rate != null) body.commission_rate = rate;
        onSaved(await api<PointOfSale>(`${CPG_API}/pos`, { method: 'POST', json: body }), true);
      } else {
        const was = draftOf(base);
        const body: Record<string, unknown> = { version: base.version };
        if (draft.name.trim() !== was.name) body.name = draft.name.trim();
        if (rfc !== was.retailer_rfc) body.retailer_rfc = rfc;
        if (draft.address.trim() !== was.address) body.address = draft.address.trim();
        if (rate != null && rateToPercent(rate) !== was.commission) body.commission_rate = rate;
        if (draft.status !== was.status) body.status = draft.status;
        if (Object.keys(body).length === 1) { onCancel(); return; }
        onSaved(await api<PointOfSale>(`${CPG_API}/pos/${base.pos_id}`, { method: 'PATCH', json: body }), false);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && base) { setStale(true); setError(STALE); }
      else { setError(errorMessage(err)); if (err instanceof ApiError) setErrors(fieldProblems(err.details)); }
    } finally { setBusy(false); }
  };

  const field = (name: string) => errors[name] ? { 'aria-invalid': true, 'aria-describedby': `err-${name}` } : {};
  const hint = (name: string) => errors[name] ? <span id={`err-${name}`} className="error small">{errors[name]}</span> : null;

  return (
    <section className="panel" aria-labelledby="h-pos-form" data-testid="pos-form">
      <header><h2 id="h-pos-form">{base ? `Editar ${base.code}` : 'Nuevo punto de venta'}</h2></header>
      {error && <div className="notice bad" role="alert">{error}{stale && <> <button type="button" onClick={() => void reload()}>Recargar</button></>}</div>}
      <form className="filters" onSubmit={(e) => void submit(e)} noValidate>
        <label>Clave<input ref={base ? undefined : first} value={draft.code} onChange={set('code')} disabled={!!base} maxLength={30} required {...field('code')} />{hint('code')}</label>
        <label>Nombre<input ref={base ? first : undefined} value={draft.name} onChange={set('name')} maxLength={200} required style={{ minWidth: 240 }} {...field('name')} />{hint('name')}</label>
        <label>RFC del comercio<input value={draft.retailer_rfc} onChange={set('retailer_rfc')} maxLength={13} required autoCapitalize="characters" {...field('retailer_rfc')} />{hint('retailer_rfc')}</label>
        <label>Dirección<input value={draft.address} onChange={set('address')} maxLength={500} style={{ minWidth: 240 }} {...field('address')} />{hint('address')}</label>
        <label>Comisión (%)<input value={draft.commission} onChange={set('commission')} inputMode="decimal" style={{ width: 110 }} {...field('commission_rate')} />{hint('commission_rate')}</label>
        <label>Estado
          <select value={draft.status} onChange={set('status')}><option value="active">Activo</option><option value="inactive">Inactivo</option></select>
        </label>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Guardando…' : base ? 'Guardar cambios' : 'Dar de alta'}</button>
        <button type="button" onClick={onCancel} disabled={busy}>Cancelar</button>
      </form>
    </section>
  );
}

type ConsignmentItem = { consignment_id: string; folio: string; consigned_on: string; status: string; value_delivered: string; amount_due: string; settled: string; balance: string };

function PosDetail({ pos, onClose }: { pos: PointOfSale; onClose: () => void }) {
  const [consignments, setConsignments] = useState<ConsignmentItem[] | null>(null);
  const [sales, setSales] = useState<SaleItem[] | null>(null);
  const [summary, setSummary] = useState<SalesSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ticket, setTicket] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
    let cancelled = false;
    fetchAll<ConsignmentItem>('/consignment', { pos_id: pos.pos_id }, { max: 500 }).then(
      (r) => { if (!cancelled) setConsignments(r.items); }, (e) => { if (!cancelled) setError(errorMessage(e)); });
    api<Page<SaleItem>>(withQuery(`${CPG_API}/sales`, { pos_id: pos.pos_id, limit: '20' })).then(
      (r) => { if (!cancelled) setSales(r.items); }, (e) => { if (!cancelled) setError(errorMessage(e)); });
    api<SalesSummary>(withQuery(`${CPG_API}/sales/summary`, { pos_id: pos.pos_id })).then(
      (s) => { if (!cancelled) setSummary(s); }, () => { /* the totals of all time are a bonus */ });
    return () => { cancelled = true; };
  }, [pos.pos_id]);

  const open = consignments?.filter((c) => c.status === 'delivered' || c.status === 'partially_settled') ?? [];
  return (
    <section className="panel" aria-labelledby="h-pos-detail" data-testid="pos-detail">
      <header>
        <h2 id="h-pos-detail" ref={heading} tabIndex={-1}>{pos.code} · {pos.name}</h2>
        <button type="button" onClick={onClose}>Cerrar</button>
      </header>
      <p className="muted small">RFC {pos.retailer_rfc} · comisión {percentLabel(pos.commission_rate)} · {POS_STATUS[pos.status] ?? pos.status}{pos.address ? ` · ${pos.address}` : ''}</p>
      {error && <ErrorState message={error} />}
      {summary && (
        <dl className="kpis small" style={{ marginBottom: 16 }}>
          <div><dt>Tickets (histórico)</dt><dd>{Number(summary.count).toLocaleString('es-MX')}</dd></div>
          <div><dt>Ventas (histórico)</dt><dd>{money(summary.total)}</dd></div>
          <div><dt>Saldo en consignación</dt><dd>{formatCents(sumCents(open.map((c) => c.balance)))}</dd></div>
        </dl>
      )}
      <div className="grid-2">
        <div className="table-wrap">
          <h3>Consignaciones</h3>
          {!consignments ? <Loading /> : consignments.length === 0 ? <Empty>Sin consignaciones.</Empty> : (
            <table className="num" data-testid="pos-consignments">
              <thead><tr><th scope="col">Folio</th><th scope="col">Fecha</th><th scope="col">Estado</th><th scope="col" className="amount">Adeudo</th><th scope="col" className="amount">Saldo</th></tr></thead>
              <tbody>{consignments.map((c) => (
                <tr key={c.consignment_id}><td>{c.folio}</td><td>{formatDate(c.consigned_on)}</td><td>{CONSIGNMENT_STATUS[c.status] ?? c.status}</td>
                  <td className="amount">{money(c.amount_due)}</td><td className="amount">{money(c.balance)}</td></tr>))}
              </tbody>
              <tfoot><tr><th scope="row" colSpan={3}>Total</th><td className="amount">{formatCents(sumCents(consignments.map((c) => c.amount_due)))}</td>
                <td className="amount">{formatCents(sumCents(consignments.map((c) => c.balance)))}</td></tr></tfoot>
            </table>
          )}
        </div>
        <div className="table-wrap">
          <h3>Últimas ventas</h3>
          {!sales ? <Loading /> : sales.length === 0 ? <Empty>Sin ventas.</Empty> : (
            <table className="num" data-testid="pos-sales">
              <thead><tr><th scope="col">Fecha</th><th scope="col">Ticket</th><th scope="col">Pago</th><th scope="col" className="amount">Total</th></tr></thead>
              <tbody>{sales.map((s) => (
                <tr key={s.sale_id}><td>{formatDateTime(s.sold_at)}</td>
                  <td><button type="button" className="ghost" onClick={() => setTicket(s.sale_id)} aria-label={`Ver ticket ${s.ticket}`}>{s.ticket}</button></td>
                  <td>{PAYMENT_METHODS[s.payment_method] ?? s.payment_method}</td><td className="amount">{money(s.total)}</td></tr>))}
              </tbody>
              <tfoot><tr><th scope="row" colSpan={3}>Total de estas {sales.length} ventas</th><td className="amount" data-testid="pos-sales-total">{formatCents(sumCents(sales.map((s) => s.total)))}</td></tr></tfoot>
            </table>
          )}
        </div>
      </div>
      {ticket && <SaleTicket id={ticket} onClose={() => setTicket(null)} />}
    </section>
  );
}
