/** Benchmark settings, from the environment so `npm run bench` needs no arguments. */
export interface BenchConfig {
  /** Seconds per measured run. */
  duration: number;
  /** Seconds of unmeasured warm-up per variant and job. */
  warmup: number;
  rounds: number;
  /** wrk's connections (each has one request in flight) and threads. */
  connections: number;
  threads: number;
  /** Sessions loaded for the fixed-size jobs. */
  sessions: number;
  /** Registrations sent at once by the rush. */
  rush: number;
  /** Only these job ids (all when empty); `scale` selects the scale curve. */
  jobs: string[];
  /** Session counts for the scale curve; empty: no curve. */
  scale: number[];
  /** A database the bench may wipe; unset: a throwaway embedded PostgreSQL. */
  databaseUrl: string | undefined;
  /** SQL run after the migrations (BENCH_SCHEMA_TRIAL): the figures are then a trial schema's. */
  schemaTrial: string | undefined;
}

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
}

export function loadConfig(argv: string[] = process.argv.slice(2)): BenchConfig {
  const jobArgs = argv.filter((a) => !a.startsWith('-'));
  const jobEnv = (process.env.BENCH_JOBS ?? '').split(',').map((s) => s.trim());
  const threads = int('BENCH_THREADS', 1);
  const connections = int('BENCH_CONNECTIONS', 16);
  if (connections < threads) throw new Error(`BENCH_CONNECTIONS (${connections}) must be at least BENCH_THREADS (${threads})`);
  return {
    duration: int('BENCH_DURATION', 5),
    warmup: int('BENCH_WARMUP', 1, 0),
    rounds: int('BENCH_ROUNDS', 5),
    connections,
    threads,
    sessions: int('BENCH_SESSIONS', 2000, 10),
    rush: int('BENCH_RUSH', 3000),
    jobs: [...jobArgs, ...jobEnv].filter((s) => s.length > 0),
    scale: scaleSizes(process.env.BENCH_SCALE),
    databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
    schemaTrial: process.env.BENCH_SCHEMA_TRIAL || undefined,
  };
}

function scaleSizes(raw: string | undefined): number[] {
  if (raw === undefined) return [1_000, 10_000, 100_000, 1_000_000];
  if (raw.trim() === '' || raw.trim() === 'off') return [];
  return raw.split(',').map((part) => {
    const n = Number(part.trim().replace(/k$/i, '000').replace(/m$/i, '000000'));
    if (!Number.isInteger(n) || n < 10) throw new Error(`BENCH_SCALE must list session counts like 1000,10k,1M (got "${part}")`);
    return n;
  });
}
