import { Pool, type PoolClient, type PoolConfig, type QueryConfig, type QueryResultRow } from 'pg';

/**
 * A statement each connection parses and plans once, then only binds and runs: for the fixed SQL
 * of hot paths, where planning would cost as much as running. Names must be unique per text.
 */
export interface Statement {
  name: string;
  text: string;
}

export function prepared(name: string, text: string): Statement {
  return { name, text };
}

/** Runs one statement and gives its rows: the Database itself (autocommit) or a transaction. */
export interface Queryable {
  query<T>(statement: string | Statement, params?: unknown[]): Promise<T[]>;
}

/** The handle every service's transaction work takes, so one transaction can span features. */
export interface Transaction extends Queryable {
  /** Names tables this transaction changes, for the listeners of Database.onCommit once it commits. */
  touch(...tables: string[]): void;
}

export type CommitListener = (tables: ReadonlySet<string>) => void;

export interface PoolOptions {
  poolSize?: number;
  /** The serving app's bound on any one statement, lock waits included (SQLSTATE 57014, a 503); not for migrations. */
  statementTimeoutMs?: number;
}

/** Connection settings shared by the service's pool and the migration DataSource. */
export function poolConfig(url: string, options: PoolOptions = {}): PoolConfig {
  return {
    connectionString: url,
    max: options.poolSize ?? 20,
    // A refused connection fails at once (503); this bounds waiting for a pool slot or a silent host.
    connectionTimeoutMillis: 8000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    // A host gone silent (no RST) is noticed by TCP keepalive; meanwhile the wait above bounds requests.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10000,
    idleTimeoutMillis: 10000,
    application_name: 'eventline',
  };
}

function queryConfig(statement: string | Statement, params: unknown[] = []): QueryConfig {
  return typeof statement === 'string' ? { text: statement, values: params } : { ...statement, values: params };
}

/** The one way to PostgreSQL: plain SQL on a pool this process owns, and one transaction API. */
export class Database implements Queryable {
  private readonly pool: Pool;
  private readonly commitListeners: CommitListener[] = [];

  constructor(url: string, options: PoolOptions = {}) {
    this.pool = new Pool(poolConfig(url, options));
    // An idle connection that breaks (the server restarted) is dropped by pg; without a listener it would crash the process.
    this.pool.on('error', () => undefined);
  }

  async query<T>(statement: string | Statement, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(queryConfig(statement, params))).rows as T[];
  }

  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    const touched = new Set<string>();
    const result = await this.holding(async (client, broke) => {
      const tx: Transaction = {
        query: async <R>(statement: string | Statement, params?: unknown[]) =>
          (await client.query(queryConfig(statement, params))).rows as R[],
        touch: (...tables) => tables.forEach((t) => touched.add(t)),
      };
      try {
        await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
        const value = await work(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(broke);
        throw error;
      }
    });
    if (touched.size > 0) for (const listener of this.commitListeners) listener(touched);
    return result;
  }

  /** Called after each committed transaction that touched tables. */
  onCommit(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  /**
   * Hands the rows of one query (one snapshot) to `each`, `batchSize` at a time, through a
   * server-side cursor: every FETCH is its own statement, so statement_timeout bounds each batch,
   * not the time the caller spends between them.
   */
  inBatches<T>(text: string, params: unknown[], batchSize: number, each: (rows: T[]) => void): Promise<void> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer: ${batchSize}`);
    return this.transaction(
      async (tx) => {
        await tx.query(`DECLARE batches NO SCROLL CURSOR FOR ${text}`, params);
        for (;;) {
          const rows = await tx.query<T & QueryResultRow>(`FETCH ${batchSize} FROM batches`);
          if (rows.length > 0) each(rows);
          if (rows.length < batchSize) return;
        }
      },
      { readOnly: true },
    );
  }

  /** A connection to hold (to LISTEN); the caller releases it. */
  connect(): Promise<PoolClient> {
    return this.pool.connect();
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Holds one connection for `work`; one that breaks meanwhile is destroyed, not pooled again. */
  private async holding<T>(work: (client: PoolClient, broke: (error: unknown) => void) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: unknown;
    // A connection dying while checked out emits 'error' on the client (a crash without a
    // listener); the failing query rejects as well, so recording it is enough.
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
