import { type BenchJob, loadVariant } from '../lib/job';
import { differingJson } from '../lib/same-answer';

const PATH = '/health/live';

/** The cheapest route, no database: what every request pays for the framework, hooks and logging. */
export const healthLive: BenchJob = {
  id: 'health-live',
  title: `GET ${PATH}`,
  kind: 'throughput',
  variants: [
    loadVariant({ id: 'service', label: 'service', target: 'service', spec: () => ({ path: PATH, expect: [200] }) }),
    loadVariant({ id: 'baseline', label: 'baseline (same answer)', target: 'baseline', spec: () => ({ path: PATH, expect: [200] }) }),
    loadVariant({
      id: 'raw',
      label: 'raw node:http (no routing)',
      target: 'baseline',
      spec: () => ({ path: `/raw${PATH}`, expect: [200] }),
    }),
  ],
  ratios: [
    { of: 'service', to: 'baseline', label: 'service / baseline (same answer)' },
    { of: 'service', to: 'raw', label: 'service / raw node:http', goal: 0.8 },
  ],
  differingAnswer: (_ctx, targets) => differingJson(targets, PATH),
};
