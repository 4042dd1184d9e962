'use client';
// The point of sale, for a tablet and a barcode scanner acting as a keyboard: pick the point of
// sale, scan or search products, a cart with IVA and total (exact cents, the server's rounding),
// record the sale once — a ticket number is fixed per cart, so a double tap or a retry after a
// lost answer cannot record it twice. Consignment: deliveries, sold/returned reports, settlements.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { applyRate, formatCents, lineAmount, money, netOfIncluded } from '@/lib/money';
import { Empty, ErrorState, Loading } from '@/components/States';
import { Consignment } from './consignment';
import { CPG_API as CPG, CPG_CAN as CAN } from './capabilities';

export type Product = { product_id: string; sku: string; name: string; unit_price: string; iva_rate: string; active: string | boolean; price_includes_tax?: string | boolean };

/** Whether the catalog price is a shelf price that already includes IVA. */
export const includesTax = (p: Product) => p.price_includes_tax === true || p.price_includes_tax === 'true';
export type Pos = { pos_id: string; code: string; name: string; status: string };
type CartLine = { product: Product; quantity: number };

const METHODS: Record<string, string> = { cash: 'Efectivo', card: 'Tarjeta', transfer: 'Transferencia', voucher: 'Vale' };

function newTicket(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `T${String(d.getFullYear()).slice(2)}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
}

export default function PosScreen() {
  const { can } = useSession();
  const canSell = can(CAN.sell);
  const canConsign = can(CAN.consign);
  const [tab, setTab] = useState<'sale' | 'consignment'>(canSell ? 'sale' : 'consignment');
  const [pos, setPos] = useState<Pos[] | null>(null);
  const [posId, setPosId] = useState<string>('');
  const [products, setProducts] = useState<Product[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const p = await api<{ items: Pos[] }>(`${CPG}/pos?status=active`);
      // The whole active catalog, page by page (a scanner needs every code at hand).
      const catalog: Product[] = [];
      let after: string | null | undefined;
      do {
        const page = await api<{ items: Product[]; next_after?: string | null }>(`${CPG}/products?active=true&limit=200${after ? '&after=' + after : ''}`);
        catalog.push(...page.items);
        after = page.next_after;
      } while (after && catalog.length < 5000);
      setPos(p.items);
      setProducts(catalog);
      const stored = window.localStorage.getItem('vertice.pos');
      setPosId(p.items.find((x) => x.pos_id === stored)?.pos_id ?? p.items[0]?.pos_id ?? '');
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404
        ? 'La línea Retail CPG no está activada para esta empresa.' : errorMessage(e));
    }
  }, []);
  useEffect(() => { void load(); }, [load]);

  if (error) return <ErrorState message={error} onRetry={() => void load()} />;
  if (!pos || !products) return <Loading text="Cargando el punto de venta…" />;
  if (pos.length === 0) return <Empty>No hay puntos de venta activos. Un administrador puede darlos de alta.</Empty>;

  return (
    <div>
      <div className="page-head">
        <h1>Punto de venta</h1>
        <label>Punto de venta
          <select value={posId} onChange={(e) => { setPosId(e.target.value); window.localStorage.setItem('vertice.pos', e.target.value); }} data-testid="pos-select">
            {pos.map((p) => <option key={p.pos_id} value={p.pos_id}>{p.code} · {p.name}</option>)}
          </select>
        </label>
      </div>
      {canSell && canConsign && (
        <div className="tabs" role="tablist" aria-label="Modo">
          <button role="tab" aria-selected={tab === 'sale'} onClick={() => setTab('sale')} type="button">Venta</button>
          <button role="tab" aria-selected={tab === 'consignment'} onClick={() => setTab('consignment')} type="button">Consignación</button>
        </div>
      )}
      {tab === 'sale' && canSell
        ? <Sale key={posId} posId={posId} products={products} />
        : <Consignment key={posId} posId={posId} products={products} />}
    </div>
  );
}

function Sale({ posId, products }: { posId: string; products: Product[] }) {
  const [search, setSearch] = useState('');
  const [cart, setCart] = useState<CartLine[]>([]);
  const [method, setMethod] = useState('cash');
  const [ticket, setTicket] = useState(newTicket);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const add = (p: Product, n = 1) => {
    setDone(null); setError(null);
    setCart((c) => {
      const i = c.findIndex((l) => l.product.product_id === p.product_id);
      if (i < 0) return [...c, { product: p, quantity: n }];
      return c.map((l, j) => (j === i ? { ...l, quantity: l.quantity + n } : l));
    });
  };
  const setQty = (id: string, q: number) =>
    setCart((c) => c.flatMap((l) => (l.product.product_id !== id ? [l] : q > 0 ? [{ ...l, quantity: q }] : [])));

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (q ? products.filter((p) => p.sku.toLowerCase().includes(q) || p.name.toLowerCase().includes(q)) : products).slice(0, 60);
  }, [search, products]);

  // A scanner types the code and Enter: an exact SKU goes straight into the cart.
  const onScan = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const code = search.trim().toLowerCase();
    const exact = products.find((p) => p.sku.toLowerCase() === code);
    if (exact) { add(exact); setSearch(''); }
    else if (shown.length === 1) { add(shown[0]); setSearch(''); }
    else setError(code ? `No hay un producto con el código «${search.trim()}».` : null);
  };

  // Priced per line as the server prices them: a shelf price is what the line costs, with the IVA
  // it contains separated; a net price gets its IVA on top.
  const lines = cart.map((l) => {
    const gross = lineAmount(String(l.quantity), l.product.unit_price) ?? 0n;
    if (includesTax(l.product)) {
      const amount = netOfIncluded(gross, l.product.iva_rate) ?? gross;
      return { ...l, amount, iva: gross - amount, lineTotal: gross };
    }
    const iva = applyRate(gross, l.product.iva_rate) ?? 0n;
    return { ...l, amount: gross, iva, lineTotal: gross };
  });
  const subtotal = lines.reduce((t, l) => t + l.amount, 0n);
  const iva = lines.reduce((t, l) => t + l.iva, 0n);
  const total = subtotal + iva;

  const record = async () => {
    if (busy || cart.length === 0) return;
    setBusy(true); setError(null);
    const body = { ticket, payment_method: method, lines: cart.map((l) => ({ sku: l.product.sku, quantity: String(l.quantity) })) };
    try {
      const r = await api<{ ticket: string; total: string }>(`${CPG}/pos/${posId}/sales`, { method: 'POST', json: body });
      setDone(`Venta registrada · ticket ${r.ticket} · total ${money(r.total)}`);
      setCart([]); setTicket(newTicket());
    } catch (e) {
      if (e instanceof ApiError && e.code === 'cpg.duplicate_ticket') {
        // The first attempt was recorded and its answer lost: the same ticket means the same sale.
        setDone(`Venta registrada · ticket ${ticket}`);
        setCart([]); setTicket(newTicket());
      } else {
        setError(errorMessage(e));
      }
    } finally {
      setBusy(false);
      searchRef.current?.focus();
    }
  };

  return (
    <div className="pos">
      <section className="panel" aria-labelledby="h-products">
        <header><h2 id="h-products">Productos</h2></header>
        <label>Buscar o escanear código
          <input ref={searchRef} value={search} onChange={(e) => setSearch(e.target.value)} onKeyDown={onScan}
            autoFocus inputMode="search" placeholder="SKU o nombre" data-testid="pos-search" />
        </label>
        <div className="products" style={{ marginTop: 12 }}>
          {shown.length === 0 ? <Empty>Sin productos que coincidan.</Empty> : shown.map((p) => (
            <button type="button" key={p.product_id} className="product" onClick={() => add(p)} data-sku={p.sku}>
              <strong>{p.name}</strong><span className="muted small">{p.sku}</span><span className="price">{money(p.unit_price)}</span>
            </button>
          ))}
        </div>
      </section>
      <section className="panel cart" aria-labelledby="h-cart">
        <header><h2 id="h-cart">Venta</h2><span className="muted small">Ticket {ticket}</span></header>
        {done && <p className="notice ok" role="status" data-testid="sale-done">{done}</p>}
        {error && <p className="notice bad" role="alert">{error}</p>}
        {lines.length === 0 ? <Empty>Escanee o toque un producto para agregarlo.</Empty> : lines.map((l) => (
          <div className="line" key={l.product.product_id}>
            <div><strong>{l.product.name}</strong><div className="muted small">{money(l.product.unit_price)} c/u · IVA {Math.round(Number(l.product.iva_rate) * 100)} %{includesTax(l.product) ? ' incluido' : ''}</div></div>
            <div className="qty">
              <button type="button" aria-label={`Quitar uno de ${l.product.name}`} onClick={() => setQty(l.product.product_id, l.quantity - 1)}>−</button>
              <input aria-label={`Cantidad de ${l.product.name}`} inputMode="numeric" value={l.quantity}
                onChange={(e) => { const n = parseInt(e.target.value, 10); setQty(l.product.product_id, Number.isFinite(n) ? Math.min(n, 9999) : 0); }} />
              <button type="button" aria-label={`Agregar uno de ${l.product.name}`} onClick={() => setQty(l.product.product_id, l.quantity + 1)}>+</button>
            </div>
            <span className="amount">{formatCents(l.lineTotal)}</span>
          </div>
        ))}
        <div className="totals">
          <span>Subtotal</span><span className="amount">{formatCents(subtotal)}</span>
          <span>IVA</span><span className="amount">{formatCents(iva)}</span>
          <span className="grand">Total</span><span className="grand amount" data-testid="cart-total">{formatCents(total)}</span>
        </div>
        <label>Forma de pago
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            {Object.entries(METHODS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <div style={{ display: 'flex', gap: 8, marginTop: 12 }}>
          <button type="button" className="primary" style={{ flex: 1 }} onClick={() => void record()} disabled={busy || cart.length === 0} data-testid="record-sale">
            {busy ? 'Registrando…' : `Cobrar ${formatCents(total)}`}
          </button>
          <button type="button" onClick={() => { setCart([]); setDone(null); setError(null); }} disabled={busy || cart.length === 0}>Vaciar</button>
        </div>
      </section>
    </div>
  );
}
