import { stringify, Stringifier } from 'csv-stringify';
import type { RegistrationView } from './dto/views';

/** The staff export's columns, in order (also its header row). */
export const CSV_COLUMNS = ['id', 'name', 'email', 'status', 'waitlistPosition', 'createdAt', 'checkedInAt'] as const;

// Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a `'` to text a spreadsheet would take for a formula; quoting is the CSV writer's job. */
export function sanitizeCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function toCsvRecord(r: RegistrationView): (string | number | null)[] {
  return [r.id, sanitizeCsvCell(r.name), sanitizeCsvCell(r.email), r.status, r.waitlistPosition, r.createdAt, r.checkedInAt];
}

/**
 * An object-mode stream from records (toCsvRecord) to CSV text with a header row. RFC 4180
 * records end in CRLF; csv-stringify quotes cells holding that pair, a comma or a quote, and
 * `quoted_match` makes it quote a lone CR or LF too, which parsers would otherwise split on.
 */
export function createCsvStringifier(): Stringifier {
  return stringify({ header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/**
 * Content negotiation for the staff list: CSV when the client accepts text/csv more than
 * application/json (q-values; an equal q goes to the one named first). Wildcards mean JSON.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv: { q: number; index: number } | undefined;
  let json: { q: number; index: number } | undefined;
  accept.split(',').forEach((range, index) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const parsedQ = qParam ? Number(qParam.slice(2)) : 1;
    const q = Number.isFinite(parsedQ) ? parsedQ : 0;
    if (type === 'text/csv' && !csv) csv = { q, index };
    if (type === 'application/json' && !json) json = { q, index };
  });
  if (!csv || csv.q <= 0) return false;
  if (!json) return true;
  return csv.q > json.q || (csv.q === json.q && csv.index < json.index);
}
