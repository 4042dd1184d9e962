'use client';
// Service contracts: the list (by status, page by page through all of them), a new contract, and a
// contract's detail with its billings and the lifecycle actions the server says the user may take
// now (available_events); terminating asks first, since it cannot be undone.
import { cloneElement, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { applyRate, centsToDecimal, formatCents, money, sumCents, toCents } from '@/lib/money';
import { formatDate, formatMonth, todayInMexico } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import {
  allowedEvents, BILLING_STATUS, CONTRACT_STATUS, type Contract, type ContractDetail, EVENT_LABELS, percent,
  SERVICES_API as API, SERVICES_CAN as CAN, STATUS_BADGE,
} from './capabilities';
import { usePaged } from './paging';

const DONE: Record<string, string> = {
  activate: 'Contrato activado.', suspend: 'Contrato suspendido.', resume: 'Contrato reanudado.', terminate: 'Contrato terminado.',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${STATUS_BADGE[status] ?? ''}`}>{CONTRACT_STATUS[status] ?? status}</span>;
}

export default function ContractsScreen() {
  const { can } = useSession();
  const canManage = can(CAN.manage);
  const [status, setStatus] = useState('');
  const list = usePaged<Contract>(`${API}/contracts${status ? '?status=' + status : ''}`);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <div>
      <div className="page-head">
        <div><h1>Contratos de servicio</h1><p className="muted">Cuota mensual por cliente, facturada en su día de cada mes.</p></div>
        {canManage && !creating && (
          <div className="head-actions"><button type="button" className="primary" onClick={() => { setCreating(true); setNotice(null); }}>Nuevo contrato</button></div>
        )}
      </div>
      {notice && <p className="notice ok" role="status" data-testid="contracts-notice">{notice}</p>}
      {creating && (
        <NewContract
          onCancel={() => setCreating(false)}
          onCreated={(c) => { setCreating(false); setNotice(`Contrato de ${c.client_name} creado como borrador.`); setOpenId(c.contract_id); void list.reload(); }}
        />
      )}
      {openId && (
        <Detail key={openId} id={openId} canManage={canManage} onClose={() => setOpenId(null)}
          onChanged={(c) => list.replace((x) => x.contract_id === c.contract_id, c)} />
      )}
      <section className="panel" aria-labelledby="h-contracts">
        <header>
          <h2 id="h-contracts">Contratos</h2>
          <form className="filters" style={{ marginBottom: 0 }} onSubmit={(e) => e.preventDefault()} aria-label="Filtros de contratos">
            <label>Estado
              <select value={status} onChange={(e) => setStatus(e.target.value)} name="status">
                <option value="">Todos</option>
                {Object.entries(CONTRACT_STATUS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
              </select>
            </label>
          </form>
        </header>
        {list.error && <ErrorState message={list.error} onRetry={() => void list.reload()} />}
        {!list.items ? (list.error ? null : <Loading />) : list.items.length === 0 ? <Empty>No hay contratos{status ? ' con este estado' : ''}.</Empty> : (
          <div className="table-wrap">
            <table className="num" data-testid="contract-list">
              <thead><tr>
                <th scope="col">Cliente</th><th scope="col">Servicio</th><th scope="col" className="amount">Cuota mensual</th>
                <th scope="col">Día de cobro</th><th scope="col">Vigencia</th><th scope="col">Estado</th>
              </tr></thead>
              <tbody>{list.items.map((c) => (
                <tr key={c.contract_id} aria-current={c.contract_id === openId ? 'true' : undefined}>
                  <td><button type="button" className="ghost" style={{ padding: '4px 8px', textAlign: 'left' }} onClick={() => setOpenId(c.contract_id)}>{c.client_name}</button>
                    <div className="muted small">{c.client_rfc}</div></td>
                  <td>{c.description || '—'}</td>
                  <td className="amount">{money(c.monthly_fee)}<div className="muted small">+ IVA {percent(c.iva_rate)}</div></td>
                  <td>{String(c.billing_day)}</td>
                  <td>{formatDate(c.starts_on)} – {c.ends_on ? formatDate(c.ends_on) : 'sin fin'}</td>
                  <td><StatusBadge status={c.status} /></td>
                </tr>))}
              </tbody>
            </table>
            <p className="muted small" role="status">{list.items.length.toLocaleString('es-MX')} contratos mostrados{list.hasMore ? '; hay más.' : '.'}</p>
            {list.hasMore && <button type="button" disabled={list.loading} onClick={list.loadMore}>{list.loading ? 'Cargando…' : 'Cargar más'}</button>}
          </div>
        )}
      </section>
    </div>
  );
}

function Detail({ id, canManage, onClose, onChanged }: { id: string; canManage: boolean; onClose: () => void; onChanged: (c: Contract) => void }) {
  const [c, setC] = useState<ContractDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  const load = useCallback(async () => {
    try { setC(await api<ContractDetail>(`${API}/contracts/${id}`)); setError(null); } catch (e) { setError(errorMessage(e)); }
  }, [id]);
  useEffect(() => { void load(); }, [load]);
  const loaded = c != null;
  useEffect(() => { if (loaded) heading.current?.focus(); }, [loaded]);
  useEffect(() => { if (confirming) confirmButton.current?.focus(); }, [confirming]);

  const fire = async (event: string) => {
    if (busy) return;
    setBusy(true); setError(null); setNotice(null); setConfirming(false);
    try {
      const r = await api<ContractDetail>(`${API}/contracts/${id}/transitions`, { method: 'POST', json: { event } });
      setNotice(DONE[event] ?? 'Listo.');
      // The answer is the contract after the change; ask again if it lacks the allowed events.
      if (r.available_events) setC(r); else await load();
      onChanged(r);
    } catch (e) {
      setError(errorMessage(e));
      if (e instanceof ApiError && (e.status === 409 || e.status === 422)) await load();
    } finally { setBusy(false); }
  };

  if (!c) return <section className="panel">{error ? <ErrorState message={error} onRetry={() => void load()} /> : <Loading text="Cargando el contrato…" />}</section>;
  const events = allowedEvents(c, canManage);
  const billed = sumCents(c.billings.map((b) => b.amount));
  return (
    <section className="panel" aria-labelledby="h-contract" data-testid="contract-detail">
      <header>
        <h2 id="h-contract" ref={heading} tabIndex={-1}>Contrato de {c.client_name} <StatusBadge status={c.status} /></h2>
        <button type="button" onClick={onClose}>Cerrar</button>
      </header>
      <dl className="kpis small">
        <div><dt>RFC</dt><dd>{c.client_rfc}</dd></div>
        <div><dt>Cuota mensual</dt><dd>{money(c.monthly_fee)}</dd></div>
        <div><dt>IVA</dt><dd>{percent(c.iva_rate)}</dd></div>
        <div><dt>Día de cobro</dt><dd>{String(c.billing_day)}</dd></div>
        <div><dt>Inicio</dt><dd>{formatDate(c.starts_on)}</dd></div>
        <div><dt>Fin</dt><dd>{c.ends_on ? formatDate(c.ends_on) : 'Sin fin'}</dd></div>
      </dl>
      {c.description && <p>{c.description}</p>}
      {notice && <p className="notice ok" role="status" data-testid="contract-notice">{notice}</p>}
      {error && <p className="notice bad" role="alert">{error}</p>}
      {events.length > 0 && !confirming && (
        <div className="head-actions" role="group" aria-label="Acciones del contrato" data-testid="contract-actions" style={{ marginBottom: 16 }}>
          {events.map((e) => (
            <button key={e} type="button" disabled={busy} className={e === 'terminate' ? 'danger' : e === 'activate' || e === 'resume' ? 'primary' : undefined}
              onClick={() => (e === 'terminate' ? setConfirming(true) : void fire(e))}>{EVENT_LABELS[e]}</button>
          ))}
        </div>
      )}
      {confirming && (
        <div className="notice bad" role="alertdialog" aria-labelledby="confirm-terminate" data-testid="confirm-terminate">
          <p id="confirm-terminate" style={{ marginTop: 0 }}>¿Terminar el contrato de {c.client_name}? Ya no se facturará y no se puede reactivar.</p>
          <div className="head-actions">
            <button ref={confirmButton} type="button" className="danger" disabled={busy} onClick={() => void fire('terminate')}>Sí, terminar</button>
            <button type="button" onClick={() => setConfirming(false)}>No, conservar</button>
          </div>
        </div>
      )}
      <h3 className="small" style={{ margin: '8px 0' }}>Facturación del contrato</h3>
      {c.billings.length === 0 ? <Empty>Este contrato aún no tiene cargos facturados.</Empty> : (
        <div className="table-wrap">
          <table className="num" data-testid="contract-billings">
            <thead><tr><th scope="col">Periodo</th><th scope="col">Facturado el</th><th scope="col">Estado</th><th scope="col" className="amount">Importe con IVA</th></tr></thead>
            <tbody>{c.billings.map((b) => (
              <tr key={b.billing_id}><td>{formatMonth(b.period)}</td><td>{formatDate(b.billed_on)}</td><td>{BILLING_STATUS[b.status] ?? b.status}</td><td className="amount">{money(b.amount)}</td></tr>
            ))}</tbody>
            <tfoot><tr><th scope="row" colSpan={3}>Total facturado ({c.billings.length})</th><td className="amount">{formatCents(billed)}</td></tr></tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

type Form = { client_name: string; client_rfc: string; description: string; monthly_fee: string; iva_rate: string; starts_on: string; ends_on: string; billing_day: string };
const RFC = /^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$/;
const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/;

function check(f: Form): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.client_name.trim()) errors.client_name = 'Escriba el nombre del cliente.';
  if (!RFC.test(f.client_rfc.trim())) errors.client_rfc = 'RFC no válido: 3 o 4 letras, la fecha (AAMMDD) y 3 de homoclave.';
  const fee = f.monthly_fee.replace(/[,$\s]/g, '');
  if (!AMOUNT.test(fee) || toCents(fee) === 0n) errors.monthly_fee = 'Escriba un importe mayor que cero, con hasta 2 decimales.';
  if (!f.starts_on) errors.starts_on = 'Indique la fecha de inicio.';
  if (f.ends_on && f.starts_on && f.ends_on < f.starts_on) errors.ends_on = 'El fin no puede ser anterior al inicio.';
  const day = Number(f.billing_day);
  if (!Number.isInteger(day) || day < 1 || day > 28) errors.billing_day = 'Elija un día del 1 al 28.';
  return errors;
}

function NewContract({ onCancel, onCreated }: { onCancel: () => void; onCreated: (c: Contract) => void }) {
  const [f, setF] = useState<Form>({ client_name: '', client_rfc: '', description: '', monthly_fee: '', iva_rate: '0.16', starts_on: todayInMexico(), ends_on: '', billing_day: '1' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { document.getElementById('nc-client_name')?.focus(); }, []);

  // Editing a field clears its error (the form is checked again on sending).
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    setF({ ...f, [k]: k === 'client_rfc' ? e.target.value.toUpperCase() : e.target.value });
    if (errors[k]) setErrors((all) => Object.fromEntries(Object.entries(all).filter(([field]) => field !== k)));
  };
  const fee = toCents(f.monthly_fee.replace(/[,$\s]/g, ''));
  const iva = fee != null ? applyRate(fee, f.iva_rate) : null;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const found = check(f);
    setErrors(found);
    setError(null);
    if (Object.keys(found).length > 0) {
      document.getElementById(`nc-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = {
        client_name: f.client_name.trim(), client_rfc: f.client_rfc.trim(), description: f.description.trim() || undefined,
        monthly_fee: centsToDecimal(fee ?? 0n), iva_rate: f.iva_rate, starts_on: f.starts_on, ends_on: f.ends_on || undefined,
        billing_day: Number(f.billing_day),
      };
      onCreated(await api<Contract>(`${API}/contracts`, { method: 'POST', json: body }));
    } catch (err) {
      // Field problems the server found go next to their fields.
      const fields = err instanceof ApiError ? (err.details as { fields?: { field: string; problem: string }[] } | undefined)?.fields : undefined;
      if (fields?.length) setErrors(Object.fromEntries(fields.map((x) => [x.field, `Revise este dato: ${x.problem}.`])));
      setError(errorMessage(err));
    } finally { setBusy(false); }
  };

  const field = (k: keyof Form, text: string, input: React.ReactElement<React.InputHTMLAttributes<HTMLElement>>) => (
    // The error goes after the label, not in it: the field's name stays what the label shows.
    <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
      <label htmlFor={`nc-${k}`}>{text}</label>
      {cloneElement(input, { id: `nc-${k}`, name: k, 'aria-invalid': errors[k] ? true : undefined, 'aria-describedby': errors[k] ? `nc-${k}-error` : undefined })}
      {errors[k] && <span id={`nc-${k}-error`} className="error small" style={{ maxWidth: '20em' }}>{errors[k]}</span>}
    </div>
  );

  return (
    <section className="panel" aria-labelledby="h-new-contract">
      <header><h2 id="h-new-contract">Nuevo contrato</h2></header>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="new-contract">
        <div className="filters" style={{ alignItems: 'flex-start' }}>
          {field('client_name', 'Cliente', <input value={f.client_name} onChange={set('client_name')} maxLength={200} autoComplete="organization" />)}
          {field('client_rfc', 'RFC del cliente', <input value={f.client_rfc} onChange={set('client_rfc')} maxLength={13} autoCapitalize="characters" spellCheck={false} style={{ width: '11em' }} />)}
          {field('description', 'Servicio', <input value={f.description} onChange={set('description')} maxLength={1000} style={{ minWidth: '18em' }} />)}
        </div>
        <div className="filters" style={{ alignItems: 'flex-start' }}>
          {field('monthly_fee', 'Cuota mensual sin IVA (MXN)', <input value={f.monthly_fee} onChange={set('monthly_fee')} inputMode="decimal" style={{ width: '10em' }} />)}
          {field('iva_rate', 'IVA', (
            <select value={f.iva_rate} onChange={set('iva_rate')}>
              <option value="0.16">16 %</option><option value="0.08">8 % (frontera)</option><option value="0">0 %</option>
            </select>))}
          {field('billing_day', 'Día de cobro (1 a 28)', <input type="number" min={1} max={28} step={1} value={f.billing_day} onChange={set('billing_day')} style={{ width: '6em' }} />)}
          {field('starts_on', 'Inicio', <input type="date" value={f.starts_on} onChange={set('starts_on')} />)}
          {field('ends_on', 'Fin (opcional)', <input type="date" value={f.ends_on} onChange={set('ends_on')} />)}
        </div>
        <p className="muted" aria-live="polite" data-testid="new-contract-total">
          {fee != null && fee > 0n && iva != null ? `Cada mes se facturarán ${formatCents(fee + iva)} (cuota ${formatCents(fee)} + IVA ${formatCents(iva)}).` : 'Escriba la cuota para ver el total mensual con IVA.'}
        </p>
        {error && <p className="notice bad" role="alert">{error}</p>}
        <div className="head-actions">
          <button type="submit" className="primary" disabled={busy}>{busy ? 'Guardando…' : 'Crear contrato'}</button>
          <button type="button" onClick={onCancel}>Cancelar</button>
        </div>
      </form>
    </section>
  );
}
