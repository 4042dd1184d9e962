'use client';
// Who is signed in and in which company: loaded once from /api/v1/auth/me; any 401 sends the
// user back to the login page. Pages read it with useSession().
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { api, selectCompany, selectedCompany } from './api';
import { allows, type Need } from './capabilities';
import { enabledVerticals, type EnabledVertical, type ServerVertical } from './verticals';
import { VERTICAL_MANIFESTS } from '@/verticals/registry.gen';

export { CAN, CORE_SCREENS, allows, homeFor, type Need } from './capabilities';

export type Company = { company_id: string; name: string; role: string; capabilities: string[] };
export type Me = { user: { id: string; email: string; full_name: string }; companies: Company[] };

type SessionValue = {
  me: Me;
  company: Company;
  role: string;
  /** Whether the user may do this in the company (any of several capabilities will do). */
  can: (need: Need) => boolean;
  /** The verticals the company has enabled, with the screens each brings (empty until known). */
  verticals: EnabledVertical[];
  /** Whether `verticals` is the server's answer for this company yet. */
  verticalsKnown: boolean;
  /** Asks the server again (after an owner enables or disables a vertical). */
  reloadVerticals: () => void;
  switchCompany: (id: string) => void;
  logout: () => Promise<void>;
};

const ME_KEY = 'vertice.me';
const VERTICALS_KEY = 'vertice.verticals.';
const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [me, setMe] = useState<Me | null>(null);
  const [companyId, setCompanyId] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [serverVerticals, setServerVerticals] = useState<{ company: string; items: ServerVertical[] } | null>(null);
  const [verticalsAsked, setVerticalsAsked] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const adopt = (m: Me) => {
      const stored = selectedCompany();
      const pick = m.companies.find((c) => c.company_id === stored) ?? m.companies[0];
      if (!pick) { setFailed('Su usuario no pertenece a ninguna empresa.'); return; }
      selectCompany(pick.company_id);
      setCompanyId(pick.company_id);
      setMe(m);
    };
    // The screens start at once from this tab's last answer (their own calls are checked by the
    // server anyway); /auth/me then confirms it or sends the user to the login page.
    const cached = window.sessionStorage.getItem(ME_KEY);
    if (cached) {
      try { adopt(JSON.parse(cached) as Me); } catch { window.sessionStorage.removeItem(ME_KEY); }
    }
    api<Me>('/api/v1/auth/me', { company: null })
      .then((m) => {
        if (cancelled) return;
        const text = JSON.stringify(m);
        if (text !== cached) { window.sessionStorage.setItem(ME_KEY, text); adopt(m); }
      })
      .catch((e) => {
        if (cancelled) return;
        window.sessionStorage.removeItem(ME_KEY);
        if (e?.status === 401) router.replace('/login?next=' + encodeURIComponent(pathname));
        else setFailed(e?.message ?? 'No se pudo cargar la sesión.');
      });
    const onUnauthorized = () => {
      window.sessionStorage.removeItem(ME_KEY);
      router.replace('/login?next=' + encodeURIComponent(window.location.pathname));
    };
    window.addEventListener('vertice:unauthorized', onUnauthorized);
    return () => { cancelled = true; window.removeEventListener('vertice:unauthorized', onUnauthorized); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Which verticals the company uses: this tab's last answer at once, then the server's.
  useEffect(() => {
    if (!companyId) return;
    let cancelled = false;
    const key = VERTICALS_KEY + companyId;
    const cached = window.sessionStorage.getItem(key);
    if (cached) {
      try { setServerVerticals({ company: companyId, items: JSON.parse(cached) as ServerVertical[] }); } catch { window.sessionStorage.removeItem(key); }
    }
    api<{ items: ServerVertical[] }>('/api/v1/verticals', { company: companyId })
      .then((r) => {
        if (cancelled) return;
        const items = r.items.map(({ name, title, enabled, transaction_types }) => ({ name, title, enabled, transaction_types }));
        window.sessionStorage.setItem(key, JSON.stringify(items));
        setServerVerticals({ company: companyId, items });
      })
      .catch(() => { if (!cancelled && !cached) setServerVerticals({ company: companyId, items: [] }); });
    return () => { cancelled = true; };
  }, [companyId, verticalsAsked]);
  const reloadVerticals = useCallback(() => setVerticalsAsked((n) => n + 1), []);

  const switchCompany = useCallback((id: string) => {
    selectCompany(id);
    setCompanyId(id);
  }, []);

  const logout = useCallback(async () => {
    try { await api('/api/v1/auth/logout', { method: 'POST' }); } catch { /* signed out either way */ }
    selectCompany(null);
    window.sessionStorage.removeItem(ME_KEY);
    router.replace('/login');
  }, [router]);

  const value = useMemo<SessionValue | null>(() => {
    if (!me || !companyId) return null;
    const company = me.companies.find((c) => c.company_id === companyId) ?? me.companies[0];
    const can = (need: Need) => allows(company.capabilities, need);
    const known = serverVerticals?.company === company.company_id;
    const verticals = known ? enabledVerticals(serverVerticals.items, VERTICAL_MANIFESTS) : [];
    return { me, company, role: company.role, can, verticals, verticalsKnown: known, reloadVerticals, switchCompany, logout };
  }, [me, companyId, serverVerticals, reloadVerticals, switchCompany, logout]);

  if (failed) return <main className="center"><p role="alert" className="error">{failed}</p></main>;
  if (!value) return <main className="center" aria-busy="true"><p className="muted">Cargando…</p></main>;
  // key: every screen starts over when the company changes (nothing of the other one stays).
  return <SessionContext.Provider value={value}><div key={value.company.company_id} className="contents">{children}</div></SessionContext.Provider>;
}
