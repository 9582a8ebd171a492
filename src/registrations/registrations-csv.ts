import { stringify, Stringifier } from 'csv-stringify';
import Negotiator from 'negotiator';
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

// What the CSV answer is sent as: a charset parameter in Accept must match it.
const CSV_TYPE = 'text/csv; charset=utf-8';

/**
 * Content negotiation for the staff list, by `negotiator`: CSV when the client accepts text/csv
 * more than application/json (q-values; an equal q goes to the one named first). Wildcards mean JSON.
 */
export function prefersCsv(accept: string | undefined): boolean {
  return new Negotiator({ headers: { accept } }).mediaType(['application/json', CSV_TYPE]) === CSV_TYPE;
}
