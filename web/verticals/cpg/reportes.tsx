'use client';
// Retail reports (GET /reports/{name}): sell-through of consigned goods, aging of what retailers
// still owe, and the ranking of points of sale by revenue — by date range and grouping, with a
// bar chart and CSV/XLSX export of the rows shown. Amounts stay exact text; totals in cents.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { centsToDecimal, formatCents, money, sumCents, toCents } from '@/lib/money';
import { formatDate, formatMonth, todayInMexico } from '@/lib/format';
import { BarChart } from '@/components/BarChart';
import { Empty, ErrorState, Loading } from '@/components/States';
import { CPG_API } from './capabilities';
import { percentLabel, quantity, saveCsv, saveXlsx, type XlsxCell } from './backoffice';

type Row = Record<string, string | null>;
type Report = { report?: string; columns: string[]; rows: Row[] };
type Kind = 'money' | 'qty' | 'ratio' | 'count' | 'text';

type ReportInfo = {
  title: string; description: string; groupings: Record<string, string>; chart: string;
  measures?: string; sort?: string; dates: string;
};
const REPORTS: Record<string, ReportInfo> = {
  sell_through: {
    title: 'Desplazamiento en consignación', description: 'Lo entregado en consignación, lo vendido, lo devuelto y lo que queda en tienda.',
    groupings: { pos: 'Punto de venta', product: 'Producto', 'pos,product': 'Punto de venta y producto', month: 'Mes' },
    chart: 'value_sold', dates: 'Fecha de consignación',
  },
  consignment_aging: {
    title: 'Antigüedad de consignaciones', description: 'Saldo que deben los comercios por consignaciones abiertas, por días desde la entrega.',
    groupings: { bucket: 'Antigüedad', pos: 'Punto de venta', 'pos,bucket': 'Punto de venta y antigüedad' },
    chart: 'balance', dates: 'Fecha de entrega',
  },
  pos_ranking: {
    title: 'Ranking de puntos de venta', description: 'Ingresos por punto de venta: ventas de mostrador y pagos de consignación.',
    groupings: { 'pos,pos_name': 'Punto de venta', month: 'Mes' },
    chart: 'total', dates: 'Fecha de operación',
  },
};
const COLUMNS: Record<string, { title: string; kind: Kind }> = {
  pos: { title: 'Punto de venta', kind: 'text' }, pos_name: { title: 'Nombre', kind: 'text' }, product: { title: 'Producto (SKU)', kind: 'text' },
  status: { title: 'Estado', kind: 'text' }, bucket: { title: 'Antigüedad (días)', kind: 'text' }, month: { title: 'Mes', kind: 'text' },
  week: { title: 'Semana', kind: 'text' }, day: { title: 'Día', kind: 'text' },
  delivered: { title: 'Entregado', kind: 'qty' }, sold: { title: 'Vendido', kind: 'qty' }, returned: { title: 'Devuelto', kind: 'qty' },
  on_hand: { title: 'En tienda', kind: 'qty' }, value_sold: { title: 'Valor vendido', kind: 'money' }, sell_through: { title: '% vendido', kind: 'ratio' },
  balance: { title: 'Saldo', kind: 'money' }, value_on_hand: { title: 'Valor en tienda', kind: 'money' }, consignments: { title: 'Consignaciones', kind: 'count' },
  total: { title: 'Total', kind: 'money' }, sales: { title: 'Ventas de mostrador', kind: 'money' }, consignment: { title: 'Pagos de consignación', kind: 'money' },
  rank: { title: 'Lugar', kind: 'count' },
};
const BUCKET_ORDER = ['0-30', '31-60', '61-90', '>90'];
const DIMENSIONS = new Set(['pos', 'pos_name', 'product', 'status', 'bucket', 'month', 'week', 'day']);

function kindOf(col: string): Kind { return COLUMNS[col]?.kind ?? 'text'; }
function titleOf(col: string): string { return COLUMNS[col]?.title ?? col; }

function show(col: string, v: string | null): string {
  if (v == null) return '—';
  if (col === 'month') return formatMonth(v);
  if (col === 'week' || col === 'day') return formatDate(v);
  switch (kindOf(col)) {
    case 'money': return money(v);
    case 'qty': return quantity(v);
    case 'ratio': return percentLabel(v);
    case 'count': return Number(v).toLocaleString('es-MX');
    default: return v;
  }
}

export default function RetailReportsScreen() {
  const today = todayInMexico();
  const [name, setName] = useState('pos_ranking');
  const [groupBy, setGroupBy] = useState('pos,pos_name');
  const [from, setFrom] = useState(today.slice(0, 4) + '-01-01');
  const [to, setTo] = useState(today);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const info = REPORTS[name];

  const query = useMemo(() => {
    const q = new URLSearchParams({ group_by: groupBy });
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    if (name === 'consignment_aging' && !groupBy.includes('bucket')) q.set('sort', '-balance');
    if (name === 'sell_through' && groupBy === 'month') q.set('sort', 'month');
    if (name === 'pos_ranking' && groupBy === 'month') q.set('sort', 'month');
    return q.toString();
  }, [name, groupBy, from, to]);

  const current = useRef<AbortController | null>(null);
  const load = useCallback(async () => {
    current.current?.abort();
    const ctl = new AbortController();
    current.current = ctl;
    setLoading(true);
    try {
      const r = await api<Report>(`${CPG_API}/reports/${name}?${query}`, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (r.columns.includes('bucket')) {
        r.rows.sort((a, b) => BUCKET_ORDER.indexOf(a.bucket ?? '') - BUCKET_ORDER.indexOf(b.bucket ?? ''));
      }
      setReport(r);
      setError(null);
    } catch (e) {
      if (!ctl.signal.aborted) setError(errorMessage(e));
    } finally {
      if (current.current === ctl) setLoading(false);
    }
  }, [name, query]);
  useEffect(() => { void load(); return () => current.current?.abort(); }, [load]);

  const chooseReport = (n: string) => {
    setReport(null);
    setName(n);
    setGroupBy(Object.keys(REPORTS[n].groupings)[0]);
  };

  const columns = report?.columns ?? [];
  const dims = columns.filter((c) => DIMENSIONS.has(c));
  // The chart names a point of sale by its code (its name is in the table).
  const label = (r: Row) => dims.filter((d) => d !== 'pos_name').map((d) => show(d, r[d])).join(' · ');
  const totalOf = (col: string) => kindOf(col) === 'money' || kindOf(col) === 'count' || kindOf(col) === 'qty';
  const footer = (col: string): string => {
    if (!report || col === 'rank' || !totalOf(col)) return '';
    if (kindOf(col) === 'money') return formatCents(sumCents(report.rows.map((r) => r[col])));
    if (kindOf(col) === 'count') return report.rows.reduce((n, r) => n + Number(r[col] ?? 0), 0).toLocaleString('es-MX');
    return '';
  };
  const chartItems = report && columns.includes(info.chart)
    ? [...report.rows].sort((a, b) => (dims.includes('month') || dims.includes('bucket') ? 0 : Number((toCents(b[info.chart]) ?? 0n) - (toCents(a[info.chart]) ?? 0n))))
      .slice(0, 24).map((r) => ({ label: label(r), cents: toCents(r[info.chart]) ?? 0n }))
    : null;

  const fileName = `reporte-${name.replace(/_/g, '-')}-${from || 'inicio'}-a-${to || 'hoy'}`;
  const downloadCsv = () => {
    if (!report) return;
    const rows = report.rows.map((r) => columns.map((c) => (c === 'month' || c === 'week' || c === 'day' ? (r[c] ?? '').slice(0, 10) : r[c] ?? '')));
    const foot = columns.map((c, i) => (i === 0 ? 'Total' : kindOf(c) === 'money' ? centsToDecimal(sumCents(report.rows.map((r) => r[c]))) : ''));
    saveCsv([columns.map(titleOf), ...rows, foot], `${fileName}.csv`);
  };
  const downloadXlsx = async () => {
    if (!report) return;
    const rows: XlsxCell[][] = report.rows.map((r) => columns.map((c): XlsxCell => {
      const v = r[c];
      const k = kindOf(c);
      if (k === 'money' || k === 'qty' || k === 'ratio') return { amount: v ?? '0' };
      if (k === 'count') return { count: Number(v ?? 0) };
      return { text: show(c, v) };
    }));
    rows.push(columns.map((c, i): XlsxCell => (i === 0 ? { text: 'Total' } : kindOf(c) === 'money' ? { amount: centsToDecimal(sumCents(report.rows.map((r) => r[c]))) } : { text: '' })));
    await saveXlsx(columns.map(titleOf), rows, 'Reporte', `${fileName}.xlsx`, true);
  };

  return (
    <div>
      <div className="page-head">
        <div><h1>Reportes de retail</h1><p className="muted">{info.description}</p></div>
        <div className="head-actions">
          <button type="button" onClick={downloadCsv} disabled={!report || report.rows.length === 0} data-testid="cpg-report-csv">Descargar CSV</button>
          <button type="button" onClick={() => void downloadXlsx().catch((e) => setError(errorMessage(e)))} disabled={!report || report.rows.length === 0} data-testid="cpg-report-xlsx">Descargar XLSX</button>
        </div>
      </div>
      <div className="tabs" role="tablist" aria-label="Reporte">
        {Object.entries(REPORTS).map(([k, r]) => (
          <button key={k} role="tab" type="button" aria-selected={name === k} onClick={() => chooseReport(k)}>{r.title}</button>
        ))}
      </div>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void load(); }} aria-label="Filtros del reporte">
        <label>Desde<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} name="from" /></label>
        <label>Hasta<input type="date" value={to} onChange={(e) => setTo(e.target.value)} name="to" /></label>
        <label>Agrupar por
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value)} name="group_by">
            {Object.entries(info.groupings).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <p className="muted small" style={{ margin: 0 }}>Las fechas filtran por: {info.dates.toLowerCase()}.</p>
      </form>
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {!report ? (loading || !error ? <Loading /> : null) : report.rows.length === 0 ? <Empty>No hay datos con estos filtros.</Empty> : (
        <>
          {chartItems && chartItems.length > 0 && (
            <section className="panel" aria-labelledby="h-cpg-chart">
              <h2 id="h-cpg-chart">{titleOf(info.chart)} por {info.groupings[groupBy]?.toLowerCase()}{report.rows.length > chartItems.length ? ` (los ${chartItems.length} mayores)` : ''}</h2>
              <BarChart items={chartItems} title={`${titleOf(info.chart)} por ${info.groupings[groupBy]?.toLowerCase()}`} />
            </section>
          )}
          <section className="panel table-wrap" aria-busy={loading} aria-label={info.title}>
            <table className="num" data-testid="cpg-report-table">
              <thead><tr>{columns.map((c) => <th key={c} scope="col" className={kindOf(c) === 'text' ? undefined : 'amount'}>{titleOf(c)}</th>)}</tr></thead>
              <tbody>{report.rows.map((r, i) => (
                <tr key={i}>{columns.map((c) => <td key={c} className={kindOf(c) === 'text' ? undefined : 'amount'}>{show(c, r[c])}</td>)}</tr>
              ))}</tbody>
              <tfoot><tr>{columns.map((c, i) => i === 0
                ? <th key={c} scope="row">Total</th>
                : <td key={c} className={kindOf(c) === 'text' ? undefined : 'amount'} data-testid={`cpg-report-total-${c}`}>{footer(c)}</td>)}</tr></tfoot>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
