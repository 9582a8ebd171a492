import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDirFor, postgresBinaries, reachableBy } from './embedded-location';

// Another account than the one running the tests: it gets only the "others" permission bits.
const stranger = { uid: 54_321, gid: 54_321 };

describe('where root keeps what the postgres account must reach', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'eventline-location-'));
    chmodSync(root, 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function folder(path: string, mode: number): string {
    const dir = join(root, path);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, mode);
    return dir;
  }

  it('reachableBy needs the search bit on every folder from / down', () => {
    const open = folder('open/inner', 0o711);
    expect(reachableBy(open, stranger)).toBe(true);
    chmodSync(join(root, 'open'), 0o700);
    expect(reachableBy(open, stranger)).toBe(false);
    chmodSync(join(root, 'open'), 0o755);
    chmodSync(open, 0o750);
    expect(reachableBy(open, stranger)).toBe(false);
  });

  it('uses the binaries in place when reachable, else a copy made once per version', () => {
    const pkg = folder('pkg', 0o755);
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ version: '17.9.0-test' }));
    mkdirSync(join(pkg, 'native', 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'native', 'bin', 'postgres'), 'binary', { mode: 0o755 });
    const native = join(pkg, 'native');
    const base = join(root, 'base');
    expect(postgresBinaries(undefined, native, base).postgres).toBe(join(native, 'bin', 'postgres'));
    expect(postgresBinaries(stranger, native, base).postgres).toBe(join(native, 'bin', 'postgres'));

    chmodSync(pkg, 0o700);
    const copied = postgresBinaries(stranger, native, base);
    expect(copied.postgres).toBe(join(base, `postgresql-17.9.0-test-${process.platform}-${process.arch}`, 'bin', 'postgres'));
    expect(readFileSync(copied.postgres, 'utf8')).toBe('binary');
    expect(lstatSync(copied.postgres).mode & 0o777).toBe(0o755);
    expect(reachableBy(copied.postgres, stranger)).toBe(true);
    expect(postgresBinaries(stranger, native, base)).toEqual(copied);
  });

  it('keeps the cluster in the data folder unless root would run PostgreSQL where it cannot reach', () => {
    const base = join(root, 'base');
    const dataDir = folder('project/.data', 0o700);
    expect(clusterDirFor(dataDir, undefined, true, base)).toBe(join(dataDir, 'postgres'));
    expect(clusterDirFor(dataDir, stranger, true, base)).toBe(join(dataDir, 'postgres'));
    expect(lstatSync(dataDir).mode & 0o011).toBe(0o011);

    chmodSync(join(root, 'project'), 0o700);
    const relocated = clusterDirFor(dataDir, stranger, true, base);
    expect(relocated.startsWith(join(base, 'clusters', 'project-'))).toBe(true);
    expect(readlinkSync(join(dataDir, 'postgres'))).toBe(relocated);
    mkdirSync(relocated);
    // Later starts follow the link, whatever the permissions are by then.
    chmodSync(join(root, 'project'), 0o755);
    expect(clusterDirFor(dataDir, stranger, false, base)).toBe(relocated);
  });
});
