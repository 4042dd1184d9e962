'use client';
// Health of the unified view (owner, cfo): SLA status, pending large-transaction events, the
// refresh log and durations by level.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { CAN } from '@/lib/session';
import { CapabilityGate } from '@/components/Shell';
import { ago, formatDateTime } from '@/lib/format';
import { ErrorState, Loading } from '@/components/States';
import { RefreshButton } from '@/components/RefreshButton';

type Health = { status: string; last_success_at: string | null; age_seconds: number | null; last_full_success_at: string | null; full_age_seconds: number | null;
  pending_events: number; oldest_pending_seconds: number | null; last_status: string | null; last_error: string | null; last_error_at: string | null; running: boolean;
  recent: { refresh_id: string; level: string; reason?: string; status: string; started_at: string; duration_ms: number | null; rows_checked: number | null; rows_repaired: number | null; error: string | null }[] };
type Metrics = { windows: { window: string; levels: { level: string; refreshes: number; failures: number; p50_ms: number | null; p95_ms: number | null; max_ms: number | null; rows_repaired: number }[] }[] };
const STATUS: Record<string, string> = { fresh: 'Al día', stale: 'Desactualizado', critical: 'Crítico' };

export default function HealthPage() {
  return <CapabilityGate need={CAN.health}><HealthView /></CapabilityGate>;
}

function HealthView() {
  const [health, setHealth] = useState<Health | null>(null);
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [h, m] = await Promise.all([api<Health>('/api/v1/mv/health'), api<Metrics>('/api/v1/mv/metrics')]);
      setHealth(h); setMetrics(m); setError(null);
    } catch (e) { setError(errorMessage(e)); }
  }, []);
  useEffect(() => { void load(); const t = window.setInterval(() => void load(), 15000); return () => window.clearInterval(t); }, [load]);
  if (!health || !metrics) return error ? <ErrorState message={error} onRetry={() => void load()} /> : <Loading />;
  return (
    <div>
      <div className="page-head"><h1>Salud de los datos</h1><RefreshButton onDone={() => void load()} /></div>
      <section className="panel">
        <dl className="kpis small">
          <div><dt>Estado</dt><dd><span className={`badge ${health.status === 'fresh' ? 'ok' : health.status === 'stale' ? 'warn' : 'bad'}`} data-testid="health-status">{STATUS[health.status] ?? health.status}</span></dd></div>
          <div><dt>Última verificación completa</dt><dd>{health.full_age_seconds != null ? ago(health.full_age_seconds) : 'nunca'}</dd></div>
          <div><dt>Transacciones grandes por verificar</dt><dd>{health.pending_events}{health.oldest_pending_seconds != null && <span className="muted small"> (la más antigua {ago(health.oldest_pending_seconds)})</span>}</dd></div>
          <div><dt>Último error</dt><dd className="small">{health.last_error ? `${health.last_error} · ${formatDateTime(health.last_error_at)}` : 'ninguno'}</dd></div>
        </dl>
      </section>
      <section className="panel table-wrap" aria-labelledby="h-metrics">
        <header><h2 id="h-metrics">Duración por nivel</h2></header>
        <table className="num"><thead><tr><th>Ventana</th><th>Nivel</th><th className="amount">Ejecuciones</th><th className="amount">Fallas</th><th className="amount">p50</th><th className="amount">p95</th><th className="amount">Máx.</th><th className="amount">Filas corregidas</th></tr></thead>
          <tbody>{metrics.windows.flatMap((w) => w.levels.map((l) => (
            <tr key={w.window + l.level}><td>{w.window}</td><td>{l.level}</td><td className="amount">{l.refreshes}</td><td className="amount">{l.failures}</td>
              <td className="amount">{l.p50_ms ?? '—'} ms</td><td className="amount">{l.p95_ms ?? '—'} ms</td><td className="amount">{l.max_ms ?? '—'} ms</td><td className="amount">{l.rows_repaired}</td></tr>)))}
          </tbody></table>
      </section>
      <section className="panel table-wrap" aria-labelledby="h-log">
        <header><h2 id="h-log">Bitácora de actualizaciones</h2></header>
        <table className="num"><thead><tr><th>#</th><th>Nivel</th><th>Inicio</th><th>Estado</th><th className="amount">Duración</th><th className="amount">Filas</th><th>Error</th></tr></thead>
          <tbody>{health.recent.map((r) => (
            <tr key={r.refresh_id}><td>{r.refresh_id}</td><td>{r.level}</td><td>{formatDateTime(r.started_at)}</td><td>{r.status}</td>
              <td className="amount">{r.duration_ms ?? '—'} ms</td><td className="amount">{r.rows_checked ?? '—'} / {r.rows_repaired ?? 0}</td><td className="error small">{r.error}</td></tr>))}
          </tbody></table>
      </section>
    </div>
  );
}
