import type { JobSummary } from './compare';
import type { BenchConfig } from './config';
import type { PostgresCpu } from './cpu';
import type { BenchDatabase } from './database';
import { type LoadSpec, type Measurement, runLoad } from './load';
import type { ServerProcess, TargetName } from './processes';
import type { BenchData } from './seed';

export interface JobContext {
  config: BenchConfig;
  db: BenchDatabase;
  data: BenchData;
  /** Null where PostgreSQL's processes cannot be read (a server on another machine). */
  postgresCpu: PostgresCpu | null;
}

/** One thing measured in a job: a route of one target process, loaded one way. */
export interface Variant {
  id: string;
  /** How the report names it, e.g. "baseline (same answer)". */
  label: string;
  target: TargetName;
  /** Once, before any run: why this variant cannot be measured honestly (e.g. no ETag), or null. */
  check?(ctx: JobContext, target: ServerProcess): Promise<string | null>;
  /** Before every run, warm-up included (e.g. empty the hot session again). */
  beforeRun?(ctx: JobContext, target: ServerProcess): Promise<void>;
  /**
   * The other targets are stopped (SIGSTOP) from after `beforeRun` until after the next run's
   * (so its `beforeRun` may not need them, and can clear what they must not see): the service's
   * mail worker would otherwise deliver, during the run, the outbox rows the baseline writes.
   */
  stopsOthers?: boolean;
  run(ctx: JobContext, target: ServerProcess, duration: number): Promise<Measurement>;
}

/** A claim of the job: `of`'s req/s over `to`'s, paired round by round. */
export interface RatioSpec {
  of: string;
  to: string;
  label: string;
  /** The target for it, if any. */
  goal?: number;
}

/**
 * One comparison: its variants measured alternately for several rounds, and the ratios between
 * them. Add a job by writing one of these in bench/jobs/ and listing it in bench/jobs/index.ts.
 */
export interface BenchJob {
  id: string;
  title: string;
  /** `throughput`: wrk loads. `latency`: one request at a time. `burst`: everything at once, timed to the last answer. */
  kind: 'throughput' | 'latency' | 'burst';
  variants: Variant[];
  ratios: RatioSpec[];
  /** No unmeasured warm-up run (a burst would only leave rows behind). */
  noWarmup?: boolean;
  /** Odd rounds run the previous round's order backwards, so each pair of variants runs in both orders equally often. */
  mirrored?: boolean;
  /** Lines derived from the summary (costs from several variants' CPU and rates), printed after the ratios. */
  notes?(summary: JobSummary): string[];
  /** Once, before any check or round. */
  prepare?(ctx: JobContext): Promise<void>;
  /** Once, before measuring: what differs between the targets' answers (null: the same), so a ratio compares the same work. */
  differingAnswer?(ctx: JobContext, targets: ServerProcess[]): Promise<string | null>;
}

/** A variant that is one wrk load of `spec` on its target. */
export function loadVariant(v: Omit<Variant, 'run'> & { spec: (ctx: JobContext) => LoadSpec }): Variant {
  const { spec, ...rest } = v;
  return {
    ...rest,
    run: (ctx, target, duration) =>
      runLoad(target.url, spec(ctx), { connections: ctx.config.connections, threads: ctx.config.threads, duration }),
  };
}
