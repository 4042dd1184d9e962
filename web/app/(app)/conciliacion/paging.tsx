'use client';
// Page-by-page browsing of a keyset-paged list (`limit` + `after` = the previous page's
// `next_after`): one page in memory and on screen at a time, however many thousands of rows there
// are; the cursors of the pages seen are kept so "Anterior" goes back without counting offsets.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '@/lib/api';

type Nav = { base: string; cursors: (string | undefined)[]; index: number; tick: number };
type Loaded<T> = { key: string; items: T[]; next: string | null };

export function useCursorPages<T>(base: string, limit = 50) {
  const [nav, setNav] = useState<Nav>({ base, cursors: [undefined], index: 0, tick: 0 });
  // A new filter (another base URL) starts again at the first page.
  if (nav.base !== base) setNav({ base, cursors: [undefined], index: 0, tick: 0 });
  const [page, setPage] = useState<Loaded<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);

  const cursor = nav.cursors[nav.index];
  const key = `${nav.base}|${nav.index}|${cursor ?? ''}|${nav.tick}`;
  useEffect(() => {
    if (nav.base !== base) return;
    const mine = ++latest.current;
    setLoading(true);
    const sep = base.includes('?') ? '&' : '?';
    api<{ items: T[]; next_after?: string | null }>(`${base}${sep}limit=${limit}${cursor ? '&after=' + encodeURIComponent(cursor) : ''}`)
      .then((r) => {
        if (mine !== latest.current) return;
        // A page emptied by decisions taken on it (accepted, rejected): show the one before.
        if (r.items.length === 0 && nav.index > 0) { setNav((n) => ({ ...n, index: n.index - 1, cursors: n.cursors.slice(0, n.index) })); return; }
        setPage({ key, items: r.items, next: r.next_after ?? null });
        setError(null);
      }, (e) => { if (mine === latest.current) setError(errorMessage(e)); })
      .finally(() => { if (mine === latest.current) setLoading(false); });
  }, [base, nav.base, nav.index, cursor, key, limit]);

  const next = page?.next ?? null;
  return {
    /** The rows of the page shown (the previous page's while the next one loads). */
    items: page && page.key.startsWith(`${base}|`) ? page.items : null,
    error,
    loading,
    index: nav.index,
    limit,
    hasNext: next != null && !loading,
    next: useCallback(() => {
      if (!next) return;
      setNav((n) => ({ ...n, cursors: [...n.cursors.slice(0, n.index + 1), next], index: n.index + 1 }));
    }, [next]),
    prev: useCallback(() => setNav((n) => ({ ...n, index: Math.max(0, n.index - 1) })), []),
    first: useCallback(() => setNav((n) => ({ ...n, index: 0 })), []),
    /** Asks for the page shown again (after a decision changed it). */
    reload: useCallback(() => setNav((n) => ({ ...n, tick: n.tick + 1 })), []),
  };
}

type Pages = ReturnType<typeof useCursorPages<unknown>>;

/** "Anterior · Página 2 de 7 · filas 51–100 · Siguiente". `total` when the server counts them elsewhere. */
export function Pager({ pages, label, total, testId }: { pages: Pages; label: string; total?: number; testId?: string }) {
  const shown = pages.items?.length ?? 0;
  if (pages.index === 0 && !pages.hasNext && !pages.loading) return null;
  const from = pages.index * pages.limit + 1;
  const of = total != null && total > 0 ? Math.max(pages.index + 1, Math.ceil(total / pages.limit)) : null;
  return (
    <nav className="head-actions" aria-label={label} style={{ marginTop: 12 }} data-testid={testId}>
      {pages.index > 1 && <button type="button" onClick={pages.first}>Primera</button>}
      <button type="button" onClick={pages.prev} disabled={pages.index === 0 || pages.loading}>Anterior</button>
      <span role="status" className="muted small" data-testid={testId ? `${testId}-position` : undefined}>
        Página {pages.index + 1}{of ? ` de ${of}` : ''}{shown > 0 ? ` · filas ${from.toLocaleString('es-MX')}–${(from + shown - 1).toLocaleString('es-MX')}` : ''}{pages.loading ? ' · cargando…' : ''}
      </span>
      <button type="button" onClick={pages.next} disabled={!pages.hasNext}>Siguiente</button>
    </nav>
  );
}
