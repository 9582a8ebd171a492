import type { PoolClient } from 'pg';
import { queryConfig, type Statement } from '../database/sql-client';

/**
 * Something that runs one statement and gives its rows: SqlClient itself (autocommit), or a
 * transaction's client wrapped by `inTransaction`, so the same helpers serve both.
 */
export interface SqlRows {
  query<T>(statement: string | Statement, params?: unknown[]): Promise<T[]>;
}

export function inTransaction(client: PoolClient): SqlRows {
  return {
    query: async <T>(statement: string | Statement, params?: unknown[]) => (await client.query(queryConfig(statement, params))).rows as T[],
  };
}
