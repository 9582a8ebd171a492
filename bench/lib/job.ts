import type { BenchConfig } from './config';
import type { BenchDatabase } from './database';
import type { Measurement } from './load';
import type { ServerProcess } from './processes';
import type { BenchData } from './seed';

export interface JobContext {
  config: BenchConfig;
  db: BenchDatabase;
  data: BenchData;
}

/**
 * One comparison: the same work measured against each target, alternating, for several rounds.
 * Add a job by writing one of these in bench/jobs/ and listing it in bench/jobs/index.ts.
 */
export interface BenchJob {
  id: string;
  title: string;
  /** Once, before any round (e.g. create the job's own rows). */
  prepare?(ctx: JobContext): Promise<void>;
  /** Before every run, warm-up included, on either target (e.g. empty the hot session again). */
  beforeRun?(ctx: JobContext, target: ServerProcess): Promise<void>;
  measure(ctx: JobContext, target: ServerProcess, duration: number): Promise<Measurement>;
  /** Once, before measuring: what differs between the targets' answers (null: the same), so a ratio compares the same work. */
  differingAnswer?(ctx: JobContext, targets: ServerProcess[]): Promise<string | null>;
}
