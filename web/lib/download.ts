// Saves a blob as a file (CSV export, an invoice's XML). The object URL lives until the browser
// has started the download.
import { apiHeaders } from './api';
export function saveBlob(blob: Blob, name: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/** Downloads a file from the API (the company header cannot ride on a plain link). */
export async function downloadFromApi(path: string, name: string) {
  const res = await fetch(path, { headers: apiHeaders(), credentials: 'same-origin' });
  if (!res.ok) throw new Error('No se pudo descargar el archivo.');
  saveBlob(await res.blob(), name);
}
