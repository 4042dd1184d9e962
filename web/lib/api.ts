// The browser's client of /api/v1: the session cookie travels by itself; state changes carry the
// CSRF token (double submit, from the vertice_csrf cookie); X-Company-Id names the company chosen.
export type ApiErrorBody = { code: string; message: string; details?: unknown };

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public details?: unknown) {
    super(message);
  }
}

const COMPANY_KEY = 'vertice.company';

export function selectedCompany(): string | null {
  if (typeof window === 'undefined') return null;
  return window.localStorage.getItem(COMPANY_KEY);
}
export function selectCompany(id: string | null) {
  if (id) window.localStorage.setItem(COMPANY_KEY, id);
  else window.localStorage.removeItem(COMPANY_KEY);
}

function cookie(name: string): string | null {
  const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : null;
}

export type RequestOptions = {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  company?: string | null; // default: the selected company
};

export function apiHeaders(opts: RequestOptions = {}): Headers {
  const h = new Headers(opts.headers);
  h.set('Accept', 'application/json');
  const company = opts.company === undefined ? selectedCompany() : opts.company;
  if (company) h.set('X-Company-Id', company);
  const method = (opts.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = cookie('vertice_csrf');
    if (csrf) h.set('X-CSRF-Token', csrf);
  }
  if (opts.json !== undefined) h.set('Content-Type', 'application/json');
  return h;
}

/** Calls the API; resolves with the parsed JSON (undefined for 204), rejects with ApiError. */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers: apiHeaders(opts),
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'No hay conexión con el servidor. Revise su red e intente de nuevo.');
  }
  if (res.status === 401 && !path.endsWith('/auth/login')) {
    window.dispatchEvent(new CustomEvent('vertice:unauthorized'));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try { body = JSON.parse(text); } catch { body = text; }
  }
  if (!res.ok) {
    const err = (body as { error?: ApiErrorBody } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status,
      err?.message ?? `El servidor respondió ${res.status}.`, err?.details);
  }
  return body as T;
}

/** Plain-Spanish message of any failure. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return 'Ocurrió un error inesperado.';
}
