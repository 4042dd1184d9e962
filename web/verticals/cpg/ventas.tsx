'use client';
// Sales history: tickets filtered by dates, point of sale, product and payment method, page after
// page; the selection's totals from the server (GET /sales/summary, same filters); a ticket's
// lines; and the selection exported to CSV or XLSX — every page read (200 at a time, at most
// 50,000 tickets) and its totals checked against the summary before the file is saved.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { centsToDecimal, formatCents, money, sumCents, toCents } from '@/lib/money';
import { formatDate, formatDateTime, todayInMexico } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import { CPG_API } from './capabilities';
import {
  type CatalogProduct, fetchAll, type Page, PAYMENT_METHODS, percentLabel, type PointOfSale, quantity, type SaleDetail,
  type SaleItem, type SalesSummary, saveCsv, saveXlsx, withQuery, type XlsxCell,
} from './backoffice';

export const EXPORT_MAX = 50000;
type Filters = { from: string; to: string; pos_id: string; product_id: string; payment_method: string; ticket: string };

/** YYYY-MM-DD `days` before a date (calendar arithmetic on the date alone). */
function daysBefore(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

export default function SalesScreen() {
  const today = todayInMexico();
  const [filters, setFilters] = useState<Filters>({ from: daysBefore(today, 29), to: today, pos_id: '', product_id: '', payment_method: '', ticket: '' });
  const [pos, setPos] = useState<PointOfSale[]>([]);
  const [products, setProducts] = useState<CatalogProduct[]>([]);
  const [items, setItems] = useState<SaleItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [summary, setSummary] = useState<SalesSummary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  useEffect(() => {
    fetchAll<PointOfSale>('/pos').then((r) => setPos(r.items), () => setPos([]));
    fetchAll<CatalogProduct>('/products').then((r) => setProducts(r.items), () => setProducts([]));
  }, []);

  const params = useMemo(() => ({ ...filters, ticket: filters.ticket.trim() }), [filters]);

  const latest = useRef(0);
  const load = useCallback(async (after?: string) => {
    const mine = after ? latest.current : ++latest.current;
    if (!after) { setSummary(null); setSummaryError(null); }
    if (!after) {
      api<SalesSummary>(withQuery(`${CPG_API}/sales/summary`, params)).then(
        (s) => { if (mine === latest.current) setSummary(s); },
        (e) => { if (mine === latest.current) setSummaryError(e instanceof ApiError && e.status === 404 ? 'El resumen aún no está disponible en el servidor.' : errorMessage(e)); });
    }
    try {
      const page = await api<Page<SaleItem>>(withQuery(`${CPG_API}/sales`, { ...params, limit: '50', after }));
      if (mine !== latest.current) return;
      setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setNext(page.next_after ?? null);
      setError(null);
    } catch (e) { if (mine === latest.current) setError(errorMessage(e)); }
  }, [params]);
  useEffect(() => { void load(); }, [load]);

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setExportError(null);
    setFilters({ ...filters, [k]: e.target.value });
  };

  const exportFile = async (kind: 'csv' | 'xlsx') => {
    if (exporting) return;
    setExportError(null);
    setExporting('Preparando la exportación…');
    try {
      const want = await api<SalesSummary>(withQuery(`${CPG_API}/sales/summary`, params));
      const count = Number(want.count);
      if (count > EXPORT_MAX) {
        setExportError(`La selección tiene ${count.toLocaleString('es-MX')} tickets; se exportan hasta ${EXPORT_MAX.toLocaleString('es-MX')}. Acote las fechas.`);
        return;
      }
      const { items: all, truncated } = await fetchAll<SaleItem>('/sales', params, {
        max: EXPORT_MAX, onPage: (n) => setExporting(`Leyendo tickets… ${n.toLocaleString('es-MX')} de ${count.toLocaleString('es-MX')}`),
      });
      if (truncated) {
        setExportError(`La selección tiene más de ${EXPORT_MAX.toLocaleString('es-MX')} tickets. Acote las fechas.`);
        return;
      }
      const subtotal = sumCents(all.map((s) => s.subtotal));
      const iva = sumCents(all.map((s) => s.iva));
      const total = sumCents(all.map((s) => s.total));
      if (all.length !== count || subtotal !== toCents(want.subtotal) || iva !== toCents(want.iva) || total !== toCents(want.total)) {
        setExportError(`Los totales exportados (${all.length.toLocaleString('es-MX')} tickets, ${formatCents(total)}) no coinciden con el resumen (${count.toLocaleString('es-MX')} tickets, ${money(want.total)}); quizá entraron ventas mientras se exportaba. No se guardó el archivo: vuelva a intentarlo.`);
        return;
      }
      const header = ['Fecha', 'Hora', 'Ticket', 'Punto de venta', 'Forma de pago', 'Subtotal', 'IVA', 'Total', 'UUID CFDI'];
      const name = `ventas-${filters.from || 'inicio'}-a-${filters.to || 'hoy'}`;
      const time = (s: SaleItem) => formatDateTime(s.sold_at);
      if (kind === 'csv') {
        saveCsv([header,
          ...all.map((s) => [s.business_date, time(s), s.ticket, s.pos_code, PAYMENT_METHODS[s.payment_method] ?? s.payment_method, s.subtotal, s.iva, s.total, s.cfdi_uuid ?? '']),
          ['Total', '', String(all.length), '', '', centsToDecimal(subtotal), centsToDecimal(iva), centsToDecimal(total), '']], `${name}.csv`);
      } else {
        const rows: XlsxCell[][] = all.map((s) => [{ text: s.business_date }, { text: time(s) }, { text: s.ticket }, { text: s.pos_code },
          { text: PAYMENT_METHODS[s.payment_method] ?? s.payment_method }, { amount: s.subtotal }, { amount: s.iva }, { amount: s.total }, { text: s.cfdi_uuid ?? '' }]);
        rows.push([{ text: 'Total' }, { text: '' }, { count: all.length }, { text: '' }, { text: '' },
          { amount: centsToDecimal(subtotal) }, { amount: centsToDecimal(iva) }, { amount: centsToDecimal(total) }, { text: '' }]);
        await saveXlsx(header, rows, 'Ventas', `${name}.xlsx`, true);
      }
      setExporting(null);
    } catch (e) {
      setExportError(errorMessage(e));
    } finally { setExporting(null); }
  };

  return (
    <div>
      <div className="page-head">
        <div><h1>Historial de ventas</h1><p className="muted">Tickets de los puntos de venta, por fecha de operación.</p></div>
        <div className="head-actions">
          <button type="button" onClick={() => void exportFile('csv')} disabled={exporting != null || !items || items.length === 0} data-testid="sales-csv">Exportar CSV</button>
          <button type="button" onClick={() => void exportFile('xlsx')} disabled={exporting != null || !items || items.length === 0} data-testid="sales-xlsx">Exportar XLSX</button>
        </div>
      </div>
      {exporting && <p className="muted" role="status">{exporting}</p>}
      {exportError && <p className="notice bad" role="alert" data-testid="export-error">{exportError}</p>}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtros de ventas">
        <label>Desde<input type="date" value={filters.from} onChange={set('from')} name="from" /></label>
        <label>Hasta<input type="date" value={filters.to} onChange={set('to')} name="to" /></label>
        <label>Punto de venta
          <select value={filters.pos_id} onChange={set('pos_id')} name="pos_id">
            <option value="">Todos</option>
            {pos.map((p) => <option key={p.pos_id} value={p.pos_id}>{p.code} · {p.name}</option>)}
          </select>
        </label>
        <label>Producto
          <select value={filters.product_id} onChange={set('product_id')} name="product_id">
            <option value="">Todos</option>
            {products.map((p) => <option key={p.product_id} value={p.product_id}>{p.sku} · {p.name}</option>)}
          </select>
        </label>
        <label>Forma de pago
          <select value={filters.payment_method} onChange={set('payment_method')} name="payment_method">
            <option value="">Todas</option>
            {Object.entries(PAYMENT_METHODS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <label>Número de ticket<input type="search" value={filters.ticket} onChange={set('ticket')} name="ticket" placeholder="Completo, p. ej. T20261201-1" /></label>
      </form>
      <section className="panel" aria-labelledby="h-sales-summary">
        <h2 id="h-sales-summary" className="sr-only">Totales de la selección</h2>
        {summaryError ? <p className="muted">{summaryError}</p> : !summary ? <Loading text="Calculando totales…" /> : (
          <dl className="kpis small" data-testid="sales-summary">
            <div><dt>Tickets</dt><dd data-testid="summary-count">{Number(summary.count).toLocaleString('es-MX')}</dd></div>
            <div><dt>Subtotal</dt><dd>{money(summary.subtotal)}</dd></div>
            <div><dt>IVA</dt><dd>{money(summary.iva)}</dd></div>
            <div><dt>Total</dt><dd data-testid="summary-total">{money(summary.total)}</dd></div>
          </dl>
        )}
      </section>
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {selected && <SaleTicket id={selected} onClose={() => setSelected(null)} />}
      {!items ? (!error && <Loading />) : items.length === 0 ? <Empty>No hay ventas con estos filtros.</Empty> : (
        <section className="panel table-wrap" aria-label="Tickets">
          <table className="num" data-testid="sales-list">
            <thead><tr>
              <th scope="col">Fecha</th><th scope="col">Ticket</th><th scope="col">Punto de venta</th><th scope="col">Forma de pago</th>
              <th scope="col" className="amount">Subtotal</th><th scope="col" className="amount">IVA</th><th scope="col" className="amount">Total</th>
            </tr></thead>
            <tbody>{items.map((s) => (
              <tr key={s.sale_id} data-sale={s.sale_id}>
                <td>{formatDateTime(s.sold_at)}</td>
                <td><button type="button" className="ghost" onClick={() => setSelected(s.sale_id)} aria-label={`Ver ticket ${s.ticket} de ${s.pos_code}`}>{s.ticket}</button></td>
                <td>{s.pos_code}</td><td>{PAYMENT_METHODS[s.payment_method] ?? s.payment_method}</td>
                <td className="amount">{money(s.subtotal)}</td><td className="amount">{money(s.iva)}</td><td className="amount" data-testid="sale-total">{money(s.total)}</td>
              </tr>))}
            </tbody>
          </table>
          <p className="muted small">{items.length.toLocaleString('es-MX')} tickets mostrados{summary ? ` de ${Number(summary.count).toLocaleString('es-MX')}` : ''}.</p>
          {next && <button type="button" onClick={() => void load(next)}>Ver más</button>}
        </section>
      )}
    </div>
  );
}

/** One ticket: its lines with IVA and totals (GET /sales/{id}). */
export function SaleTicket({ id, onClose }: { id: string; onClose: () => void }) {
  const [sale, setSale] = useState<SaleDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    let cancelled = false;
    setSale(null); setError(null);
    api<SaleDetail>(`${CPG_API}/sales/${encodeURIComponent(id)}`).then(
      (s) => { if (!cancelled) { setSale(s); heading.current?.focus(); } },
      (e) => { if (!cancelled) setError(errorMessage(e)); });
    return () => { cancelled = true; };
  }, [id]);
  return (
    <section className="panel" aria-labelledby="h-ticket" data-testid="sale-detail">
      <header>
        <h2 id="h-ticket" ref={heading} tabIndex={-1}>Ticket {sale?.ticket ?? ''}</h2>
        <button type="button" onClick={onClose}>Cerrar</button>
      </header>
      {error && <ErrorState message={error} />}
      {!sale ? (!error && <Loading />) : (
        <>
          <p className="muted small">
            {sale.pos_code}{sale.pos_name ? ` · ${sale.pos_name}` : ''} · {formatDateTime(sale.sold_at)} (operación del {formatDate(sale.business_date)}) ·
            {' '}{PAYMENT_METHODS[sale.payment_method] ?? sale.payment_method}{sale.cfdi_uuid ? ` · CFDI ${sale.cfdi_uuid}` : ''}
          </p>
          <div className="table-wrap"><table className="num">
            <thead><tr>
              <th scope="col">SKU</th><th scope="col">Producto</th><th scope="col" className="amount">Cantidad</th><th scope="col" className="amount">Precio unitario</th>
              <th scope="col" className="amount">Tasa IVA</th><th scope="col" className="amount">Subtotal</th><th scope="col" className="amount">IVA</th><th scope="col" className="amount">Total</th>
            </tr></thead>
            <tbody>{sale.lines.map((l) => (
              <tr key={l.line_no}>
                <td>{l.sku}</td><td>{l.name}</td><td className="amount">{quantity(l.quantity)}</td><td className="amount">{money(l.unit_price)}</td>
                <td className="amount">{percentLabel(l.iva_rate)}</td><td className="amount">{money(l.subtotal)}</td><td className="amount">{money(l.iva)}</td>
                <td className="amount">{l.total ? money(l.total) : formatCents(sumCents([l.subtotal, l.iva]))}</td>
              </tr>))}
            </tbody>
            <tfoot>
              <tr><th scope="row" colSpan={7}>Subtotal</th><td className="amount">{money(sale.subtotal)}</td></tr>
              <tr><th scope="row" colSpan={7}>IVA</th><td className="amount">{money(sale.iva)}</td></tr>
              <tr><th scope="row" colSpan={7}>Total</th><td className="amount" data-testid="sale-detail-total">{money(sale.total)}</td></tr>
            </tfoot>
          </table></div>
        </>
      )}
    </section>
  );
}
