// A keyset-paged list (`limit` + `after` = the previous page's `next_after`) shown as "Cargar más":
// a change of filters starts again from the first page, and only the latest request's answer is kept.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import type { Page } from './capabilities';

export function usePaged<T>(path: string, limit = 50) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);

  const load = useCallback(async (after?: string) => {
    const mine = ++latest.current;
    setLoading(true);
    try {
      const sep = path.includes('?') ? '&' : '?';
      const r = await api<Page<T>>(`${path}${sep}limit=${limit}${after ? '&after=' + encodeURIComponent(after) : ''}`);
      if (mine !== latest.current) return;
      setItems((prev) => (after && prev ? [...prev, ...r.items] : r.items));
      setNext(r.next_after ?? null);
      setError(null);
    } catch (e) {
      if (mine === latest.current) setError(errorMessage(e));
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, [path, limit]);

  useEffect(() => { setItems(null); void load(); }, [load]);

  return {
    items, error, loading, hasMore: next != null,
    reload: () => load(),
    loadMore: () => { if (next) void load(next); },
    /** Replaces one row in place (after a change the server answered with). */
    replace: (match: (t: T) => boolean, row: T) => setItems((prev) => prev?.map((t) => (match(t) ? row : t)) ?? prev),
  };
}
