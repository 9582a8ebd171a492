import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A statement that each connection parses and plans once, then only binds and runs: for the
 * fixed SQL of hot paths (the registration transaction), where planning would otherwise cost as
 * much as running. Names must be unique per text.
 */
export interface Statement {
  name: string;
  text: string;
}

export function prepared(name: string, text: string): Statement {
  return { name, text };
}

/** What pg runs for a plain SQL string or a prepared Statement, with its parameters. */
export function queryConfig(statement: string | Statement, params: unknown[] = []): QueryConfig {
  return typeof statement === 'string' ? { text: statement, values: params } : { ...statement, values: params };
}

/**
 * Plain SQL on TypeORM's own `pg` pool, for the hot paths (listings, registering, feeds): the
 * same connections and configuration, without a QueryRunner per statement. Entities and the
 * repository API remain for staff CRUD, where clarity beats microseconds.
 */
@Injectable()
export class SqlClient {
  private readonly pool: Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = (dataSource.driver as PostgresDriver).master as Pool;
  }

  async query<T>(statement: string | Statement, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(queryConfig(statement, params))).rows as T[];
  }

  /** A connection of the pool for the caller to hold (e.g. to LISTEN); the caller releases it. */
  connect(): Promise<PoolClient> {
    return this.pool.connect();
  }

  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    return this.holding(async (client, broke) => {
      try {
        await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(broke);
        throw error;
      }
    });
  }

  /**
   * Hands the rows of one query (one snapshot) to `each`, `batchSize` at a time, so a large
   * result is never in memory whole. A server-side cursor in a read-only transaction: every
   * FETCH is a statement of its own, so statement_timeout bounds each batch, not the time the
   * caller spends between them.
   */
  inBatches<T>(text: string, params: unknown[], batchSize: number, each: (rows: T[]) => void): Promise<void> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer: ${batchSize}`);
    return this.transaction(
      async (client) => {
        await client.query({ text: `DECLARE batches NO SCROLL CURSOR FOR ${text}`, values: params });
        for (;;) {
          const { rows } = await client.query<T & QueryResultRow>(`FETCH ${batchSize} FROM batches`);
          if (rows.length > 0) each(rows);
          if (rows.length < batchSize) return;
        }
      },
      { readOnly: true },
    );
  }

  /** Holds one connection for `work`; one that breaks meanwhile is destroyed, not pooled again. */
  private async holding<T>(work: (client: PoolClient, broke: (error: unknown) => void) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: unknown;
    // A connection that dies while checked out emits 'error' on the client: without a listener
    // that would crash the process. The failing query rejects as well, so recording it is enough.
    const broke = (error: unknown): void => {
      broken = error;
    };
    client.on('error', broke);
    try {
      return await work(client, broke);
    } finally {
      client.off('error', broke);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }
}

@Global()
@Module({ providers: [SqlClient], exports: [SqlClient] })
export class SqlModule {}
