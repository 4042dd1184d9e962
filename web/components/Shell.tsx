'use client';
// The frame of every signed-in screen: navigation for the user's role, the company switcher and
// sign-out. On a phone the navigation wraps under the brand.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { CORE_SCREENS, type Need, useSession } from '@/lib/session';
import { label, ROLE_LABELS } from '@/lib/format';
import { verticalNav } from '@/lib/verticals';

export function Shell({ children }: { children: React.ReactNode }) {
  const { me, company, role, can, verticals, switchCompany, logout } = useSession();
  const pathname = usePathname();
  // A vertical's entry is current on any of its screens (/<vertical>/…).
  const current = (href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href.split('/').slice(0, 2).join('/')));
  const core = CORE_SCREENS.filter((l) => can(l.need));
  // The verticals' entries (the company's enabled ones) go after the dashboard and reports.
  const overview = (href: string) => href === '/' || href === '/reportes';
  const links = [...core.filter((l) => overview(l.href)), ...verticalNav(verticals, company.capabilities),
    ...core.filter((l) => !overview(l.href))];
  return (
    <>
      <a className="skip" href="#contenido">Saltar al contenido</a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Vértice, inicio">Vértice</Link>
        <nav aria-label="Principal">
          <ul>
            {links.map((l) => (
              <li key={l.href}>
                <Link href={l.href} aria-current={current(l.href) ? 'page' : undefined}>{l.text}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {me.companies.length > 1 ? (
            <label className="company">
              <span className="sr-only">Empresa</span>
              <select value={company.company_id} onChange={(e) => switchCompany(e.target.value)} data-testid="company-switcher">
                {me.companies.map((c) => <option key={c.company_id} value={c.company_id}>{c.name}</option>)}
              </select>
            </label>
          ) : (
            <span className="company-name">{company.name}</span>
          )}
          <span className="who" title={me.user.email}>{me.user.full_name || me.user.email} · {label(ROLE_LABELS, role)}</span>
          <button type="button" className="ghost" onClick={() => void logout()}>Salir</button>
        </div>
      </header>
      <main id="contenido" tabIndex={-1}>{children}</main>
    </>
  );
}

/** Shows the page only to a session holding the capability it needs (what the server enforces on its routes); others get a plain explanation. */
export function CapabilityGate({ need, children }: { need: Need; children: React.ReactNode }) {
  const { role, can } = useSession();
  if (!can(need)) {
    return <section className="panel"><h1>Sin acceso</h1><p>Su rol ({label(ROLE_LABELS, role)}) no permite ver esta pantalla.</p></section>;
  }
  return <>{children}</>;
}
