import { Database } from '../src/database/database';
import { createTestApp, TestApp } from './support/test-app';

describe('Database.inBatches', () => {
  let t: TestApp;
  let sql: Database;
  beforeAll(async () => {
    t = await createTestApp();
    sql = t.app.get(Database);
  });
  afterAll(() => t.close());

  const numbers = (n: number) => `SELECT g AS n FROM generate_series(1, ${n}) g ORDER BY g`;

  async function batchSizes(text: string, size: number): Promise<{ sizes: number[]; values: number[] }> {
    const sizes: number[] = [];
    const values: number[] = [];
    await sql.inBatches<{ n: number }>(text, [], size, (rows) => {
      sizes.push(rows.length);
      values.push(...rows.map((r) => r.n));
    });
    return { sizes, values };
  }

  it('hands over every row once, in order, a batch at a time', async () => {
    const { sizes, values } = await batchSizes(numbers(1050), 500);
    expect(sizes).toEqual([500, 500, 50]);
    expect(values).toEqual(Array.from({ length: 1050 }, (_, i) => i + 1));
    expect((await batchSizes(numbers(1000), 500)).sizes).toEqual([500, 500]);
    expect((await batchSizes(numbers(0), 500)).sizes).toEqual([]);
  });

  it('binds parameters and reads one snapshot', async () => {
    const seen: string[] = [];
    await sql.inBatches<{ v: string }>(`SELECT $1::text || g AS v FROM generate_series(1, 3) g`, ['x'], 2, (rows) => {
      seen.push(...rows.map((r) => r.v));
    });
    expect(seen).toEqual(['x1', 'x2', 'x3']);
  });

  it('rejects with the database error raised mid-way, and the pool stays usable', async () => {
    const failing = `SELECT g / (g - 700) AS n FROM generate_series(1, 1000) g`;
    const handed: number[] = [];
    await expect(sql.inBatches<{ n: number }>(failing, [], 500, (rows) => handed.push(rows.length))).rejects.toMatchObject({
      code: '22012',
    });
    expect(handed).toEqual([500]);
    await expectPoolHealthy();
  });

  it('rolls back when the caller throws, and the connection serves the next query', async () => {
    const failure = new Error('writer failed');
    await expect(
      sql.inBatches(numbers(2000), [], 100, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expectPoolHealthy();
  });

  it('bounds each batch by statement_timeout, not the time the caller takes between batches', async () => {
    const boundedSql = new Database(t.databaseUrl, { statementTimeoutMs: 300, poolSize: 2 });
    try {
      await expect(boundedSql.query('SELECT pg_sleep(0.6)')).rejects.toMatchObject({ code: '57014' });
      let batches = 0;
      const started = Date.now();
      await boundedSql.inBatches(numbers(40), [], 10, () => {
        batches++;
        const until = Date.now() + 150; // a slow writer: 600 ms in all, twice the bound
        while (Date.now() < until);
      });
      expect(batches).toBe(4);
      expect(Date.now() - started).toBeGreaterThan(600);
    } finally {
      await boundedSql.close();
    }
  });

  /** Every pooled connection answers a plain query (none is left inside an unfinished statement). */
  async function expectPoolHealthy(): Promise<void> {
    const answers = await Promise.all(Array.from({ length: 12 }, () => sql.query<{ one: number }>('SELECT 1 AS one')));
    expect(answers.map(([row]) => row.one)).toEqual(Array(12).fill(1));
    const [{ busy }] = await sql.query<{ busy: number }>(
      `SELECT count(*)::int AS busy FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')`,
    );
    expect(busy).toBe(0);
  }
});

describe('Database.transaction', () => {
  let t: TestApp;
  let db: Database;
  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(Database);
  });
  afterAll(() => t.close());

  it('commits every statement of the work together, or none when it throws; onCommit hears commits only', async () => {
    const heard: string[][] = [];
    db.onCommit((tables) => heard.push([...tables].sort()));
    await db.query(`CREATE TABLE tx_probe (n int)`);
    await expect(
      db.transaction(async (tx) => {
        tx.touch('tx_probe');
        await tx.query(`INSERT INTO tx_probe VALUES (1)`);
        await tx.query(`INSERT INTO tx_probe VALUES ($1)`, [2]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.query(`SELECT n FROM tx_probe`)).toEqual([]);
    expect(heard).toEqual([]);
    await db.transaction(async (tx) => {
      tx.touch('tx_probe', 'events');
      await tx.query(`INSERT INTO tx_probe VALUES (1), (2)`);
      // Not visible outside before COMMIT.
      expect(await db.query(`SELECT n FROM tx_probe`)).toEqual([]);
    });
    expect(await db.query(`SELECT n FROM tx_probe ORDER BY n`)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(heard).toEqual([['events', 'tx_probe']]);
    await db.transaction((tx) => tx.query(`SELECT 1`));
    expect(heard).toHaveLength(1);
  });

  it('bounds service statements at 8 s (statement_timeout), as the pool is configured', async () => {
    expect(await db.query(`SHOW statement_timeout`)).toEqual([{ statement_timeout: '8s' }]);
  });
});
