// Reading a catalog file in the browser: CSV (papaparse) or XLSX (read-excel-file), headers in
// Spanish or English, into the rows POST /products/import takes. Values stay text: prices are
// never turned into floats (XLSX numbers are read as the text the file stores).
import { percentToRate } from './backoffice';

export type ImportRow = {
  sku: string; name: string; unit_price: string;
  iva_rate?: string; price_includes_tax?: boolean | string; active?: boolean | string;
};
/** A row to send and the line of the file it came from (the header is line 1). */
export type ParsedFile = { rows: ImportRow[]; lines: number[] };

type Field = keyof ImportRow;

const HEADERS: Record<string, Field> = {
  sku: 'sku', clave: 'sku', codigo: 'sku',
  nombre: 'name', name: 'name', descripcion: 'name',
  precio: 'unit_price', unit_price: 'unit_price', precio_unitario: 'unit_price', price: 'unit_price',
  iva: 'iva_rate', iva_rate: 'iva_rate', tasa_iva: 'iva_rate',
  incluye_iva: 'price_includes_tax', price_includes_tax: 'price_includes_tax', precio_incluye_iva: 'price_includes_tax',
  activo: 'active', active: 'active',
};
export const MAX_IMPORT_ROWS = 5000;

export class ImportFileError extends Error {}

function normalHeader(h: string): string {
  return h.trim().toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[\s-]+/g, '_');
}

function yesNo(v: string): boolean | string {
  const s = normalHeader(v);
  if (['si', 's', 'true', 'verdadero', '1', 'x', 'yes', 'y'].includes(s)) return true;
  if (['no', 'n', 'false', 'falso', '0'].includes(s)) return false;
  return v.trim(); // the server says what is wrong with it
}

/** "16 %", "16", "0.16" → "0.16"; anything else is sent as written (the server explains). */
function ivaRate(v: string): string {
  const s = v.trim().replace(/\s/g, '');
  const percent = s.endsWith('%') || (/^\d+(\.\d+)?$/.test(s) && Number(s) > 1); // a comparison, not money math
  return percent ? percentToRate(s) ?? s : s;
}

/** "$1,234.50" → "1234.50" (es-MX: the comma separates thousands). */
function price(v: string): string {
  return v.trim().replace(/[$\s,]/g, '');
}

function cellText(c: unknown): string {
  if (c == null) return '';
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  return String(c);
}

/** The table of a file (first row: headers) as import rows; throws ImportFileError for a file that cannot be imported. */
export function rowsFromTable(table: unknown[][]): ParsedFile {
  const headerIndex = table.findIndex((r) => r.some((c) => cellText(c).trim() !== ''));
  if (headerIndex < 0) throw new ImportFileError('El archivo está vacío.');
  const header = table[headerIndex].map((c) => HEADERS[normalHeader(cellText(c))]);
  const missing = (['sku', 'name', 'unit_price'] as Field[]).filter((f) => !header.includes(f));
  if (missing.length) {
    const names: Record<string, string> = { sku: 'sku', name: 'nombre (o name)', unit_price: 'precio (o unit_price)' };
    throw new ImportFileError(`Faltan columnas: ${missing.map((m) => names[m]).join(', ')}. La primera fila debe tener los encabezados.`);
  }
  const rows: ImportRow[] = [];
  const lines: number[] = [];
  for (let i = headerIndex + 1; i < table.length; i++) {
    const cells = table[i].map(cellText);
    if (cells.every((c) => c.trim() === '')) continue;
    const row: ImportRow = { sku: '', name: '', unit_price: '' };
    header.forEach((field, col) => {
      if (!field) return;
      const raw = table[i][col];
      const text = cells[col] ?? '';
      if (field === 'price_includes_tax' || field === 'active') {
        if (typeof raw === 'boolean') row[field] = raw;
        else if (text.trim() !== '') row[field] = yesNo(text);
      } else if (field === 'iva_rate') {
        if (text.trim() !== '') row.iva_rate = ivaRate(text);
      } else if (field === 'unit_price') {
        row.unit_price = price(text);
      } else {
        row[field] = text.trim();
      }
    });
    rows.push(row);
    lines.push(i + 1);
  }
  if (rows.length === 0) throw new ImportFileError('El archivo no tiene filas de productos.');
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new ImportFileError(`El archivo tiene ${rows.length.toLocaleString('es-MX')} filas; el máximo por importación es ${MAX_IMPORT_ROWS.toLocaleString('es-MX')}. Divídalo en varios archivos.`);
  }
  return { rows, lines };
}

/** Reads a .csv or .xlsx file. */
export async function readCatalogFile(file: File): Promise<ParsedFile> {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) {
    const { readSheet } = await import('read-excel-file/browser');
    let data: unknown[][];
    try {
      data = await readSheet<string>(file, { parseNumber: (s: string) => s, trim: true });
    } catch {
      throw new ImportFileError('No se pudo leer el archivo XLSX.');
    }
    return rowsFromTable(data);
  }
  if (name.endsWith('.csv') || name.endsWith('.txt') || file.type === 'text/csv') {
    const { default: Papa } = await import('papaparse');
    const text = (await file.text()).replace(/^\ufeff/, '');
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter: '' });
    if (parsed.errors.some((e) => e.type === 'Quotes')) throw new ImportFileError('El CSV tiene comillas sin cerrar.');
    return rowsFromTable(parsed.data);
  }
  throw new ImportFileError('Elija un archivo .csv o .xlsx.');
}
