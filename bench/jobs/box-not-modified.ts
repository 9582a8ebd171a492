import { type BenchJob, loadVariant, type Variant } from '../lib/job';
import type { ServerProcess } from '../lib/processes';

/** What the Upcoming Events box asks for, on every article page that shows it. */
const ROUTES = [
  { id: 'sessions', path: '/sessions?limit=3' },
  { id: 'events', path: '/events' },
  { id: 'embed', path: '/embed/upcoming' },
];
const etags = new Map<string, string>();

/** Why `path` cannot be polled with If-None-Match (no ETag on its 200, or no 304 for it), or null; remembers the ETag. */
async function notModifiedProblem(target: ServerProcess, id: string, path: string): Promise<string | null> {
  const res = await fetch(`${target.url}${path}`);
  await res.arrayBuffer();
  const etag = res.headers.get('etag');
  if (res.status !== 200) return `GET ${path} answered ${res.status}`;
  if (!etag) return 'no ETag';
  const again = await fetch(`${target.url}${path}`, { headers: { 'if-none-match': etag } });
  await again.arrayBuffer();
  if (again.status !== 304) return `not 304 (If-None-Match answered ${again.status})`;
  etags.set(id, etag);
  return null;
}

function poll(id: string, path: string): Variant {
  return loadVariant({
    id,
    label: `GET ${path}, If-None-Match (304)`,
    target: 'service',
    check: (_ctx, target) => notModifiedProblem(target, id, path),
    // Earlier rounds of other jobs may have changed the data: the ETag is fetched afresh before each run.
    beforeRun: async (_ctx, target) => {
      const problem = await notModifiedProblem(target, id, path);
      if (problem) throw new Error(problem);
    },
    spec: () => ({ path, headers: { 'If-None-Match': etags.get(id) ?? '' }, expect: [304] }),
  });
}

/**
 * The box at news-site scale: polls of its three routes with If-None-Match from a first 200,
 * against the service's own /health/live in the same rounds. A route that sends no ETag, or does
 * not answer 304, is reported invalid rather than measured.
 */
export const boxNotModified: BenchJob = {
  id: 'box-not-modified',
  title: 'the Upcoming Events box polled with If-None-Match, service only',
  kind: 'throughput',
  variants: [
    ...ROUTES.map((r) => poll(r.id, r.path)),
    loadVariant({
      id: 'live',
      label: 'service GET /health/live',
      target: 'service',
      spec: () => ({ path: '/health/live', expect: [200] }),
    }),
  ],
  ratios: ROUTES.map((r) => ({ of: r.id, to: 'live', label: `${r.path} 304 / the service’s /health/live`, goal: 0.9 })),
};
