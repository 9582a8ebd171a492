import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { freePort } from './ports';
import { REPO_ROOT } from './processes';

const MIGRATIONS_DIR = join(REPO_ROOT, 'migrations');

export interface BenchDatabase {
  url: string;
  pool: Pool;
  /** Closes the pool and, for the embedded server, stops it and deletes its files. */
  close(): Promise<void>;
}

/** The service's own embedded PostgreSQL start (from its build, which `npm run bench` makes first). */
interface EmbeddedDatabaseModule {
  startEmbeddedDatabase(
    this: void,
    options: { dataDir: string; port: number; database?: string; postgresFlags?: string[] },
  ): Promise<{
    url: string;
    clusterDir: string;
    stop(): Promise<void>;
  }>;
}

const DATABASE = 'eventline_bench';

/**
 * The bench's database with the project's schema, empty. With `url` (BENCH_DATABASE_URL) that
 * database's public schema is dropped and recreated; otherwise a throwaway embedded PostgreSQL.
 * `schemaTrial` (BENCH_SCHEMA_TRIAL) is SQL run after the migrations, to price a schema change
 * before writing its migration.
 */
export async function startBenchDatabase(url: string | undefined, schemaTrial?: string): Promise<BenchDatabase> {
  const server = url ? { url, stop: async () => undefined } : await startEmbedded();
  const pool = new Pool({ connectionString: server.url, max: 4 });
  // An idle connection that the server drops (it stops at the end of the run) is no reason to crash.
  pool.on('error', (err) => console.error(`bench database connection lost: ${err.message}`));
  try {
    if (url) await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await runMigrations(server.url);
    if (schemaTrial) await pool.query(schemaTrial);
  } catch (err) {
    await pool.end();
    await server.stop();
    throw err;
  }
  return {
    url: server.url,
    pool,
    close: async () => {
      await pool.end();
      await server.stop();
    },
  };
}

async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  // The same start as the service's (any user, root included), so the bench runs wherever it does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startEmbeddedDatabase } = require(join(REPO_ROOT, 'dist', 'src', 'database', 'embedded-database')) as EmbeddedDatabaseModule;
  const dir = mkdtempSync(join(tmpdir(), 'eventline-bench-'));
  try {
    const pg = await startEmbeddedDatabase({
      dataDir: dir,
      port: await freePort(),
      database: DATABASE,
      postgresFlags: ['-c', 'shared_buffers=256MB'],
    });
    return {
      url: pg.url,
      stop: async () => {
        await pg.stop();
        // Under root the cluster may live outside `dir` (where the postgres user can reach it).
        rmSync(pg.clusterDir, { recursive: true, force: true });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Applies the project's migrations through TypeORM, with the service's migrations table, so the
 * service finds nothing left to run. They are transpiled from migrations/*.ts on the spot, so the
 * bench needs no service build.
 */
async function runMigrations(url: string): Promise<void> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: transpileMigrations(),
    migrationsTableName: 'migrations',
    logging: ['error'],
  });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    if (applied.length === 0) throw new Error(`No migrations found in ${MIGRATIONS_DIR}`);
  } finally {
    await dataSource.destroy();
  }
}

/** Writes each migrations/*.ts as CommonJS into bench/dist/migrations; returns the files for TypeORM. */
function transpileMigrations(): string[] {
  const outDir = join(__dirname, '..', 'migrations');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => {
      const { outputText } = transpileModule(readFileSync(join(MIGRATIONS_DIR, f), 'utf8'), {
        compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true },
        fileName: f,
      });
      const out = join(outDir, f.replace(/\.ts$/, '.js'));
      writeFileSync(out, outputText);
      return out;
    });
}
