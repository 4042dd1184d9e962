'use client';
// Billings: every monthly charge of the service contracts (all of them or one contract's), page by
// page, and — for whoever manages the contracts — billing what is due today now instead of waiting
// for the hourly job (the server's services_bill_due: idempotent, so a second run bills nothing).
import { useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { money } from '@/lib/money';
import { formatDate, formatMonth } from '@/lib/format';
import { Empty, ErrorState, Loading } from '@/components/States';
import {
  allPages, type Billing, BILLING_STATUS, CONTRACT_STATUS, type Contract, type Page, SERVICES_API as API, SERVICES_CAN as CAN,
} from './capabilities';
import { usePaged } from './paging';

export default function BillingsScreen() {
  const { can } = useSession();
  const canManage = can(CAN.manage);
  const [contractId, setContractId] = useState('');
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const [contractsError, setContractsError] = useState<string | null>(null);
  const list = usePaged<Billing>(`${API}/billings${contractId ? '?contract_id=' + contractId : ''}`);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);

  // The contracts, for the filter and the client's name on each billing.
  useEffect(() => {
    allPages((after) => api<Page<Contract>>(`${API}/contracts?limit=200${after ? '&after=' + encodeURIComponent(after) : ''}`))
      .then(setContracts, (e) => setContractsError(errorMessage(e)));
  }, []);
  const byId = useMemo(() => new Map((contracts ?? []).map((c) => [String(c.contract_id), c])), [contracts]);

  const run = async () => {
    if (busy) return;
    setBusy(true); setResult(null); setRunError(null);
    try {
      const r = await api<{ billed: number }>(`${API}/billings/run`, { method: 'POST', json: {} });
      setResult(r.billed === 0 ? 'No había cargos vencidos por facturar hoy.'
        : r.billed === 1 ? 'Se facturó 1 cargo vencido.' : `Se facturaron ${r.billed.toLocaleString('es-MX')} cargos vencidos.`);
      await list.reload();
    } catch (e) { setRunError(errorMessage(e)); } finally { setBusy(false); }
  };

  return (
    <div>
      <div className="page-head">
        <div><h1>Facturación de servicios</h1><p className="muted">Un cargo por contrato activo cada mes, en su día de cobro (cuota más IVA).</p></div>
        {canManage && (
          <div className="head-actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void run()}>{busy ? 'Facturando…' : 'Facturar lo vencido hoy'}</button>
          </div>
        )}
      </div>
      {result && <p className="notice ok" role="status" data-testid="billing-run-result">{result}</p>}
      {runError && <p className="notice bad" role="alert">{runError}</p>}
      <section className="panel" aria-labelledby="h-billings">
        <header>
          <h2 id="h-billings">Cargos facturados</h2>
          <form className="filters" style={{ marginBottom: 0 }} onSubmit={(e) => e.preventDefault()} aria-label="Filtros de facturación">
            <label>Contrato
              <select value={contractId} onChange={(e) => setContractId(e.target.value)} name="contract_id" disabled={!contracts}>
                <option value="">Todos los contratos</option>
                {(contracts ?? []).map((c) => (
                  <option key={c.contract_id} value={c.contract_id}>{c.client_name} · {c.description || c.client_rfc} ({CONTRACT_STATUS[c.status] ?? c.status})</option>
                ))}
              </select>
            </label>
          </form>
        </header>
        {contractsError && <p className="notice bad" role="alert">No se pudieron cargar los contratos: {contractsError}</p>}
        {list.error && <ErrorState message={list.error} onRetry={() => void list.reload()} />}
        {!list.items ? (list.error ? null : <Loading />) : list.items.length === 0 ? <Empty>No hay cargos facturados{contractId ? ' de este contrato' : ''}.</Empty> : (
          <div className="table-wrap">
            <table className="num" data-testid="billing-list">
              <thead><tr>
                <th scope="col">Periodo</th><th scope="col">Facturado el</th><th scope="col">Cliente</th><th scope="col">Estado</th>
                <th scope="col" className="amount">Importe con IVA</th>
              </tr></thead>
              <tbody>{list.items.map((b) => {
                const c = byId.get(String(b.contract_id));
                return (
                  <tr key={b.billing_id}>
                    <td>{formatMonth(b.period)}</td>
                    <td>{formatDate(b.billed_on)}</td>
                    <td>{c ? c.client_name : `Contrato ${b.contract_id}`}{c?.description && <div className="muted small">{c.description}</div>}</td>
                    <td>{BILLING_STATUS[b.status] ?? b.status}</td>
                    <td className="amount">{money(b.amount)}</td>
                  </tr>
                );
              })}</tbody>
            </table>
            <p className="muted small" role="status">{list.items.length.toLocaleString('es-MX')} cargos mostrados{list.hasMore ? '; hay más.' : '.'}</p>
            {list.hasMore && <button type="button" disabled={list.loading} onClick={list.loadMore}>{list.loading ? 'Cargando…' : 'Cargar más'}</button>}
          </div>
        )}
      </section>
    </div>
  );
}
