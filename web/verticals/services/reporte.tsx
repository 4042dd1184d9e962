'use client';
// The services report (GET /reports/{name}, the shared report builder's answer: columns + rows,
// amounts as exact text): what was billed by month, client or status over a date range, and the
// recurring monthly fees of the active contracts by client. A bar chart of the amounts, a table
// whose total is summed in exact cents, and the same rows as CSV or XLSX.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { centsToDecimal, formatCents, money, sumCents, toCents } from '@/lib/money';
import { formatMonth, todayInMexico } from '@/lib/format';
import { BarChart } from '@/components/BarChart';
import { saveBlob } from '@/lib/download';
import { Empty, ErrorState, Loading } from '@/components/States';
import { BILLING_STATUS, SERVICES_API as API } from './capabilities';

type Row = Record<string, string | null>;
type Report = { columns: string[]; rows: Row[] };

type Kind = {
  title: string;
  /** Groupings offered: the report's dimensions. */
  groups: Record<string, { text: string; sort: string }>;
  amount: { name: string; text: string };
  count: { name: string; text: string };
  dated: boolean;
  file: string;
};
const REPORTS: Record<string, Kind> = {
  billing: {
    title: 'Facturación',
    groups: {
      month: { text: 'Mes', sort: 'month' },
      client: { text: 'Cliente', sort: '-billed' },
      status: { text: 'Estado', sort: 'status' },
    },
    amount: { name: 'billed', text: 'Facturado (con IVA)' },
    count: { name: 'billings', text: 'Cargos' },
    dated: true,
    file: 'servicios-facturacion',
  },
  recurring: {
    title: 'Cuotas recurrentes',
    groups: { client: { text: 'Cliente', sort: '-monthly_fee' } },
    amount: { name: 'monthly_fee', text: 'Cuota mensual (sin IVA)' },
    count: { name: 'contracts', text: 'Contratos activos' },
    dated: false,
    file: 'servicios-cuotas-recurrentes',
  },
};

function cell(dim: string, v: string | null): string {
  if (v == null || v === '') return '—';
  if (dim === 'month') return formatMonth(v);
  if (dim === 'status') return BILLING_STATUS[v] ?? v;
  return v;
}

export default function ServicesReportScreen() {
  const today = todayInMexico();
  const [name, setName] = useState<keyof typeof REPORTS>('billing');
  const [group, setGroup] = useState('month');
  const [from, setFrom] = useState(today.slice(0, 4) + '-01-01');
  const [to, setTo] = useState(today);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const kind = REPORTS[name];
  const dim = kind.groups[group] ? group : Object.keys(kind.groups)[0];

  const query = useMemo(() => {
    const q = new URLSearchParams({ group_by: dim, measures: `${kind.amount.name},${kind.count.name}`, sort: kind.groups[dim].sort, limit: '1000' });
    if (kind.dated && from) q.set('from', from);
    if (kind.dated && to) q.set('to', to);
    return `${API}/reports/${name}?${q}`;
  }, [name, dim, kind, from, to]);

  // Filters change faster than answers arrive: only the answer to the latest query is shown.
  const current = useRef<AbortController | null>(null);
  const load = useCallback(async () => {
    current.current?.abort();
    const ctl = new AbortController();
    current.current = ctl;
    setLoading(true);
    try {
      const r = await api<Report>(query, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      setReport(r);
      setError(null);
    } catch (e) {
      if (ctl.signal.aborted) return;
      setReport(null);
      setError(e instanceof ApiError && e.code === 'route_not_found'
        ? 'Este servidor aún no ofrece el reporte de servicios.' : errorMessage(e));
    } finally {
      if (current.current === ctl) setLoading(false);
    }
  }, [query]);
  useEffect(() => { void load(); return () => current.current?.abort(); }, [load]);

  const amounts = report ? report.rows.map((r) => r[kind.amount.name]) : [];
  const total = sumCents(amounts);
  const count = report ? report.rows.reduce((n, r) => n + Number(r[kind.count.name] ?? 0), 0) : 0;
  const heads = [kind.groups[dim].text, kind.count.text, `${kind.amount.text} MXN`];
  const fileName = `${kind.file}${kind.dated ? `-${from}-a-${to}` : `-${today}`}`;

  const downloadCsv = () => {
    if (!report) return;
    const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [heads.map(esc).join(',')];
    for (const r of report.rows) lines.push([esc(r[dim] ?? ''), r[kind.count.name] ?? '0', r[kind.amount.name] ?? '0.00'].join(','));
    lines.push(['Total', String(count), centsToDecimal(total)].join(','));
    saveBlob(new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }), `${fileName}.csv`);
  };

  // XLSX is built in the browser (ADR 0011); the library loads only when asked for.
  const downloadXlsx = async () => {
    if (!report) return;
    const { default: writeXlsxFile } = await import('write-excel-file/browser');
    const num = (d: string | null | undefined) => ({ type: Number, value: Number(d ?? '0'), format: '#,##0.00' });
    const head = heads.map((v) => ({ value: v, fontWeight: 'bold' as const }));
    const rows = report.rows.map((r) => [{ type: String, value: cell(dim, r[dim]) }, { type: Number, value: Number(r[kind.count.name] ?? 0) }, num(r[kind.amount.name])]);
    const foot = [{ type: String, value: 'Total', fontWeight: 'bold' as const }, { type: Number, value: count, fontWeight: 'bold' as const },
      { ...num(centsToDecimal(total)), fontWeight: 'bold' as const }];
    await writeXlsxFile([head, ...rows, foot], { sheet: kind.title, columns: [{ width: 32 }, { width: 16 }, { width: 22 }] }).toFile(`${fileName}.xlsx`);
  };

  const empty = !report || report.rows.length === 0;
  return (
    <div>
      <div className="page-head">
        <div><h1>Reporte de servicios</h1><p className="muted">{kind.dated ? 'Cargos facturados en el periodo, en MXN.' : 'Contratos activos hoy, en MXN.'}</p></div>
        <div className="head-actions">
          <button type="button" onClick={downloadCsv} disabled={empty} data-testid="csv">Descargar CSV</button>
          <button type="button" onClick={() => void downloadXlsx().catch((e) => setError(errorMessage(e)))} disabled={empty} data-testid="xlsx">Descargar XLSX</button>
        </div>
      </div>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void load(); }} aria-label="Filtros del reporte">
        <label>Reporte
          <select value={name} onChange={(e) => setName(e.target.value as keyof typeof REPORTS)} name="report">
            {Object.entries(REPORTS).map(([k, r]) => <option key={k} value={k}>{r.title}</option>)}
          </select>
        </label>
        <label>Agrupar por
          <select value={dim} onChange={(e) => setGroup(e.target.value)} name="group_by">
            {Object.entries(kind.groups).map(([k, g]) => <option key={k} value={k}>{g.text}</option>)}
          </select>
        </label>
        {kind.dated && <>
          <label>Desde<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} name="from" /></label>
          <label>Hasta<input type="date" value={to} onChange={(e) => setTo(e.target.value)} name="to" /></label>
        </>}
      </form>
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {!report ? (loading ? <Loading /> : null) : report.rows.length === 0 ? <Empty>No hay datos con estos filtros.</Empty> : (
        <>
          <section className="panel">
            <BarChart title={`${kind.amount.text} por ${kind.groups[dim].text.toLowerCase()}`}
              items={report.rows.map((r) => ({ label: cell(dim, r[dim]), cents: toCents(r[kind.amount.name]) ?? 0n }))} />
          </section>
          <section className="panel table-wrap" aria-busy={loading}>
            <table className="num" data-testid="report-table">
              <caption className="sr-only">{kind.title} por {kind.groups[dim].text.toLowerCase()}</caption>
              <thead><tr><th scope="col">{kind.groups[dim].text}</th><th scope="col" className="amount">{kind.count.text}</th><th scope="col" className="amount">{kind.amount.text}</th></tr></thead>
              <tbody>{report.rows.map((r, i) => (
                <tr key={i}><th scope="row" style={{ fontWeight: 'normal' }}>{cell(dim, r[dim])}</th>
                  <td className="amount">{Number(r[kind.count.name] ?? 0).toLocaleString('es-MX')}</td>
                  <td className="amount">{money(r[kind.amount.name])}</td></tr>
              ))}</tbody>
              <tfoot><tr><th scope="row">Total</th><td className="amount">{count.toLocaleString('es-MX')}</td><td className="amount" data-testid="report-total">{formatCents(total)}</td></tr></tfoot>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
