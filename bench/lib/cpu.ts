import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/** /proc/<pid>/stat counts in clock ticks; Linux fixes USER_HZ at 100 for user space. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime: children this process has waited for, seconds. */
  reaped: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): state is [0], ppid [1], utime [11].
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      own: (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND,
      reaped: (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far; null where /proc is unreadable. */
export function processCpuSeconds(pid: number): number | null {
  return readStat(pid)?.own ?? null;
}

/** Each process's CPU seconds at one moment; `reaps`: a process that exits is counted whole by its parent's reaped time. */
export interface CpuSnapshot {
  seconds: Map<number, number>;
  reaps: boolean;
}

/**
 * CPU used between two snapshots: processes in both count their growth, processes new in `after`
 * all of theirs. Where exits are reaped, a process gone by `after` came back whole in its parent's
 * reaped time, so what it had already used at `before` is taken off again: else a backend that
 * worked in an earlier run and exits (idle timeout) during this one is charged here in full.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  let total = 0;
  for (const [pid, seconds] of after.seconds) total += seconds - (before.seconds.get(pid) ?? 0);
  if (after.reaps) for (const [pid, seconds] of before.seconds) if (!after.seconds.has(pid)) total -= seconds;
  return total;
}

/**
 * The CPU that PostgreSQL spends for the bench. With the bench's own embedded cluster that is its
 * whole process tree (the postmaster, every backend, the WAL writer, autovacuum...); children that
 * exit count through the postmaster's reaped-children time. With BENCH_DATABASE_URL the server
 * may hold other databases, so only the backends connected to the bench database count. Null
 * when the server's processes are not on this machine.
 */
export class PostgresCpu {
  private constructor(
    private readonly pool: Pool,
    private readonly postmaster: number | null,
  ) {}

  static async attach(pool: Pool, ownCluster: boolean): Promise<PostgresCpu | null> {
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = readStat(rows[0].pid);
    if (!backend) return null;
    return new PostgresCpu(pool, ownCluster ? backend.ppid : null);
  }

  async snapshot(): Promise<CpuSnapshot> {
    const snap: CpuSnapshot = { seconds: new Map(), reaps: this.postmaster !== null };
    if (this.postmaster !== null) {
      const master = readStat(this.postmaster);
      if (master) snap.seconds.set(this.postmaster, master.own + master.reaped);
      for (const pid of childrenOf(this.postmaster)) {
        const child = readStat(pid);
        if (child) snap.seconds.set(pid, child.own);
      }
      return snap;
    }
    const { rows } = await this.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of rows) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== null) snap.seconds.set(pid, seconds);
    }
    return snap;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: every process's parent, the slow way.
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((p) => readStat(p)?.ppid === pid);
  }
}
