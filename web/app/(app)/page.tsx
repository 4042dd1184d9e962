'use client';
// The CEO's dashboard: revenue today / month / year, the case-5 breakdowns, 12 months, receivables
// with aging, reconciliation, latest transactions. Live: every change notice of the company
// re-reads the numbers; while the stream is down it says so and re-reads every 30 s.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, errorMessage } from '@/lib/api';
import { useLiveChanges } from '@/lib/live';
import { CAN, homeFor, useSession } from '@/lib/session';
import { money, toCents } from '@/lib/money';
import { formatDate, formatDateTime, formatMonth, label, STATUS_LABELS, TYPE_LABELS } from '@/lib/format';
import { typeTitle, verticalNav, verticalTitle } from '@/lib/verticals';
import { Freshness, FreshnessStatus } from '@/components/Freshness';
import { BarChart } from '@/components/BarChart';
import { Empty, ErrorState, Loading } from '@/components/States';
import { RefreshButton } from '@/components/RefreshButton';

type Panel = { as_of: string; freshness_seconds: number };
type Dashboard = {
  company_id: string;
  as_of: string;
  today: string;
  freshness: { status: FreshnessStatus; verified_at: string | null; pending_events: number; last_error: string | null };
  revenue: Panel & { today: string; month: string; year: string };
  by_type: Panel & { items: { transaction_type: string; total: string; count: number }[] };
  by_vertical: Panel & { items: { vertical: string; total: string; count: number }[] };
  monthly: Panel & { items: { month: string; total: string }[] };
  receivables: Panel & { outstanding_mxn: string; invoices: number; buckets: Record<'0_30' | '31_60' | '61_90' | '90_plus', string> };
  latest: Panel & { items: { transaction_type: string; vertical: string; source_id: string; fecha: string; monto_total: string; moneda: string; status: string }[] };
};
type ReconSummary = { movements: number; reconciled_share_count: string | number; unreconciled_amount: string; pending_suggestions: number };

export default function DashboardPage() {
  const { can, company, verticals, verticalsKnown } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (can(CAN.dashboard) || !verticalsKnown) return;
    router.replace(homeFor(company.capabilities, verticalNav(verticals, company.capabilities).map((e) => e.href)));
  }, [can, company, verticals, verticalsKnown, router]);
  if (!can(CAN.dashboard)) return <Loading />;
  return <DashboardView />;
}

function DashboardView() {
  const { can, company, verticals } = useSession();
  const [data, setData] = useState<Dashboard | null>(null);
  const [receivedAt, setReceivedAt] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [recon, setRecon] = useState<ReconSummary | null>(null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const receivedOnce = useRef(false);

  const load = useCallback(async () => {
    if (inFlight.current) { again.current = true; return; } // coalesce notices that arrive together
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const d = await api<Dashboard>('/api/v1/dashboard');
        receivedOnce.current = true;
        setData(d);
        setReceivedAt(Date.now());
        setError(null);
      } while (again.current);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      inFlight.current = false;
    }
    api<ReconSummary>('/api/v1/reconciliation/summary').then(setRecon, () => setRecon(null));
  }, []);

  // The first numbers come when the change stream says it is ready (it reloads then anyway, so
  // loading on mount too asked for the dashboard twice); if the stream is slow, after 1 s.
  const live = useLiveChanges(load);
  useEffect(() => {
    const t = window.setTimeout(() => { if (!receivedOnce.current) void load(); }, 1000);
    return () => window.clearTimeout(t);
  }, [load]);
  useEffect(() => {
    if (live !== 'offline') return;
    const t = window.setInterval(() => void load(), 30000);
    return () => window.clearInterval(t);
  }, [live, load]);

  if (!data) return error ? <ErrorState message={error} onRetry={() => void load()} /> : <Loading text="Cargando el panel…" />;

  const fresh = (p: Panel) => (
    <Freshness freshnessSeconds={p.freshness_seconds} receivedAt={receivedAt} serverStatus={data.freshness.status} />
  );
  const monthly = data.monthly.items.map((m) => ({ label: formatMonth(m.month), cents: toCents(m.total) ?? 0n }));

  return (
    <div className="dashboard">
      <div className="page-head">
        <div>
          <h1>Panel de {company.name}</h1>
          <p className="muted">Ingresos en MXN · {formatDate(data.today)} · hora de la Ciudad de México</p>
        </div>
        <div className="head-actions">
          <LiveBadge state={live} />
          {can(CAN.refresh) && <RefreshButton onDone={() => void load()} />}
        </div>
      </div>
      {error && <ErrorState message={`No se pudieron actualizar los números: ${error}`} onRetry={() => void load()} />}

      <section className="panel revenue" aria-labelledby="h-revenue">
        <header><h2 id="h-revenue">Ingresos</h2>{fresh(data.revenue)}</header>
        <dl className="kpis">
          <div><dt>Hoy</dt><dd data-testid="revenue-today">{money(data.revenue.today)}</dd></div>
          <div><dt>Este mes</dt><dd data-testid="revenue-month">{money(data.revenue.month)}</dd></div>
          <div><dt>Este año</dt><dd data-testid="revenue-year">{money(data.revenue.year)}</dd></div>
        </dl>
      </section>

      <div className="grid-2">
        <Breakdown id="type" title="Por tipo de transacción (año)" column="Tipo" freshness={fresh(data.by_type)}
          rows={data.by_type.items.map((i) => ({ key: i.transaction_type, label: typeTitle(verticals, TYPE_LABELS, i.transaction_type), count: i.count, total: i.total }))} />
        <Breakdown id="vertical" title="Por línea de negocio (año)" column="Línea" freshness={fresh(data.by_vertical)}
          rows={data.by_vertical.items.map((i) => ({ key: i.vertical, label: verticalTitle(verticals, i.vertical), count: i.count, total: i.total }))} />
      </div>

      <section className="panel" aria-labelledby="h-monthly">
        <header><h2 id="h-monthly">Últimos 12 meses</h2>{fresh(data.monthly)}</header>
        <BarChart items={monthly} title="Ingresos por mes, últimos 12 meses" />
      </section>

      <div className="grid-2">
        <section className="panel" aria-labelledby="h-recv">
          <header><h2 id="h-recv">Cuentas por cobrar</h2>{fresh(data.receivables)}</header>
          <p className="big" data-testid="receivables">{money(data.receivables.outstanding_mxn)}</p>
          <p className="muted">{data.receivables.invoices} facturas con saldo</p>
          <div className="table-wrap"><table className="num aging">
            <thead><tr><th scope="col">0–30 días</th><th scope="col">31–60</th><th scope="col">61–90</th><th scope="col">Más de 90</th></tr></thead>
            <tbody><tr>
              <td>{money(data.receivables.buckets['0_30'])}</td><td>{money(data.receivables.buckets['31_60'])}</td>
              <td>{money(data.receivables.buckets['61_90'])}</td><td className={toCents(data.receivables.buckets['90_plus']) ? 'warn' : ''}>{money(data.receivables.buckets['90_plus'])}</td>
            </tr></tbody>
          </table></div>
        </section>
        <section className="panel" aria-labelledby="h-recon">
          <header><h2 id="h-recon">Conciliación bancaria</h2></header>
          {!recon || recon.movements === 0 ? <Empty>Sin estados de cuenta importados.</Empty> : (
            <dl className="kpis small">
              <div><dt>Movimientos</dt><dd>{recon.movements.toLocaleString('es-MX')}</dd></div>
              <div><dt>Conciliados</dt><dd>{Math.round(Number(recon.reconciled_share_count) * 100)} %</dd></div>
              <div><dt>Sin conciliar</dt><dd>{money(recon.unreconciled_amount)}</dd></div>
              <div><dt>Sugerencias por revisar</dt><dd>{recon.pending_suggestions}</dd></div>
            </dl>
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="h-latest">
        <header><h2 id="h-latest">Últimas transacciones</h2>{fresh(data.latest)}</header>
        {data.latest.items.length === 0 ? <Empty>Aún no hay transacciones.</Empty> : (
          <div className="table-wrap">
            <table className="num" data-testid="latest">
              <thead><tr><th scope="col">Fecha</th><th scope="col">Tipo</th><th scope="col">Línea</th><th scope="col">Estado</th><th scope="col">Monto</th></tr></thead>
              <tbody>
                {data.latest.items.map((t) => (
                  <tr key={t.transaction_type + t.source_id}>
                    <td>{formatDate(t.fecha)}</td><td>{typeTitle(verticals, TYPE_LABELS, t.transaction_type)}</td>
                    <td>{verticalTitle(verticals, t.vertical)}</td><td>{label(STATUS_LABELS, t.status)}</td><td className="amount">{money(t.monto_total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <p className="muted small">Verificado contra las fuentes {formatDateTime(data.freshness.verified_at)}
        {data.freshness.pending_events > 0 && ` · ${data.freshness.pending_events} transacciones grandes por verificar`}</p>
    </div>
  );
}

/** The case-5 breakdowns: one row per type (or vertical) with its operations and total. */
function Breakdown({ id, title, column, freshness, rows }: {
  id: 'type' | 'vertical'; title: string; column: string; freshness: React.ReactNode;
  rows: { key: string; label: string; count: number; total: string }[];
}) {
  return (
    <section className="panel" aria-labelledby={`h-${id}`}>
      <header><h2 id={`h-${id}`}>{title}</h2>{freshness}</header>
      {rows.length === 0 ? <Empty>Sin ingresos este año.</Empty> : (
        <div className="table-wrap"><table className="num" data-testid={`by-${id}`}>
          <thead><tr><th scope="col">{column}</th><th scope="col" className="amount">Operaciones</th><th scope="col" className="amount">Total</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} {...{ [`data-${id}`]: r.key }}>
                <th scope="row">{r.label}</th><td className="amount">{r.count.toLocaleString('es-MX')}</td><td className="amount">{money(r.total)}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </section>
  );
}

function LiveBadge({ state }: { state: 'connecting' | 'live' | 'offline' }) {
  const text = state === 'live' ? 'En vivo' : state === 'connecting' ? 'Conectando…'
    : 'Sin conexión en vivo: los números pueden no estar al día';
  return <span className={`live ${state}`} role="status" data-testid="live">{text}</span>;
}
