import { type BenchJob, loadVariant } from '../lib/job';
import type { ServerProcess } from '../lib/processes';
import { differingAnswer } from '../lib/same-answer';

const PATH = '/sessions?limit=20';

/** The listing's first page: one keyset query over sessions_starts_at_id_idx, 20 sessions as JSON. */
export const sessionsPage: BenchJob = {
  id: 'sessions-page',
  title: `GET ${PATH}`,
  kind: 'throughput',
  variants: [
    loadVariant({ id: 'service', label: 'service', target: 'service', spec: () => ({ path: PATH, expect: [200] }) }),
    loadVariant({ id: 'baseline', label: 'baseline (same answer)', target: 'baseline', spec: () => ({ path: PATH, expect: [200] }) }),
    loadVariant({
      id: 'raw-page',
      label: 'raw minimal page',
      target: 'baseline',
      check: (_ctx, target) => sameSessions(target),
      spec: () => ({ path: `/raw${PATH}`, expect: [200] }),
    }),
  ],
  ratios: [
    { of: 'service', to: 'baseline', label: 'service / baseline (same answer)', goal: 0.9 },
    { of: 'service', to: 'raw-page', label: 'service / raw minimal page' },
  ],
  // Two pages each, so the cursor is compared too.
  differingAnswer: (_ctx, targets) =>
    differingAnswer(targets, PATH, (body) => {
      const cursor = (body as { nextCursor?: string | null }).nextCursor;
      return cursor ? `${PATH}&cursor=${encodeURIComponent(cursor)}` : null;
    }),
};

/** The minimal page must list the very sessions the same-answer page lists, or it measures other work. */
async function sameSessions(raw: ServerProcess): Promise<string | null> {
  const ids = async (path: string): Promise<string[]> =>
    ((await (await fetch(`${raw.url}${path}`)).json()) as { data: { id: string }[] }).data.map((s) => s.id);
  const [full, minimal] = await Promise.all([ids(PATH), ids(`/raw${PATH}`)]);
  return full.join() === minimal.join() && full.length > 0 ? null : 'the minimal page lists other sessions than the full one';
}
