'use client';
// Shows one screen of a vertical: only when the company has the vertical enabled and the user
// holds the capability the screen needs, under the vertical's own tabs; the screen's code is
// loaded on demand.
import { useEffect, useState } from 'react';
import type { ComponentType } from 'react';
import Link from 'next/link';
import { VERTICAL_SCREENS } from '@/verticals/registry.gen';
import { useSession } from '@/lib/session';
import { screensFor } from '@/lib/verticals';
import { CapabilityGate } from '@/components/Shell';
import { ErrorState, Loading } from '@/components/States';

export function VerticalScreen({ vertical, screen }: { vertical: string; screen: string }) {
  const { verticals, verticalsKnown, company } = useSession();
  const enabled = verticals.find((v) => v.name === vertical);
  const info = enabled?.screens.find((s) => s.slug === screen);
  const [loaded, setLoaded] = useState<{ screen: string; component: ComponentType | null } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (!info) return;
    let cancelled = false;
    VERTICAL_SCREENS[vertical]?.()
      .then((m) => { if (!cancelled) setLoaded({ screen, component: m.default[screen] ?? null }); })
      .catch(() => { if (!cancelled) setFailed('No se pudo cargar la pantalla.'); });
    return () => { cancelled = true; };
  }, [vertical, screen, info]);

  if (!enabled || !info) {
    if (!verticalsKnown) return <Loading />;
    return <section className="panel"><h1>No disponible</h1><p>Esta línea de negocio no está activada para esta empresa.</p></section>;
  }
  if (failed) return <ErrorState message={failed} />;
  const Component = loaded?.screen === screen ? loaded.component : null;
  const tabs = screensFor(enabled, company.capabilities);
  return (
    <>
      {tabs.length > 1 && (
        <nav className="subnav" aria-label={enabled.title}>
          <ul>
            {tabs.map((s) => (
              <li key={s.slug}>
                <Link href={`/${vertical}/${s.slug}`} aria-current={s.slug === screen ? 'page' : undefined}>{s.title}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <CapabilityGate need={info.need}>{Component ? <Component /> : <Loading />}</CapabilityGate>
    </>
  );
}
