'use client';
// Sign-in: clear errors for wrong credentials and too many attempts. A locked account answers as
// wrong credentials do (the server tells nobody which accounts exist or are locked).
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError, selectCompany } from '@/lib/api';
import { homeFor } from '@/lib/session';

type Login = { companies: { company_id: string; role: string; capabilities: string[] }[] };

export default function LoginPage() {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<Login>('/api/v1/auth/login', { method: 'POST', json: { email, password }, company: null });
      const first = r.companies[0];
      selectCompany(first?.company_id ?? null);
      window.sessionStorage.removeItem('vertice.me'); // another user may have used this tab
      const next = new URLSearchParams(window.location.search).get('next');
      router.replace(next && next.startsWith('/') && !next.startsWith('//') && next !== '/login' ? next : homeFor(first?.capabilities));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      setError(code === 'auth.invalid_credentials' ? 'Correo o contraseña incorrectos.'
        : code === 'auth.rate_limited' ? 'Demasiados intentos. Espere un minuto e intente de nuevo.'
        : err instanceof ApiError ? err.message : 'No se pudo iniciar sesión.');
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form onSubmit={submit} className="panel login-form" aria-labelledby="h-login" noValidate={false}>
        <h1 id="h-login">Vértice</h1>
        <p className="muted">Inicie sesión para ver las finanzas de su empresa.</p>
        <label>Correo electrónico
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label>Contraseña
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <p className="error" role="alert" data-testid="login-error">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Entrando…' : 'Entrar'}</button>
      </form>
    </main>
  );
}
