'use client';
// Bulk import of the catalog from a CSV or XLSX file: read in the browser, checked by the server
// first (dry_run: nothing is written) with a report per row — alta, actualización, sin cambios,
// or the row's errors — and only then imported for real, all or nothing.
import { useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '@/lib/api';
import { CPG_API } from './capabilities';
import { fieldProblems } from './backoffice';
import { ImportFileError, type ParsedFile, readCatalogFile } from './import-file';

type Action = 'create' | 'update' | 'unchanged';
type ImportAnswer = { dry_run: boolean; created: number; updated: number; unchanged: number; rows: { row: number; sku: string; action: Action }[] };
type RowProblem = { row: number; sku: string; errors: unknown };
type ReportRow = { key: number; line: number; sku: string; action?: Action; problems?: Record<string, string> };

const ACTIONS: Record<Action, string> = { create: 'Alta', update: 'Actualización', unchanged: 'Sin cambios' };
const FIELDS: Record<string, string> = {
  sku: 'SKU', name: 'nombre', unit_price: 'precio', iva_rate: 'IVA', price_includes_tax: 'incluye IVA', active: 'activo', row: 'fila',
};

function summary(a: ImportAnswer): string {
  const n = (k: number, one: string, many: string) => `${k.toLocaleString('es-MX')} ${k === 1 ? one : many}`;
  return `${n(a.created, 'alta', 'altas')}, ${n(a.updated, 'actualización', 'actualizaciones')}, ${a.unchanged.toLocaleString('es-MX')} sin cambios`;
}

export function CatalogImport({ onClose, onImported }: { onClose: () => void; onImported: (text: string) => void }) {
  const [file, setFile] = useState<{ name: string; parsed: ParsedFile } | null>(null);
  const [report, setReport] = useState<ReportRow[] | null>(null);
  const [checked, setChecked] = useState<ImportAnswer | null>(null);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  // The server numbers rows from 1 in the order sent; people read the file's line (header = 1).
  const lineOf = (parsed: ParsedFile, row: number) => parsed.lines[row - 1] ?? row + 1;

  // The server's messages name rows as it numbers them ("repite el SKU de la fila 2"): say the file's line.
  const problemsOf = (parsed: ParsedFile, errors: unknown) => Object.fromEntries(Object.entries(fieldProblems(errors))
    .map(([f, m]) => [f, m.replace(/\bfila (\d+)/g, (_, n: string) => `fila ${lineOf(parsed, Number(n))}`)]));

  const send = (parsed: ParsedFile, dryRun: boolean) =>
    api<ImportAnswer>(`${CPG_API}/products/import`, { method: 'POST', json: { rows: parsed.rows, dry_run: dryRun } });

  const choose = async (f: File | undefined) => {
    setFile(null); setReport(null); setChecked(null); setInvalid(false); setError(null);
    if (!f) return;
    setBusy('Leyendo el archivo…');
    let parsed: ParsedFile;
    try {
      parsed = await readCatalogFile(f);
    } catch (e) {
      setError(e instanceof ImportFileError ? e.message : 'No se pudo leer el archivo.');
      setBusy(null);
      return;
    }
    setFile({ name: f.name, parsed });
    setBusy('Revisando las filas…');
    try {
      const answer = await send(parsed, true);
      setChecked(answer);
      setReport(answer.rows.map((r) => ({ key: r.row, line: lineOf(parsed, r.row), sku: r.sku, action: r.action })));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'cpg.import_invalid') {
        const rows = ((e.details as { rows?: RowProblem[] } | undefined)?.rows) ?? [];
        setInvalid(true);
        setError(`${rows.length === 1 ? 'Una fila tiene' : `${rows.length} filas tienen`} errores: corríjalas en el archivo y vuelva a elegirlo. No se importó nada.`);
        setReport(rows.map((r) => ({ key: r.row, line: lineOf(parsed, r.row), sku: r.sku, problems: problemsOf(parsed, r.errors) })));
      } else {
        setError(errorMessage(e));
      }
    } finally { setBusy(null); }
  };

  const commit = async () => {
    if (!file || !checked) return;
    setBusy('Importando…'); setError(null);
    try {
      const answer = await send(file.parsed, false);
      onImported(`Importación terminada: ${summary(answer)}.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'cpg.import_invalid') {
        // The catalog changed since the check: show the new report.
        const rows = ((e.details as { rows?: RowProblem[] } | undefined)?.rows) ?? [];
        setInvalid(true); setChecked(null);
        setReport(rows.map((r) => ({ key: r.row, line: lineOf(file.parsed, r.row), sku: r.sku, problems: problemsOf(file.parsed, r.errors) })));
      }
      setError(errorMessage(e));
    } finally { setBusy(null); }
  };

  return (
    <section className="panel" aria-labelledby="h-import" data-testid="import-panel">
      <header>
        <h2 id="h-import">Importar productos</h2>
        <button type="button" onClick={onClose}>Cerrar</button>
      </header>
      <p className="muted small">
        Un archivo CSV o XLSX con encabezados en la primera fila: <strong>sku</strong>, <strong>nombre</strong> (o name), <strong>precio</strong> (o unit_price),
        y opcionalmente <strong>iva</strong> (0.16, 0.08 o 0), <strong>incluye_iva</strong> y <strong>activo</strong> (sí/no). Hasta 5,000 filas.
        Primero se revisa sin guardar nada; después usted confirma.
      </p>
      <label>Archivo CSV o XLSX
        <input ref={input} type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => void choose(e.target.files?.[0])} disabled={busy != null} data-testid="import-file" />
      </label>
      {busy && <p className="muted" role="status">{busy}</p>}
      {error && <p className="notice bad" role="alert">{error}</p>}
      {checked && !invalid && (
        <p className="notice ok" role="status" data-testid="import-summary">
          {file?.name}: {file?.parsed.rows.length.toLocaleString('es-MX')} filas revisadas · {summary(checked)}. Aún no se ha guardado nada.
        </p>
      )}
      {report && report.length > 0 && (
        <div className="table-wrap" style={{ maxHeight: 420, overflowY: 'auto', marginBottom: 12 }}>
          <table data-testid="import-report">
            <caption className="sr-only">Resultado por fila</caption>
            <thead><tr><th scope="col">Fila</th><th scope="col">SKU</th><th scope="col">Acción o errores</th></tr></thead>
            <tbody>{report.map((r) => (
              <tr key={r.key}>
                <td>{r.line}</td><td>{r.sku || '—'}</td>
                <td>{r.problems
                  ? <ul className="error" style={{ margin: 0, paddingLeft: 18 }}>{Object.entries(r.problems).map(([f, m]) => <li key={f}>{FIELDS[f] ?? f}: {m}</li>)}</ul>
                  : <span className="badge">{ACTIONS[r.action!] ?? r.action}</span>}</td>
              </tr>))}
            </tbody>
          </table>
        </div>
      )}
      {checked && !invalid && (
        <div className="head-actions">
          <button type="button" className="primary" onClick={() => void commit()} disabled={busy != null || checked.created + checked.updated === 0}>Importar</button>
          <button type="button" onClick={() => { setFile(null); setReport(null); setChecked(null); if (input.current) input.current.value = ''; }} disabled={busy != null}>Elegir otro archivo</button>
        </div>
      )}
    </section>
  );
}
