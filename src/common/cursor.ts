import { ValidationError } from './errors';
import { parseInstant } from './validators';

/**
 * Opaque keyset cursors: the sort key of the last row of a page, base64url-encoded JSON.
 * Decoding checks the shape, so a tampered cursor is a 400, never a query error.
 */
export type CursorKey = [string, string];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `first` is validated by the caller's parser (a timestamp or a number); the second is always a uuid. */
export function decodeCursor(cursor: string, parseFirst: (v: string) => boolean = isIsoInstant): CursorKey {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw new Error('bad alphabet');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !parseFirst(parsed[0]) ||
    !UUID.test(parsed[1])
  ) {
    throw invalidCursor();
  }
  return [parsed[0], parsed[1]];
}

export function isIsoInstant(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && parseInstant(v) !== undefined;
}

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

function invalidCursor(): ValidationError {
  return new ValidationError('The cursor is not valid', [{ field: 'cursor', message: 'is not a cursor from this API' }]);
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Given limit+1 rows, returns the page and the cursor after its last row. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => CursorKey, map: (row: R) => T): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null,
  };
}
