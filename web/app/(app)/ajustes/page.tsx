'use client';
// Settings (owner): members and roles, API keys (the key is shown once), verticals per company with
// their configuration, and the large-transaction threshold of the refresh levels.
import { useCallback, useEffect, useState } from 'react';
import Link from 'next/link';
import { api, errorMessage, selectCompany } from '@/lib/api';
import { CAN, useSession } from '@/lib/session';
import { CapabilityGate } from '@/components/Shell';
import { label, ROLE_LABELS } from '@/lib/format';
import { money } from '@/lib/money';
import { Empty, ErrorState, Loading } from '@/components/States';

type Member = { user_id: string; email: string; full_name: string | null; role: string };
type Key = { api_key_id?: string; id?: string; name: string; prefix: string; role: string; last_used_at: string | null; revoked_at: string | null };
type Vertical = { name: string; title: string; enabled: boolean; config: Record<string, unknown>; depends?: string[] };
const ROLES = ['owner', 'ceo', 'cfo', 'accountant', 'cashier', 'viewer'];

export default function SettingsPage() {
  return <CapabilityGate need={CAN.settings}><Settings /></CapabilityGate>;
}

function Settings() {
  const { reloadVerticals, can } = useSession();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [keys, setKeys] = useState<Key[] | null>(null);
  const [verticals, setVerticals] = useState<Vertical[] | null>(null);
  const [threshold, setThreshold] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [invite, setInvite] = useState({ email: '', role: 'viewer', full_name: '' });
  const [keyForm, setKeyForm] = useState({ name: '', role: 'viewer' });

  const load = useCallback(async () => {
    try {
      const [m, k, v, t] = await Promise.all([
        api<{ items: Member[] }>('/api/v1/members?limit=200'),
        api<{ items: Key[] }>('/api/v1/api-keys?limit=200'),
        api<{ items: Vertical[] } | Vertical[]>('/api/v1/verticals'),
        api<{ threshold?: string; large_transaction_threshold?: string }>('/api/v1/mv/settings'),
      ]);
      setMembers(m.items); setKeys(k.items); setVerticals(Array.isArray(v) ? v : v.items);
      setThreshold(t.large_transaction_threshold ?? t.threshold ?? '');
      setError(null);
    } catch (e) { setError(errorMessage(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);

  const run = async (what: string, fn: () => Promise<unknown>) => {
    setError(null); setNotice(null);
    try { await fn(); setNotice(what); await load(); reloadVerticals(); } catch (e) { setError(errorMessage(e)); }
  };

  if (!members || !keys || !verticals) return error ? <ErrorState message={error} onRetry={() => void load()} /> : <Loading />;
  return (
    <div>
      <div className="page-head"><h1>Ajustes de la empresa</h1></div>
      {notice && <p className="notice ok" role="status">{notice}</p>}
      {error && <p className="notice bad" role="alert">{error}</p>}
      <section className="panel" aria-labelledby="h-members">
        <header><h2 id="h-members">Miembros y roles</h2></header>
        <div className="table-wrap"><table>
          <thead><tr><th>Nombre</th><th>Correo</th><th>Rol</th><th /></tr></thead>
          <tbody>{members.map((m) => (
            <tr key={m.user_id}><td>{m.full_name}</td><td>{m.email}</td>
              <td><select aria-label={`Rol de ${m.email}`} value={m.role} onChange={(e) => void run('Rol actualizado.', () => api(`/api/v1/members/${m.user_id}`, { method: 'PATCH', json: { role: e.target.value } }))}>
                {ROLES.map((r) => <option key={r} value={r}>{label(ROLE_LABELS, r)}</option>)}</select></td>
              <td><button type="button" className="danger" onClick={() => { if (window.confirm(`¿Quitar a ${m.email} de la empresa?`)) void run('Miembro quitado.', () => api(`/api/v1/members/${m.user_id}`, { method: 'DELETE' })); }}>Quitar</button></td></tr>))}
          </tbody>
        </table></div>
        <form className="filters" style={{ marginTop: 12 }} onSubmit={(e) => { e.preventDefault(); void run('Miembro agregado.', async () => {
          const r = await api<{ temporary_password?: string }>('/api/v1/members', { method: 'POST', json: { email: invite.email, role: invite.role, ...(invite.full_name ? { full_name: invite.full_name } : {}) } });
          if (r?.temporary_password) setNewKey(`Contraseña temporal para ${invite.email}: ${r.temporary_password}`);
          setInvite({ email: '', role: 'viewer', full_name: '' });
        }); }}>
          <label>Correo<input type="email" required value={invite.email} onChange={(e) => setInvite({ ...invite, email: e.target.value })} /></label>
          <label>Nombre<input value={invite.full_name} onChange={(e) => setInvite({ ...invite, full_name: e.target.value })} /></label>
          <label>Rol<select value={invite.role} onChange={(e) => setInvite({ ...invite, role: e.target.value })}>{ROLES.map((r) => <option key={r} value={r}>{label(ROLE_LABELS, r)}</option>)}</select></label>
          <button type="submit" className="primary">Agregar miembro</button>
        </form>
        <p className="muted small">Si la persona ya usa Vértice en otra empresa del grupo, se agrega con la misma cuenta y contraseña.</p>
      </section>
      {can(CAN.createCompany) && <NewCompany />}
      {newKey && <p className="notice ok" role="status" data-testid="shown-once"><strong>Se muestra una sola vez:</strong> <code>{newKey}</code> <button type="button" onClick={() => setNewKey(null)}>Ya la guardé</button></p>}
      <section className="panel" aria-labelledby="h-keys">
        <header><h2 id="h-keys">Llaves de API</h2> <Link href="/referencia-api">Referencia de la API</Link></header>
        {keys.length === 0 ? <Empty>Sin llaves.</Empty> : (
          <table><thead><tr><th>Nombre</th><th>Prefijo</th><th>Rol</th><th>Estado</th><th /></tr></thead>
            <tbody>{keys.map((k) => { const id = k.api_key_id ?? k.id ?? ''; return (
              <tr key={id}><td>{k.name}</td><td><code>{k.prefix}</code></td><td>{label(ROLE_LABELS, k.role)}</td><td>{k.revoked_at ? 'revocada' : 'activa'}</td>
                <td>{!k.revoked_at && <button type="button" className="danger" onClick={() => void run('Llave revocada.', () => api(`/api/v1/api-keys/${id}`, { method: 'DELETE' }))}>Revocar</button>}</td></tr>); })}
            </tbody></table>
        )}
        <form className="filters" style={{ marginTop: 12 }} onSubmit={(e) => { e.preventDefault(); void run('Llave creada.', async () => {
          const r = await api<{ key: string }>('/api/v1/api-keys', { method: 'POST', json: keyForm });
          setNewKey(r.key); setKeyForm({ name: '', role: 'viewer' });
        }); }}>
          <label>Nombre<input required value={keyForm.name} onChange={(e) => setKeyForm({ ...keyForm, name: e.target.value })} /></label>
          <label>Rol<select value={keyForm.role} onChange={(e) => setKeyForm({ ...keyForm, role: e.target.value })}>{ROLES.filter((r) => r !== 'owner').map((r) => <option key={r} value={r}>{label(ROLE_LABELS, r)}</option>)}</select></label>
          <button type="submit" className="primary">Crear llave</button>
        </form>
      </section>
      <section className="panel" aria-labelledby="h-verticals">
        <header><h2 id="h-verticals">Líneas de negocio</h2></header>
        <table><tbody>{verticals.map((v) => (
          <tr key={v.name}><td><strong>{v.title || v.name}</strong><div className="muted small">{v.name}{v.depends?.length ? ` · requiere ${v.depends.join(', ')}` : ''}</div></td>
            <td><label style={{ flexDirection: 'row', alignItems: 'center' }}><input type="checkbox" checked={v.enabled} style={{ minHeight: 'auto', width: 22, height: 22 }}
              onChange={(e) => void run(e.target.checked ? 'Línea activada.' : 'Línea desactivada.', () => api(`/api/v1/verticals/${v.name}`, { method: 'PUT', json: { enabled: e.target.checked } }))} /> Activa</label></td>
            <td>{v.enabled && Object.keys(v.config ?? {}).length > 0 && <VerticalConfig vertical={v} onSave={(config) => run('Configuración guardada.', () => api(`/api/v1/verticals/${v.name}`, { method: 'PUT', json: { enabled: true, config } }))} />}</td></tr>))}
        </tbody></table>
      </section>
      <section className="panel" aria-labelledby="h-threshold">
        <header><h2 id="h-threshold">Transacciones grandes</h2></header>
        <p className="muted">Una transacción de este monto o más pide verificar el panel en los siguientes 5 minutos. Actual: {money(threshold)}</p>
        <form className="filters" onSubmit={(e) => { e.preventDefault(); void run('Umbral guardado.', () => api('/api/v1/mv/settings', { method: 'PUT', json: { large_transaction_threshold: threshold } })); }}>
          <label>Umbral (MXN)<input inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} /></label>
          <button type="submit" className="primary">Guardar</button>
        </form>
      </section>
    </div>
  );
}

function VerticalConfig({ vertical, onSave }: { vertical: Vertical; onSave: (config: Record<string, string>) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(vertical.config ?? {}).map(([k, v]) => [k, String(v)])));
  return (
    <form className="filters" style={{ marginBottom: 0 }} onSubmit={(e) => { e.preventDefault(); onSave(values); }}>
      {Object.keys(values).map((k) => (
        <label key={k}>{k}<input value={values[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} /></label>
      ))}
      <button type="submit">Guardar configuración</button>
    </form>
  );
}

/** Another legal entity of the group: the owner creates it and owns it; the app then opens it. */
function NewCompany() {
  const [form, setForm] = useState({ company_id: '', legal_name: '', rfc: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      await api('/api/v1/companies', { method: 'POST', json: { ...form, rfc: form.rfc.trim().toUpperCase() } });
      // The new company is in /auth/me now: open it (the session reloads with it selected).
      selectCompany(form.company_id);
      window.sessionStorage.removeItem('vertice.me');
      window.location.reload();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="h-companies">
      <header><h2 id="h-companies">Otra empresa del grupo</h2></header>
      <p className="muted small">Una razón social más de su organización; usted será su propietario y podrá invitar a su equipo.</p>
      {error && <p className="notice bad" role="alert">{error}</p>}
      <form className="filters" onSubmit={(e) => void submit(e)} data-testid="new-company">
        <label>Clave<input required pattern="[a-z][a-z0-9-]{0,61}[a-z0-9]" title="Minúsculas, dígitos y guiones, como acme-norte"
          value={form.company_id} onChange={(e) => setForm({ ...form, company_id: e.target.value })} /></label>
        <label>Razón social<input required value={form.legal_name} onChange={(e) => setForm({ ...form, legal_name: e.target.value })} /></label>
        <label>RFC<input required minLength={12} maxLength={13} value={form.rfc} onChange={(e) => setForm({ ...form, rfc: e.target.value })} /></label>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Creando…' : 'Crear empresa'}</button>
      </form>
    </section>
  );
}
