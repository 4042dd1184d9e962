'use client';
// Drag-and-drop (or choose) XML files and ZIPs; the per-file report in plain Spanish, with each
// document's seal. "Importar sin verificar" (confirmed first) stores documents whose seal is
// invalid or missing as unverified imports, audited (docs/api.md, "The issuer's seal").
import { useRef, useState } from 'react';
import { api, errorMessage } from '@/lib/api';
import { sealLabel, type Seal } from '@/lib/format';

type FileReport = { file: string; status: string; uuid?: string | null; seal?: Seal; errors?: { code: string; message: string }[]; warnings?: { code: string; message: string }[] };
type Report = { summary: { files: number; accepted: number; duplicates: number; conflicts: number; rejected: number }; files: FileReport[] };

const STATUS: Record<string, { text: string; cls: string }> = {
  accepted: { text: 'Aceptado', cls: 'ok' }, duplicate: { text: 'Duplicado (ya estaba)', cls: '' },
  conflict: { text: 'Conflicto: mismo UUID, otro contenido', cls: 'warn' }, rejected: { text: 'Rechazado', cls: 'bad' },
};

export function Upload({ onImported }: { onImported: () => void }) {
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unverified, setUnverified] = useState(false);
  const [asking, setAsking] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const send = async (files: FileList | File[]) => {
    const list = Array.from(files);
    if (list.length === 0) return;
    setBusy(true); setError(null); setReport(null);
    const form = new FormData();
    for (const f of list) form.append('files', f, f.name);
    try {
      setReport(await api<Report>(`/api/v1/invoices${unverified ? '?unverified=true' : ''}`, { method: 'POST', body: form }));
      onImported();
    } catch (e) { setError(errorMessage(e)); } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <section className="panel" aria-labelledby="h-upload">
      <header><h2 id="h-upload">Importar comprobantes</h2></header>
      <div className={`dropzone ${over ? 'over' : ''}`} data-testid="dropzone"
        onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); void send(e.dataTransfer.files); }}>
        <p>Arrastre aquí archivos XML o ZIP (descarga masiva del SAT)</p>
        <label className="button" style={{ display: 'inline-flex' }}>
          {busy ? 'Importando…' : 'Elegir archivos'}
          <input ref={input} type="file" accept=".xml,.zip,application/xml,text/xml,application/zip" multiple className="sr-only"
            disabled={busy} onChange={(e) => e.target.files && void send(e.target.files)} data-testid="invoice-file" />
        </label>
      </div>
      <p className="small">
        <label><input type="checkbox" checked={unverified || asking} disabled={busy} data-testid="unverified-toggle"
          onChange={(e) => { if (e.target.checked) setAsking(true); else { setUnverified(false); setAsking(false); } }} />
          {' '}Importar sin verificar el sello</label>
        {unverified && <span className="badge warn" data-testid="unverified-armed"> Los comprobantes con sello inválido o sin sello se guardarán como «Importada sin verificar» y quedará registrado.</span>}
      </p>
      {asking && (
        <div className="notice warn" role="alertdialog" aria-labelledby="h-unverified" data-testid="unverified-confirm">
          <p id="h-unverified"><strong>¿Importar sin verificar?</strong> Un sello inválido puede significar que el comprobante fue alterado.
            Los comprobantes que no pasen la verificación se guardarán marcados como «Importada sin verificar» y la importación quedará en la bitácora de auditoría.</p>
          <button type="button" onClick={() => { setUnverified(true); setAsking(false); }} data-testid="unverified-yes">Sí, importar sin verificar</button>{' '}
          <button type="button" onClick={() => setAsking(false)}>Cancelar</button>
        </div>
      )}
      {error && <p className="notice bad" role="alert">{error}</p>}
      {report && (
        <div role="status" data-testid="import-report">
          <p><strong>{report.summary.files} archivos:</strong> {report.summary.accepted} aceptados, {report.summary.duplicates} duplicados,
            {' '}{report.summary.conflicts} en conflicto, {report.summary.rejected} rechazados.</p>
          <ul>{report.files.map((f, i) => (
            <li key={i} data-status={f.status}>
              <span className={`badge ${STATUS[f.status]?.cls ?? ''}`}>{STATUS[f.status]?.text ?? f.status}</span> {f.file}
              {f.uuid && <span className="muted small"> · {f.uuid}</span>}
              {f.seal?.state && <span className={`badge ${sealLabel(f.seal).cls}`} data-testid="file-seal"> {sealLabel(f.seal).text}</span>}
              {(f.errors ?? []).map((e) => <div key={e.code} className="error small">{e.message} <span className="muted">({e.code})</span></div>)}
              {(f.warnings ?? []).map((w) => <div key={w.code} className="warn small">Aviso: {w.message} <span className="muted">({w.code})</span></div>)}
            </li>))}
          </ul>
        </div>
      )}
    </section>
  );
}
