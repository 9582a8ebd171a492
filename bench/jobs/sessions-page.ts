import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';
import { differingAnswer } from '../lib/same-answer';

const PATH = '/sessions?limit=20';

/** The public listing's first page: a keyset read joined to events, mapped to JSON. */
export const sessionsPage: BenchJob = {
  id: 'sessions-page',
  title: `GET ${PATH}`,
  // Byte for byte the same JSON (links, availability, cursors) on the first two pages.
  differingAnswer: (_ctx, targets) =>
    differingAnswer(targets, PATH, (body) => {
      const cursor = (body as { nextCursor?: string | null }).nextCursor;
      return cursor ? `${PATH}&cursor=${cursor}` : null;
    }),
  measure: (ctx, target, duration) => runLoad(target.url, { path: PATH, expect: [200] }, { connections: ctx.config.connections, duration }),
};
