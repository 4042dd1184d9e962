// The API reference: the server's OpenAPI description (/api/v1/openapi.json, src/api/openapi.json)
// rendered by Swagger UI. Public like the description itself; the renderer is loaded only here,
// lazily, from the export (no network beyond this server).
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiReference } from './ApiReference';

export const metadata: Metadata = { title: 'Referencia de la API · Vértice' };

export default function ApiReferencePage() {
  return (
    <main style={{ maxWidth: 1200, margin: '0 auto', padding: '24px 16px' }}>
      <header>
        <h1>Referencia de la API</h1>
        <p>
          Las rutas de la API HTTP de Vértice (<code>/api/v1</code>): parámetros, cuerpos, respuestas, códigos de error y
          permisos. Autentíquese con <code>Authorization: Bearer</code> (sesión o llave de API) e indique la empresa con{' '}
          <code>X-Company-Id</code>. La descripción OpenAPI 3.1 está en{' '}
          <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
        </p>
        <p><Link href="/">Volver a Vértice</Link></p>
      </header>
      <ApiReference />
    </main>
  );
}
