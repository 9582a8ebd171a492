import { type BenchJob, loadVariant } from '../lib/job';
import type { ServerProcess } from '../lib/processes';
import { differingAnswer } from '../lib/same-answer';

const PATH = '/sessions?limit=20';

/**
 * `PATH` from this second on: the listing's first page as at the run's start. With `{i}` in it
 * (nine digits below the millisecond, which the instant keeps only to the millisecond) each
 * request's URL is new, so the service's answer cache misses every time and queries, as the
 * baseline does; the answer is that of `PATH` but for sessions starting in the run's seconds.
 */
function fromThisSecond(fraction: string): string {
  return `${PATH}&from=${new Date().toISOString().slice(0, 19)}.${fraction}Z`;
}

/** The listing's first page: one keyset query over sessions_starts_at_id_idx, 20 sessions as JSON. */
export const sessionsPage: BenchJob = {
  id: 'sessions-page',
  title: `GET ${PATH}&from=<a new instant each request> (every request a cache miss)`,
  kind: 'throughput',
  variants: [
    loadVariant({
      id: 'service',
      label: 'service',
      target: 'service',
      spec: () => ({ path: PATH, pathTemplate: fromThisSecond('{i}'), expect: [200] }),
    }),
    loadVariant({
      id: 'baseline',
      label: 'baseline (same answer)',
      target: 'baseline',
      spec: () => ({ path: PATH, pathTemplate: fromThisSecond('{i}'), expect: [200] }),
    }),
    loadVariant({
      id: 'raw-page',
      label: 'raw minimal page',
      target: 'baseline',
      check: (_ctx, target) => sameSessions(target),
      spec: () => ({ path: `/raw${PATH}`, expect: [200] }),
    }),
    loadVariant({
      id: 'service-cached',
      label: `service, ${PATH} again and again (cached)`,
      target: 'service',
      spec: () => ({ path: PATH, expect: [200] }),
    }),
  ],
  ratios: [
    { of: 'service', to: 'baseline', label: 'service / baseline (same answer, every request a cache miss)', goal: 0.9 },
    { of: 'service', to: 'raw-page', label: 'service / raw minimal page' },
    { of: 'service-cached', to: 'service', label: 'service cached / uncached (the answer cache)' },
  ],
  // Two pages each, so the cursor is compared too; with `from`, as measured.
  differingAnswer: (_ctx, targets) => {
    const first = fromThisSecond('000000000');
    return differingAnswer(targets, first, (body) => {
      const cursor = (body as { nextCursor?: string | null }).nextCursor;
      return cursor ? `${first}&cursor=${encodeURIComponent(cursor)}` : null;
    });
  },
};

/** The minimal page must list the very sessions the same-answer page lists, or it measures other work. */
async function sameSessions(raw: ServerProcess): Promise<string | null> {
  const ids = async (path: string): Promise<string[]> =>
    ((await (await fetch(`${raw.url}${path}`)).json()) as { data: { id: string }[] }).data.map((s) => s.id);
  const [full, minimal] = await Promise.all([ids(PATH), ids(`/raw${PATH}`)]);
  return full.join() === minimal.join() && full.length > 0 ? null : 'the minimal page lists other sessions than the full one';
}
