/** Classifying errors from pg, its pool and PostgreSQL, wherever they surface. */

/** Errors that mean "the database is not there right now", from pg, the pool or PostgreSQL itself. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout (the database is too slow to answer now)
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; driverError?: unknown; cause?: unknown };
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  if (
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Connection ended|not queryable/i.test(
      e.message,
    )
  ) {
    return true;
  }
  return isDatabaseUnavailable(e.driverError) || isDatabaseUnavailable(e.cause);
}

/** The SQLSTATE of a PostgreSQL error, also when TypeORM wraps it. */
export function databaseErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { code?: unknown; driverError?: unknown };
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && 'severity' in e) return e.code;
  return databaseErrorCode(e.driverError);
}

/** A unique index refused the row (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return databaseErrorCode(error) === '23505';
}
