'use client';
// The catalog: every product (search by SKU or name on the server, active/inactive, page after
// page), create and edit with the version read (a stale one is refused: someone else changed it),
// deactivate and reactivate, and the bulk import (import.tsx).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { money } from '@/lib/money';
import { Empty, ErrorState, Loading } from '@/components/States';
import { CPG_API, CPG_CAN } from './capabilities';
import { type CatalogProduct, flag, IVA_RATES, ivaOption, type Page, percentLabel, fieldProblems, priceText, withQuery } from './backoffice';
import { CatalogImport } from './import';

type Draft = { sku: string; name: string; unit_price: string; iva_rate: string; price_includes_tax: boolean; active: boolean };
const EMPTY: Draft = { sku: '', name: '', unit_price: '', iva_rate: '0.16', price_includes_tax: false, active: true };
const PRICE = /^\d{1,12}(\.\d{1,6})?$/;
const STALE = 'Otro usuario cambió este producto; recargue para ver sus datos actuales.';

function draftOf(p: CatalogProduct): Draft {
  return { sku: p.sku, name: p.name, unit_price: priceText(p.unit_price), iva_rate: ivaOption(p.iva_rate), price_includes_tax: flag(p.price_includes_tax), active: flag(p.active) };
}

export default function CatalogScreen() {
  const { can } = useSession();
  const canManage = can(CPG_CAN.manage);
  const [q, setQ] = useState('');
  const [active, setActive] = useState('true');
  const [items, setItems] = useState<CatalogProduct[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<CatalogProduct | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  // Typing sends a query per keystroke: only the latest one's answer is shown.
  const latest = useRef(0);
  const load = useCallback(async (after?: string) => {
    const mine = after ? latest.current : ++latest.current;
    try {
      const page = await api<Page<CatalogProduct>>(withQuery(`${CPG_API}/products`, { limit: '50', active, q: q.trim(), after }));
      if (mine !== latest.current) return;
      setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setNext(page.next_after ?? null);
      setError(null);
    } catch (e) { if (mine === latest.current) setError(errorMessage(e)); }
  }, [q, active]);
  useEffect(() => { void load(); }, [load]);

  const setActiveFlag = async (p: CatalogProduct, value: boolean) => {
    setBusy(p.product_id); setNotice(null); setError(null);
    try {
      await api(`${CPG_API}/products/${p.product_id}`, { method: 'PATCH', json: { active: value, version: p.version } });
      setNotice(`${p.name} ${value ? 'reactivado' : 'desactivado'}.`);
      await load();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? STALE : errorMessage(e));
      await load();
    } finally { setBusy(null); }
  };

  const saved = async (p: CatalogProduct, created: boolean) => {
    setEditing(null);
    setNotice(`Producto ${p.sku} ${created ? 'dado de alta' : 'guardado'}.`);
    await load();
  };

  return (
    <div>
      <div className="page-head">
        <div><h1>Catálogo de productos</h1><p className="muted">Precios antes de IVA salvo que el producto diga lo contrario.</p></div>
        {canManage && (
          <div className="head-actions">
            <button type="button" onClick={() => { setImporting(true); setEditing(null); setNotice(null); }}>Importar CSV o XLSX</button>
            <button type="button" className="primary" onClick={() => { setEditing('new'); setImporting(false); setNotice(null); }}>Nuevo producto</button>
          </div>
        )}
      </div>
      {notice && <p className="notice ok" role="status">{notice}</p>}
      {importing && canManage && <CatalogImport onClose={() => setImporting(false)} onImported={(text) => { setImporting(false); setNotice(text); void load(); }} />}
      {editing && canManage && (
        <ProductForm key={editing === 'new' ? 'new' : editing.product_id} product={editing === 'new' ? null : editing}
          onCancel={() => { setEditing(null); void load(); }} onSaved={(p, created) => void saved(p, created)} />
      )}
      <form className="filters" role="search" aria-label="Buscar productos" onSubmit={(e) => e.preventDefault()}>
        <label>Buscar por SKU o nombre<input type="search" value={q} onChange={(e) => setQ(e.target.value)} name="q" /></label>
        <label>Estado
          <select value={active} onChange={(e) => setActive(e.target.value)} name="active">
            <option value="true">Activos</option><option value="false">Inactivos</option><option value="">Todos</option>
          </select>
        </label>
      </form>
      {error && <ErrorState message={error} onRetry={() => void load()} />}
      {!items ? <Loading /> : items.length === 0 ? <Empty>No hay productos con estos filtros.</Empty> : (
        <section className="panel table-wrap" aria-label="Productos">
          <table className="num" data-testid="product-list">
            <thead><tr>
              <th scope="col">SKU</th><th scope="col">Nombre</th><th scope="col" className="amount">Precio</th><th scope="col" className="amount">IVA</th>
              <th scope="col">Precio incluye IVA</th><th scope="col">Estado</th>{canManage && <th scope="col"><span className="sr-only">Acciones</span></th>}
            </tr></thead>
            <tbody>{items.map((p) => {
              const on = flag(p.active);
              return (
                <tr key={p.product_id} data-sku={p.sku}>
                  <td>{p.sku}</td><td>{p.name}</td><td className="amount">{money(p.unit_price)}</td><td className="amount">{percentLabel(p.iva_rate)}</td>
                  <td>{flag(p.price_includes_tax) ? 'Sí' : 'No'}</td>
                  <td><span className="badge">{on ? 'Activo' : 'Inactivo'}</span></td>
                  {canManage && (
                    <td style={{ whiteSpace: 'nowrap' }}>
                      <button type="button" aria-label={`Editar ${p.sku}`} onClick={() => { setEditing(p); setImporting(false); setNotice(null); }}>Editar</button>{' '}
                      <button type="button" className={on ? 'danger' : ''} disabled={busy === p.product_id} aria-label={`${on ? 'Desactivar' : 'Reactivar'} ${p.sku}`}
                        onClick={() => void setActiveFlag(p, !on)}>{on ? 'Desactivar' : 'Reactivar'}</button>
                    </td>
                  )}
                </tr>
              );
            })}</tbody>
          </table>
          {next && <button type="button" onClick={() => void load(next)}>Ver más</button>}
        </section>
      )}
    </div>
  );
}

function ProductForm({ product, onCancel, onSaved }: {
  product: CatalogProduct | null; onCancel: () => void; onSaved: (p: CatalogProduct, created: boolean) => void;
}) {
  const [base, setBase] = useState<CatalogProduct | null>(product);
  const [draft, setDraft] = useState<Draft>(product ? draftOf(product) : EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => { first.current?.focus(); }, []);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const reload = async () => {
    if (!base) return;
    try {
      const page = await api<Page<CatalogProduct>>(withQuery(`${CPG_API}/products`, { sku: base.sku, limit: '1' }));
      const fresh = page.items.find((p) => p.product_id === base.product_id);
      if (!fresh) { setError('El producto ya no existe.'); return; }
      setBase(fresh); setDraft(draftOf(fresh)); setStale(false); setError(null); setErrors({});
    } catch (e) { setError(errorMessage(e)); }
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!base && !/^[A-Za-z0-9._-]{1,40}$/.test(draft.sku.trim())) local.sku = 'Solo letras, dígitos, punto, guion y guion bajo (hasta 40).';
    if (!draft.name.trim()) local.name = 'Escriba el nombre.';
    if (!PRICE.test(draft.unit_price.trim())) local.unit_price = 'Un importe como 18.50 (hasta 6 decimales).';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true); setError(null);
    try {
      if (!base) {
        // Optional fields go only when they differ from the server's defaults.
        const body: Record<string, unknown> = { sku: draft.sku.trim(), name: draft.name.trim(), unit_price: draft.unit_price.trim(), iva_rate: draft.iva_rate };
        if (draft.price_includes_tax) body.price_includes_tax = true;
        if (!draft.active) body.active = false;
        onSaved(await api<CatalogProduct>(`${CPG_API}/products`, { method: 'POST', json: body }), true);
      } else {
        const was = draftOf(base);
        const body: Record<string, unknown> = { version: base.version };
        if (draft.name.trim() !== was.name) body.name = draft.name.trim();
        if (draft.unit_price.trim() !== was.unit_price) body.unit_price = draft.unit_price.trim();
        if (draft.iva_rate !== was.iva_rate) body.iva_rate = draft.iva_rate;
        if (draft.price_includes_tax !== was.price_includes_tax) body.price_includes_tax = draft.price_includes_tax;
        if (draft.active !== was.active) body.active = draft.active;
        if (Object.keys(body).length === 1) { onCancel(); return; }
        onSaved(await api<CatalogProduct>(`${CPG_API}/products/${base.product_id}`, { method: 'PATCH', json: body }), false);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && base) { setStale(true); setError(STALE); }
      else {
        setError(errorMessage(err));
        if (err instanceof ApiError) setErrors(fieldProblems(err.details));
      }
    } finally { setBusy(false); }
  };

  const field = (name: keyof Draft) => errors[name] ? { 'aria-invalid': true, 'aria-describedby': `err-${name}` } : {};
  const hint = (name: string) => errors[name] ? <span id={`err-${name}`} className="error small">{errors[name]}</span> : null;

  return (
    <section className="panel" aria-labelledby="h-product-form" data-testid="product-form">
      <header><h2 id="h-product-form">{base ? `Editar ${base.sku}` : 'Nuevo producto'}</h2></header>
      {error && (
        <div className="notice bad" role="alert">{error}{stale && <> <button type="button" onClick={() => void reload()}>Recargar</button></>}</div>
      )}
      <form className="filters" onSubmit={(e) => void submit(e)} noValidate>
        <label>SKU<input ref={base ? undefined : first} value={draft.sku} onChange={(e) => set('sku', e.target.value)} disabled={!!base} required maxLength={40} {...field('sku')} />{hint('sku')}</label>
        <label>Nombre<input ref={base ? first : undefined} value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={200} style={{ minWidth: 260 }} {...field('name')} />{hint('name')}</label>
        <label>Precio unitario<input value={draft.unit_price} onChange={(e) => set('unit_price', e.target.value)} inputMode="decimal" required style={{ width: 130 }} {...field('unit_price')} />{hint('unit_price')}</label>
        <label>IVA
          <select aria-label="IVA" value={draft.iva_rate} onChange={(e) => set('iva_rate', e.target.value)} {...field('iva_rate')}>
            {IVA_RATES.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
          </select>{hint('iva_rate')}
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center', minHeight: 40 }}>
          <input type="checkbox" checked={draft.price_includes_tax} onChange={(e) => set('price_includes_tax', e.target.checked)} style={{ minHeight: 0 }} />Precio incluye IVA
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center', minHeight: 40 }}>
          <input type="checkbox" checked={draft.active} onChange={(e) => set('active', e.target.checked)} style={{ minHeight: 0 }} />Activo
        </label>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Guardando…' : base ? 'Guardar cambios' : 'Dar de alta'}</button>
        <button type="button" onClick={onCancel} disabled={busy}>Cancelar</button>
      </form>
    </section>
  );
}
