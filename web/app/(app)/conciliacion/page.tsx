'use client';
// Reconciliation: import a statement, run the matcher, review suggestions with their confidence
// level and reasons (accept, reject), match by hand (amounts must add up), undo, and the summary.
// Suggestions and movements are browsed a page at a time through all of them (paging.tsx).
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { CAN, useSession } from '@/lib/session';
import { CapabilityGate } from '@/components/Shell';
import { centsToDecimal, money, sumCents, toCents } from '@/lib/money';
import { formatDate } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import { Pager, useCursorPages } from './paging';
import { confidence, formatScore, type Reason, reasonText } from './reasons';

type Movement = { movement_id: string; booking_date: string; amount: string; direction: string; description: string; counterparty_name?: string | null; status: string; currency?: string };
type Doc = { invoice_id: string; uuid: string | null; serie: string | null; folio: string | null; counterparty_name: string | null; total: string; moneda: string; amount: string };
type Suggestion = { match_id: string; state: string; score: string | number | null; reasons: Reason[]; movement: Movement; documents: Doc[] };
type Summary = { movements: number; by_status: Record<string, number>; reconciled_share_count: number | string; unreconciled_amount: string; pending_suggestions: number };

const MOVEMENT_STATUS: Record<string, string> = { unreconciled: 'Sin conciliar', partial: 'Parcial', reconciled: 'Conciliado', ignored: 'Clasificado' };

export default function ReconciliationPage() {
  return <CapabilityGate need={CAN.reconciliation}><Reconciliation /></CapabilityGate>;
}

function Reconciliation() {
  const { can } = useSession();
  const canAct = can(CAN.reconcile);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [status, setStatus] = useState('unreconciled');
  const suggestions = useCursorPages<Suggestion>('/api/v1/reconciliation/suggestions');
  const movements = useCursorPages<Movement>(`/api/v1/bank/movements${status ? '?status=' + status : ''}`);
  const { reload: reloadSuggestions } = suggestions;
  const { reload: reloadMovements } = movements;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [undoable, setUndoable] = useState<string | null>(null);
  const [manualFor, setManualFor] = useState<Movement | null>(null);

  // The company's bank accounts: listed, and the one a statement is imported into.
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [accountsError, setAccountsError] = useState<string | null>(null);
  const loadAccounts = useCallback(() => api<{ items: Account[] }>('/api/v1/bank/accounts')
    .then((r) => { setAccounts(r.items); setAccountsError(null); }, (e) => setAccountsError(errorMessage(e))), []);
  useEffect(() => { void loadAccounts(); }, [loadAccounts]);
  const loadSummary = useCallback(async () => {
    try { setSummary(await api<Summary>('/api/v1/reconciliation/summary')); setError(null); } catch (e) { setError(errorMessage(e)); }
  }, []);
  useEffect(() => { void loadSummary(); }, [loadSummary]);
  // After a change: the summary and the pages shown, asked again.
  const load = useCallback(async () => {
    reloadSuggestions();
    reloadMovements();
    await loadSummary();
  }, [loadSummary, reloadSuggestions, reloadMovements]);

  const act = async (label: string, path: string, body?: unknown, undo?: string) => {
    if (busy) return;
    setBusy(true); setError(null); setNotice(null);
    try {
      const r = await api<{ auto_matched?: number; suggested?: number; classified?: number; unmatched?: number }>(path, { method: 'POST', json: body ?? {} });
      setNotice(r && r.suggested !== undefined
        ? `${label} ${r.auto_matched} conciliados automáticamente, ${r.suggested} sugerencias, ${r.classified} clasificados, ${r.unmatched} sin pareja.`
        : label);
      setUndoable(undo ?? null);
      await load();
    } catch (e) { setError(errorMessage(e)); } finally { setBusy(false); }
  };

  return (
    <div>
      <div className="page-head">
        <div><h1>Conciliación bancaria</h1></div>
        {canAct && <div className="head-actions">
          <button type="button" className="primary" disabled={busy} onClick={() => void act('Conciliación ejecutada.', '/api/v1/reconciliation/run')}>Conciliar ahora</button>
        </div>}
      </div>
      <Accounts canCreate={can(CAN.bankAccounts)} accounts={accounts} error={accountsError} onCreated={() => void loadAccounts()} />
      {canAct && <StatementUpload accounts={accounts ?? []} onImported={() => void load()} />}
      {notice && <p className="notice ok" role="status" data-testid="recon-notice">{notice}
        {undoable && <> <button type="button" disabled={busy} onClick={() => void act('Conciliación deshecha.', `/api/v1/reconciliation/matches/${undoable}/undo`)} data-testid="undo">Deshacer</button></>}</p>}
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {!summary ? <Loading /> : (
        <section className="panel">
          <dl className="kpis small">
            <div><dt>Movimientos</dt><dd>{summary.movements.toLocaleString('es-MX')}</dd></div>
            <div><dt>Conciliados</dt><dd>{Math.round(Number(summary.reconciled_share_count) * 100)} %</dd></div>
            <div><dt>Sin conciliar</dt><dd>{money(summary.unreconciled_amount)}</dd></div>
            <div><dt>Sugerencias</dt><dd>{summary.pending_suggestions}</dd></div>
          </dl>
        </section>
      )}
      <section className="panel" aria-labelledby="h-sug">
        <header><h2 id="h-sug">Sugerencias por revisar</h2></header>
        {suggestions.error && <ErrorState message={suggestions.error} onRetry={reloadSuggestions} />}
        {!suggestions.items ? (suggestions.error ? null : <Loading />) : suggestions.items.length === 0 ? <Empty>No hay sugerencias pendientes.</Empty> : (
          <div className="table-wrap" aria-busy={suggestions.loading}><table data-testid="suggestions">
            <thead><tr><th scope="col">Movimiento</th><th scope="col">Documentos</th><th scope="col">Confianza y razones</th>{canAct && <th scope="col"><span className="sr-only">Acciones</span></th>}</tr></thead>
            <tbody>{suggestions.items.map((g) => (
              <tr key={g.match_id} data-match={g.match_id}>
                <td>{formatDate(g.movement.booking_date)}<div><strong>{money(g.movement.amount)}</strong></div><div className="muted small">{g.movement.description}</div></td>
                <td>{g.documents.map((d) => <div key={d.invoice_id}>{[d.serie, d.folio].filter(Boolean).join('-') || d.uuid?.slice(0, 8)} · {d.counterparty_name} · {money(d.amount)}</div>)}</td>
                <td><Confidence score={g.score} /><ul className="small" data-testid="reasons">{(g.reasons ?? []).map((r, i) => <li key={i}>{reasonText(r)}</li>)}</ul></td>
                {canAct && <td style={{ whiteSpace: 'nowrap' }}>
                  <button type="button" className="primary" disabled={busy} onClick={() => void act('Sugerencia aceptada.', `/api/v1/reconciliation/matches/${g.match_id}/accept`, undefined, g.match_id)}>Aceptar</button>{' '}
                  <button type="button" className="danger" disabled={busy} onClick={() => void act('Sugerencia rechazada.', `/api/v1/reconciliation/matches/${g.match_id}/reject`)}>Rechazar</button>
                </td>}
              </tr>))}
            </tbody>
          </table>
          <Pager pages={suggestions} label="Páginas de sugerencias" total={summary?.pending_suggestions} testId="suggestions-pager" /></div>
        )}
      </section>
      <section className="panel" aria-labelledby="h-mov">
        <header><h2 id="h-mov">Movimientos</h2>
          <label>Estado<select name="status" value={status} onChange={(e) => setStatus(e.target.value)}><option value="">Todos</option>{Object.entries(MOVEMENT_STATUS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
        </header>
        {movements.error && <ErrorState message={movements.error} onRetry={reloadMovements} />}
        {!movements.items ? (movements.error ? null : <Loading />) : movements.items.length === 0 ? <Empty>No hay movimientos con este estado.</Empty> : (
          <div className="table-wrap" aria-busy={movements.loading}><table className="num" data-testid="movements">
            <thead><tr><th scope="col">Fecha</th><th scope="col">Descripción</th><th scope="col">Estado</th><th scope="col" className="amount">Monto</th>{canAct && <th scope="col"><span className="sr-only">Acciones</span></th>}</tr></thead>
            <tbody>{movements.items.map((m) => (
              <tr key={m.movement_id}><td>{formatDate(m.booking_date)}</td><td>{m.description}<div className="muted small">{m.counterparty_name}</div></td>
                <td>{MOVEMENT_STATUS[m.status] ?? m.status}</td><td className="amount">{money(m.amount)}</td>
                {canAct && <td>{m.status !== 'reconciled' && <button type="button" onClick={() => setManualFor(m)}>Conciliar a mano</button>}</td>}</tr>))}
            </tbody>
          </table>
          <Pager pages={movements} label="Páginas de movimientos" total={status ? summary?.by_status?.[status] : summary?.movements} testId="movements-pager" /></div>
        )}
      </section>
      {manualFor && <Manual movement={manualFor} busy={busy} onCancel={() => setManualFor(null)}
        onSubmit={(lines) => { setManualFor(null); void act('Conciliación manual registrada.', '/api/v1/reconciliation/manual', { movement_id: manualFor.movement_id, lines }); }} />}
    </div>
  );
}

/** The suggestion's confidence as a level (thresholds in reasons.ts); the raw score on hover. */
function Confidence({ score }: { score: string | number | null }) {
  const level = confidence(score);
  if (!level) return <span className="badge" data-testid="confidence">Sin puntuación</span>;
  return (
    <span className={`badge ${level.badge}`} title={`Puntuación ${formatScore(score)}`} data-testid="confidence" data-level={level.key}>
      Confianza {level.text.toLowerCase()}<span className="sr-only"> (puntuación {formatScore(score)})</span>
    </span>
  );
}

function Manual({ movement, busy, onCancel, onSubmit }: { movement: Movement; busy: boolean; onCancel: () => void; onSubmit: (lines: { invoice_id: string; amount: string }[]) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<{ id: string; uuid: string | null; folio: string | null; counterparty: { nombre: string | null }; outstanding: string | null; total: string }[]>([]);
  const [picked, setPicked] = useState<Record<string, string>>({});
  const target = toCents(movement.amount.replace('-', '')) ?? 0n;
  const sum = sumCents(Object.values(picked));
  useEffect(() => {
    const t = window.setTimeout(() => {
      const dir = movement.amount.startsWith('-') ? 'received' : 'issued';
      api<{ items: typeof found }>(`/api/v1/invoices?direction=${dir}&status=vigente&limit=20${q ? '&counterparty=' + encodeURIComponent(q) : ''}`).then((r) => setFound(r.items), () => setFound([]));
    }, 250);
    return () => window.clearTimeout(t);
  }, [q, movement.amount]);
  return (
    <section className="panel" aria-labelledby="h-manual">
      <header><h2 id="h-manual">Conciliar a mano: {money(movement.amount)} · {movement.description}</h2><button type="button" onClick={onCancel}>Cancelar</button></header>
      <label>Buscar facturas por cliente o RFC<input value={q} onChange={(e) => setQ(e.target.value)} /></label>
      <table className="num"><tbody>{found.map((d) => (
        <tr key={d.id}><td>{d.folio ?? d.uuid?.slice(0, 8)} · {d.counterparty.nombre}</td><td className="amount">saldo {money(d.outstanding ?? d.total)}</td>
          <td><input aria-label={`Monto a aplicar a ${d.folio ?? d.id}`} inputMode="decimal" style={{ width: 120 }} value={picked[d.id] ?? ''}
            onChange={(e) => setPicked({ ...picked, [d.id]: e.target.value })} /></td></tr>))}</tbody></table>
      <p>Aplicado {money(centsToDecimal(sum))} de {money(centsToDecimal(target))} {sum !== target && <span className="warn">— debe sumar exactamente el movimiento</span>}</p>
      <button type="button" className="primary" disabled={busy || sum !== target}
        onClick={() => onSubmit(Object.entries(picked).filter(([, a]) => toCents(a)).map(([invoice_id, amount]) => ({ invoice_id, amount })))}>Registrar</button>
    </section>
  );
}

// A statement that names its account (CAMT.053, MT940, OFX) goes to it by itself; a CSV does not,
// so with several accounts the person says which one (with one, it is that one).
function StatementUpload({ accounts, onImported }: { accounts: Account[]; onImported: () => void }) {
  const [chosen, setChosen] = useState('');
  const account = chosen || (accounts.length === 1 ? accounts[0].account_id : '');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = async (files: FileList) => {
    const form = new FormData();
    for (const f of Array.from(files)) form.append('files', f, f.name);
    setBusy(true); setError(null); setResult(null);
    try {
      const r = await api<{ summary?: Record<string, number>; files?: { file: string; status: string; new: number; duplicate: number; error?: { message: string } }[] }>(
        `/api/v1/bank/statements${account ? '?account_id=' + encodeURIComponent(account) : ''}`, { method: 'POST', body: form });
      setResult((r.files ?? []).map((f) => `${f.file}: ${f.status === 'rejected' ? 'rechazado — ' + (f.error?.message ?? '') : `${f.new} movimientos nuevos, ${f.duplicate} ya importados`}`).join(' · '));
      onImported();
    } catch (e) { setError(errorMessage(e)); } finally { setBusy(false); }
  };
  return (
    <section className="panel">
      {accounts.length > 1 && (
        <label style={{ marginBottom: 12, maxWidth: 420 }}>Cuenta del estado de cuenta
          <select name="statement_account" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">La que indique el archivo (CAMT.053, MT940, OFX)</option>
            {accounts.map((a) => <option key={a.account_id} value={a.account_id}>{a.name} · {a.bank ?? '—'} · {a.clabe ?? a.account_number}</option>)}
          </select>
        </label>
      )}
      <label className="button" style={{ display: 'inline-flex' }}>{busy ? 'Importando…' : 'Importar estado de cuenta (CSV, CAMT.053, MT940, OFX)'}
        <input type="file" multiple className="sr-only" disabled={busy} onChange={(e) => e.target.files && void send(e.target.files)} data-testid="statement-file" />
      </label>
      {result && <p className="notice ok" role="status">{result}</p>}
      {error && <p className="notice bad" role="alert">{error}</p>}
    </section>
  );
}

type Account = { account_id: string; name: string; bank: string | null; clabe: string | null; account_number: string | null; currency: string };

function Accounts({ canCreate, accounts, error: loadError, onCreated }: { canCreate: boolean; accounts: Account[] | null; error: string | null; onCreated: () => void }) {
  const [form, setForm] = useState({ name: '', clabe: '' });
  const [createError, setError] = useState<string | null>(null);
  const error = createError ?? loadError;
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/api/v1/bank/accounts', { method: 'POST', json: { name: form.name, clabe: form.clabe.replace(/\s/g, '') } });
      setForm({ name: '', clabe: '' });
      onCreated();
    } catch (err) { setError(errorMessage(err)); }
  };
  return (
    <section className="panel" aria-labelledby="h-accounts">
      <header><h2 id="h-accounts">Cuentas bancarias</h2></header>
      {!accounts ? <Loading /> : accounts.length === 0 ? <Empty>Sin cuentas. Agregue una para importar sus estados de cuenta.</Empty> : (
        <ul>{accounts.map((a) => <li key={a.account_id}><strong>{a.name}</strong> · {a.bank ?? '—'} · {a.clabe ?? a.account_number} · {a.currency}</li>)}</ul>
      )}
      {error && <p className="notice bad" role="alert">{error}</p>}
      {canCreate && (
        <form className="filters" style={{ marginBottom: 0 }} onSubmit={(e) => void create(e)}>
          <label>Nombre<input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
          <label>CLABE (18 dígitos)<input required inputMode="numeric" value={form.clabe} onChange={(e) => setForm({ ...form, clabe: e.target.value })} /></label>
          <button type="submit">Agregar cuenta</button>
        </form>
      )}
    </section>
  );
}
