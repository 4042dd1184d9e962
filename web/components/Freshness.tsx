'use client';
// "Actualizado hace 3 s": the age of a panel's numbers, counted from the API's as_of plus the
// seconds since it answered (immune to a wrong clock on this device), coloured by the SLAs:
// fresh up to 60 min, stale beyond, critical beyond 120 min — or worse when the server says so.
import { useEffect, useState } from 'react';
import { ago } from '@/lib/format';

export type FreshnessStatus = 'fresh' | 'stale' | 'critical';
const RANK: Record<FreshnessStatus, number> = { fresh: 0, stale: 1, critical: 2 };
const TEXT: Record<FreshnessStatus, string> = { fresh: 'al día', stale: 'desactualizado', critical: 'crítico' };

export function statusForAge(seconds: number): FreshnessStatus {
  return seconds > 7200 ? 'critical' : seconds > 3600 ? 'stale' : 'fresh';
}

export function Freshness({ freshnessSeconds, receivedAt, serverStatus }: {
  freshnessSeconds: number; receivedAt: number; serverStatus?: FreshnessStatus;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const age = freshnessSeconds + Math.max(0, (now - receivedAt) / 1000);
  const byAge = statusForAge(age);
  const status = serverStatus && RANK[serverStatus] > RANK[byAge] ? serverStatus : byAge;
  return (
    <span className={`freshness ${status}`} data-status={status} data-testid="freshness" title={`Estado: ${TEXT[status]}`}>
      <span className="dot" aria-hidden="true" />Actualizado {ago(age)}
    </span>
  );
}
