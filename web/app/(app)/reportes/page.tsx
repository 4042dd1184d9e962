'use client';
// The unified report: every line of business in one table, filtered by dates, type and vertical,
// grouped by type, vertical or month. Totals are summed in exact cents and match the API's rows;
// CSV export writes the same rows.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { CAN, useSession } from '@/lib/session';
import { CapabilityGate } from '@/components/Shell';
import { centsToDecimal, formatCents, money, sumCents, toCents } from '@/lib/money';
import { formatMonth, todayInMexico, TYPE_LABELS } from '@/lib/format';
import { CORE_TRANSACTION_TYPES, type EnabledVertical, typeTitle, verticalTitle } from '@/lib/verticals';
import { BarChart } from '@/components/BarChart';
import { saveBlob } from '@/lib/download';
import { Empty, ErrorState, Loading } from '@/components/States';

type Row = Record<string, string | null>;
type Report = { columns: string[]; rows: Row[] };

const GROUPINGS: Record<string, { text: string; dims: string[] }> = {
  transaction_type: { text: 'Tipo de transacción', dims: ['transaction_type'] },
  vertical: { text: 'Línea de negocio', dims: ['vertical'] },
  month: { text: 'Mes', dims: ['month'] },
  'transaction_type,month': { text: 'Tipo y mes', dims: ['transaction_type', 'month'] },
  'vertical,month': { text: 'Línea y mes', dims: ['vertical', 'month'] },
};
const DIM_TITLES: Record<string, string> = { transaction_type: 'Tipo', vertical: 'Línea', month: 'Mes' };

function cell(dim: string, v: string | null, verticals: readonly EnabledVertical[]): string {
  if (v == null) return '—';
  if (dim === 'transaction_type') return typeTitle(verticals, TYPE_LABELS, v);
  if (dim === 'vertical') return verticalTitle(verticals, v);
  if (dim === 'month') return formatMonth(v);
  return v;
}

export default function ReportsPage() {
  return <CapabilityGate need={CAN.reports}><Reports /></CapabilityGate>;
}

function Reports() {
  const { verticals } = useSession();
  const today = todayInMexico();
  const [from, setFrom] = useState(today.slice(0, 4) + '-01-01');
  const [to, setTo] = useState(today);
  const [type, setType] = useState('');
  const [vertical, setVertical] = useState('');
  const [grouping, setGrouping] = useState('transaction_type');
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const query = useMemo(() => {
    const q = new URLSearchParams({ group_by: grouping, measures: 'total,count', limit: '1000' });
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    if (type) q.set('filter.transaction_type', type);
    if (vertical) q.set('filter.vertical', vertical);
    return q.toString();
  }, [from, to, type, vertical, grouping]);

  // Filters change faster than answers arrive: only the answer to the latest query is shown.
  const current = useRef<AbortController | null>(null);
  const load = useCallback(async () => {
    current.current?.abort();
    const ctl = new AbortController();
    current.current = ctl;
    setLoading(true);
    try {
      const r = await api<Report>('/api/v1/reports/revenue?' + query, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      setReport(r);
      setError(null);
    } catch (e) {
      if (!ctl.signal.aborted) setError(errorMessage(e));
    } finally {
      if (current.current === ctl) setLoading(false);
    }
  }, [query]);
  useEffect(() => { void load(); return () => current.current?.abort(); }, [load]);

  const dims = GROUPINGS[grouping].dims;
  const total = report ? sumCents(report.rows.map((r) => r.total)) : 0n;
  const count = report ? report.rows.reduce((n, r) => n + Number(r.count ?? 0), 0) : 0;

  const downloadCsv = () => {
    if (!report) return;
    const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [[...dims.map((d) => DIM_TITLES[d]), 'Operaciones', 'Total MXN'].join(',')];
    for (const r of report.rows) {
      lines.push([...dims.map((d) => esc(r[d] ?? '')), r.count ?? '0', r.total ?? '0.00'].join(','));
    }
    lines.push([...dims.map((_, i) => (i === 0 ? 'Total' : '')), String(count), centsToDecimal(total)].join(','));
    const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    saveBlob(blob, `reporte-ingresos-${from}-a-${to}.csv`);
  };

  // XLSX is built in the browser (ADR 0011); the library loads only when asked for.
  const downloadXlsx = async () => {
    if (!report) return;
    const { default: writeXlsxFile } = await import('write-excel-file/browser');
    const num = (d: string | null) => ({ type: Number, value: Number(d ?? '0'), format: '#,##0.00' });
    const head = [...dims.map((d) => DIM_TITLES[d]), 'Operaciones', 'Total MXN'].map((v) => ({ value: v, fontWeight: 'bold' as const }));
    const rows = report.rows.map((r) => [...dims.map((d) => ({ type: String, value: cell(d, r[d], verticals) })),
      { type: Number, value: Number(r.count ?? 0) }, num(r.total)]);
    const foot = [...dims.map((_, i) => ({ type: String, value: i === 0 ? 'Total' : '', fontWeight: 'bold' as const })),
      { type: Number, value: count, fontWeight: 'bold' as const }, { ...num(centsToDecimal(total)), fontWeight: 'bold' as const }];
    await writeXlsxFile([head, ...rows, foot], { sheet: 'Ingresos', columns: [...dims.map(() => ({ width: 28 })), { width: 14 }, { width: 18 }] })
      .toFile(`reporte-ingresos-${from}-a-${to}.xlsx`);
  };

  const chartItems = report && dims.length === 1
    ? report.rows.map((r) => ({ label: cell(dims[0], r[dims[0]], verticals), cents: toCents(r.total) ?? 0n }))
    : null;

  return (
    <div>
      <div className="page-head">
        <div><h1>Reporte unificado de ingresos</h1><p className="muted">Todas las líneas de negocio, en MXN.</p></div>
        <div className="head-actions">
          <button type="button" onClick={downloadCsv} disabled={!report || report.rows.length === 0} data-testid="csv">Descargar CSV</button>
          <button type="button" onClick={() => void downloadXlsx().catch((e) => setError(errorMessage(e)))} disabled={!report || report.rows.length === 0} data-testid="xlsx">Descargar XLSX</button>
        </div>
      </div>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void load(); }} aria-label="Filtros del reporte">
        <label>Desde<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} name="from" /></label>
        <label>Hasta<input type="date" value={to} onChange={(e) => setTo(e.target.value)} name="to" /></label>
        <label>Tipo
          <select value={type} onChange={(e) => setType(e.target.value)} name="type">
            <option value="">Todos</option>
            {[...CORE_TRANSACTION_TYPES, ...verticals.flatMap((v) => v.transactionTypes)].map((t) => <option key={t} value={t}>{typeTitle(verticals, TYPE_LABELS, t)}</option>)}
          </select>
        </label>
        <label>Línea de negocio
          <select value={vertical} onChange={(e) => setVertical(e.target.value)} name="vertical">
            <option value="">Todas</option>
            {['core', ...verticals.map((v) => v.name)].map((v) => <option key={v} value={v}>{verticalTitle(verticals, v)}</option>)}
          </select>
        </label>
        <label>Agrupar por
          <select value={grouping} onChange={(e) => setGrouping(e.target.value)} name="group_by">
            {Object.entries(GROUPINGS).map(([k, g]) => <option key={k} value={k}>{g.text}</option>)}
          </select>
        </label>
      </form>
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {!report ? (loading ? <Loading /> : null) : report.rows.length === 0 ? <Empty>No hay ingresos con estos filtros.</Empty> : (
        <>
          {chartItems && <section className="panel"><BarChart items={chartItems} title="Ingresos por grupo" /></section>}
          <section className="panel table-wrap" aria-busy={loading}>
            <table className="num" data-testid="report-table">
              <thead><tr>{dims.map((d) => <th key={d} scope="col">{DIM_TITLES[d]}</th>)}<th scope="col" className="amount">Operaciones</th><th scope="col" className="amount">Total</th></tr></thead>
              <tbody>
                {report.rows.map((r, i) => (
                  <tr key={i}>{dims.map((d) => <td key={d}>{cell(d, r[d], verticals)}</td>)}<td className="amount">{Number(r.count ?? 0).toLocaleString('es-MX')}</td><td className="amount">{money(r.total)}</td></tr>
                ))}
              </tbody>
              <tfoot><tr><th scope="row" colSpan={dims.length}>Total</th><td className="amount">{count.toLocaleString('es-MX')}</td><td className="amount" data-testid="report-total">{formatCents(total)}</td></tr></tfoot>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
