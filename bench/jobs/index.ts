import type { BenchJob } from '../lib/job';
import { boxNotModified } from './box-not-modified';
import { feedPolls } from './feed-polls';
import { feedRender } from './feed-render';
import { healthLive } from './health-live';
import { registrationRush } from './registration-rush';
import { hotRegistration, idempotentReplay, keyedRegistration, outboxCost } from './registrations';
import { sessionsPage } from './sessions-page';

/** Every job, in the order `npm run bench` runs them. */
export const JOBS: BenchJob[] = [
  sessionsPage,
  hotRegistration,
  keyedRegistration,
  outboxCost,
  idempotentReplay,
  feedRender,
  feedPolls,
  healthLive,
  boxNotModified,
  registrationRush,
];
