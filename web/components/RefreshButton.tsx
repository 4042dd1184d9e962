'use client';
// "Actualizar ahora": the on-demand refresh (level 3) of the company, with its progress and result.
import { useEffect, useState } from 'react';
import { api, errorMessage } from '@/lib/api';

type Outcome = { duration_ms: number; rows_checked: number; rows_repaired: number; joined: boolean; reused: boolean };

export function RefreshButton({ onDone }: { onDone: () => void }) {
  const [running, setRunning] = useState<number | null>(null);
  const [now, setNow] = useState(0);
  const [result, setResult] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (running == null) return;
    const t = window.setInterval(() => setNow(Date.now()), 200);
    return () => window.clearInterval(t);
  }, [running]);

  const run = async () => {
    setRunning(Date.now()); setNow(Date.now()); setResult(null); setFailed(null);
    try {
      const o = await api<Outcome>('/api/v1/mv/refresh?force=true', { method: 'POST' });
      setResult(`Listo en ${(o.duration_ms / 1000).toFixed(1)} s · ${o.rows_checked.toLocaleString('es-MX')} filas verificadas, ${o.rows_repaired.toLocaleString('es-MX')} corregidas`);
      onDone();
    } catch (e) {
      setFailed(errorMessage(e));
    } finally {
      setRunning(null);
    }
  };
  return (
    <div className="refresh">
      <button type="button" onClick={() => void run()} disabled={running != null} aria-busy={running != null} data-testid="refresh-now">
        {running != null ? `Actualizando… ${((now - running) / 1000).toFixed(1)} s` : 'Actualizar ahora'}
      </button>
      <span aria-live="polite" className="refresh-result" data-testid="refresh-result">
        {result}{failed && <span className="error">{failed}</span>}
      </span>
    </div>
  );
}
