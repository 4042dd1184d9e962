'use client';
// Who is signed in and in which company: loaded once from /api/v1/auth/me; any 401 sends the
// user back to the login page. Pages read it with useSession().
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { api, selectCompany, selectedCompany } from './api';
import { allows, type Need } from './capabilities';

export { CAN, allows, homeFor, type Need } from './capabilities';

export type Company = { company_id: string; name: string; role: string; capabilities: string[] };
export type Me = { user: { id: string; email: string; full_name: string }; companies: Company[] };

type SessionValue = {
  me: Me;
  company: Company;
  role: string;
  /** Whether the user may do this in the company (any of several capabilities will do). */
  can: (need: Need) => boolean;
  switchCompany: (id: string) => void;
  logout: () => Promise<void>;
};

const ME_KEY = 'vertice.me';
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
    return { me, company, role: company.role, can, switchCompany, logout };
  }, [me, companyId, switchCompany, logout]);

  if (failed) return <main className="center"><p role="alert" className="error">{failed}</p></main>;
  if (!value) return <main className="center" aria-busy="true"><p className="muted">Cargando…</p></main>;
  // key: every screen starts over when the company changes (nothing of the other one stays).
  return <SessionContext.Provider value={value}><div key={value.company.company_id} className="contents">{children}</div></SessionContext.Provider>;
}
