'use client';
// Swagger UI in its own chunk: only this page downloads it (next/dynamic, no server rendering).
import dynamic from 'next/dynamic';

const SwaggerView = dynamic(() => import('./SwaggerView'), {
  ssr: false,
  loading: () => <p role="status">Cargando la referencia…</p>,
});

export function ApiReference() {
  return <SwaggerView />;
}
