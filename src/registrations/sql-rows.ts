import type { PoolClient } from 'pg';
import type { Statement } from '../database/sql-client';

/**
 * Something that runs one statement and gives its rows: SqlClient itself (autocommit), or a
 * transaction's client wrapped by `inTransaction`, so the same helpers serve both.
 */
export interface SqlRows {
  query<T>(statement: string | Statement, params?: unknown[]): Promise<T[]>;
}

export function inTransaction(client: PoolClient): SqlRows {
  return {
    query: async (statement, params) =>
      (typeof statement === 'string' ? await client.query(statement, params) : await client.query({ ...statement, values: params })).rows,
  };
}
