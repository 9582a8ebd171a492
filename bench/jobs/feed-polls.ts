import { type BenchJob, loadVariant } from '../lib/job';
import type { ServerProcess } from '../lib/processes';

const PATH = '/calendars/all.ics';
let etag = '';

/** The feed's current ETag, and whether a conditional request for it answers 304. */
async function currentEtag(target: ServerProcess): Promise<{ etag: string | null; conditional: number }> {
  const res = await fetch(`${target.url}${PATH}`);
  await res.arrayBuffer();
  const tag = res.headers.get('etag');
  if (!tag) return { etag: null, conditional: 0 };
  const again = await fetch(`${target.url}${PATH}`, { headers: { 'if-none-match': tag } });
  await again.arrayBuffer();
  return { etag: tag, conditional: again.status };
}

/**
 * Calendar programs polling an unchanged feed, served by the service's cache: the body again
 * (200) or If-None-Match with its ETag (304). Reported as polls served per second, not against
 * the baseline (which has no cache and renders every time: feed-render compares renders); the
 * 304 is read against the service's own /health/live, measured in the same rounds.
 */
export const feedPolls: BenchJob = {
  id: 'feed-polls',
  title: `GET ${PATH} polls of an unchanged feed, service only`,
  kind: 'throughput',
  variants: [
    loadVariant({
      id: 'cached-200',
      label: 'polls answered 200 from the cache',
      target: 'service',
      check: async (_ctx, target) => ((await currentEtag(target)).etag ? null : 'no ETag'),
      spec: () => ({ path: PATH, expect: [200] }),
    }),
    loadVariant({
      id: 'not-modified',
      label: 'polls answered 304 (If-None-Match)',
      target: 'service',
      check: async (_ctx, target) => {
        const { etag: tag, conditional } = await currentEtag(target);
        return !tag ? 'no ETag' : conditional !== 304 ? `not 304 (answered ${conditional})` : null;
      },
      beforeRun: async (_ctx, target) => {
        etag = (await currentEtag(target)).etag ?? '';
      },
      spec: () => ({ path: PATH, headers: { 'If-None-Match': etag }, expect: [304] }),
    }),
    loadVariant({
      id: 'live',
      label: 'service GET /health/live',
      target: 'service',
      spec: () => ({ path: '/health/live', expect: [200] }),
    }),
  ],
  ratios: [{ of: 'not-modified', to: 'live', label: '304 polls / the service’s /health/live' }],
};
