import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../common/startup-error';
import type { Account, PostgresBinaries } from './embedded-location';

/** A postmaster this process started. */
export interface PostgresServer {
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

/** Runs initdb: superuser `postgres` with `password`, SCRAM for every connection. */
export async function initCluster(binaries: PostgresBinaries, clusterDir: string, password: string, account?: Account): Promise<void> {
  // initdb reads the password from a file: one only the account running it can read, gone at once.
  const dir = mkdtempSync(join(tmpdir(), 'eventline-initdb-'));
  try {
    const file = join(dir, 'password');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    if (account) for (const path of [dir, file]) chownSync(path, account.uid, account.gid);
    const args = ['-D', clusterDir, '--username=postgres', `--pwfile=${file}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(binaries.initdb, [...args, '--lc-messages=C'], { ...account, stdio: ['ignore', 'ignore', 'pipe'] });
      const stderr = collect(child.stderr);
      child.once('error', (error) => reject(new StartupError(`Cannot run ${binaries.initdb}: ${error.message}`)));
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new StartupError(`initdb failed for ${clusterDir}: ${lastProblem(stderr())}`)),
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts the postmaster on 127.0.0.1:`port` and resolves once it accepts connections. */
export async function startPostgres(options: {
  dataDir: string;
  binaries: PostgresBinaries;
  clusterDir: string;
  port: number;
  flags: string[];
  account?: Account;
}): Promise<PostgresServer> {
  const { binaries, clusterDir, port, account } = options;
  const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'lc_messages=C', ...options.flags];
  // A process group of its own: Ctrl-C or a group-wide SIGTERM reaches the service, which drains
  // its requests and stops PostgreSQL last, not PostgreSQL mid-request.
  const child = spawn(binaries.postgres, args, { ...account, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collect(child.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new StartupError(`Cannot run ${binaries.postgres}: ${error.message}`)));
    void exited.then(() => reject(startFailure(options.dataDir, clusterDir, stderr())));
  });
  try {
    await Promise.race([failed, untilReady(clusterDir, child.pid ?? -1)]);
  } catch (error) {
    child.kill('SIGINT');
    throw error;
  }
  // PostgreSQL must not outlive the service: exit handlers run on process.exit() and on a crash.
  const onExit = (): void => void child.kill('SIGINT');
  process.on('exit', onExit);
  return {
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    },
  };
}

/** postmaster.pid's eighth line turns to `ready` once connections are accepted (what pg_ctl waits for). */
async function untilReady(clusterDir: string, pid: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const lines = readPidFile(clusterDir);
    if (lines?.[0] === String(pid) && lines[7]?.trim() === 'ready') return;
    if (Date.now() > deadline) throw new StartupError(`PostgreSQL in ${clusterDir} was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startFailure(dataDir: string, clusterDir: string, stderr: string): StartupError {
  if (/lock file "postmaster\.pid" already exists/.test(stderr)) return inUse(dataDir);
  return new StartupError(`PostgreSQL in ${clusterDir} stopped while starting: ${lastProblem(stderr)}`);
}

function inUse(dataDir: string, owner?: number): StartupError {
  const who = owner === undefined ? 'another process' : `another Eventline process (pid ${owner})`;
  return new StartupError(`The data folder ${dataDir} is in use by ${who}: stop it, or give this one its own DATA_DIR`);
}

/**
 * Before a start: a postmaster still running on this cluster belongs to a live Eventline process
 * (its parent, recorded in `ownerFile`), which is an error, or was left behind by one that
 * crashed, which is stopped. Returns the pid of a stopped orphan.
 */
export async function stopOrphan(dataDir: string, clusterDir: string, ownerFile: string): Promise<number | undefined> {
  const pid = Number(readPidFile(clusterDir)?.[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const command = commandLine(pid);
  if (command === undefined) throw inUse(dataDir);
  if (!command.includes(clusterDir)) {
    // The pid was reused by an unrelated process (after a reboot): PostgreSQL would refuse to start.
    unlinkSync(join(clusterDir, 'postmaster.pid'));
    return undefined;
  }
  const owner = Number(readText(ownerFile));
  const parent = parentPid(pid);
  if (owner > 0 && owner !== process.pid && alive(owner) && (parent === undefined || parent === owner)) throw inUse(dataDir, owner);
  // A fast shutdown, then an immediate one if that hangs.
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    process.kill(pid, signal);
    for (const deadline = Date.now() + waitMs; Date.now() < deadline && alive(pid);) await new Promise((r) => setTimeout(r, 50));
    if (!alive(pid)) return pid;
  }
  throw new StartupError(`The PostgreSQL a crashed run left on ${clusterDir} (pid ${pid}) does not stop`);
}

function readPidFile(clusterDir: string): string[] | undefined {
  return readText(join(clusterDir, 'postmaster.pid'))?.split('\n');
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** From /proc where there is one, else from ps (macOS); `undefined` when neither answers. */
function commandLine(pid: number): string | undefined {
  return readText(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ') ?? ps(pid, 'command=');
}

function parentPid(pid: number): number | undefined {
  // /proc/<pid>/stat: "pid (comm) state ppid …", where comm may itself hold spaces and parentheses.
  const stat = readText(`/proc/${pid}/stat`);
  const parent = stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] : ps(pid, 'ppid=');
  return parent === undefined ? undefined : Number(parent);
}

function ps(pid: number, format: string): string | undefined {
  try {
    return execFileSync('ps', ['-o', format, '-p', String(pid)], { stdio: 'pipe' })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Keeps the last few kB a child wrote, for the one line that explains a failure. */
function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-8192)));
  return () => text;
}

/** The last FATAL/PANIC/ERROR line (else the last line), without PostgreSQL's timestamp prefix. */
function lastProblem(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.findLast((l) => /\b(FATAL|PANIC|ERROR|error):/.test(l)) ?? lines.at(-1) ?? 'no output';
  return line.replace(/^.*?\b(FATAL|PANIC|ERROR):\s+/, '$1: ').replace(/\s+/g, ' ');
}
