import type { PoolClient } from 'pg';

/**
 * Something that runs one statement and gives its rows: SqlClient itself (autocommit), or a
 * transaction's client wrapped by `inTransaction`, so the same helpers serve both.
 */
export interface SqlRows {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export function inTransaction(client: PoolClient): SqlRows {
  return { query: async (text, params) => (await client.query(text, params)).rows };
}
