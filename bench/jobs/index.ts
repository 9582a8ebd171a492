import type { BenchJob } from '../lib/job';
import { calendarFeed } from './calendar-feed';
import { feedNotModified } from './feed-not-modified';
import { healthLive } from './health-live';
import { hotRegistration, keyedRegistration } from './hot-registration';
import { idempotencyRace } from './idempotency-race';
import { idempotentReplay } from './idempotent-replay';
import { registrationRush } from './registration-rush';
import { sessionsPage } from './sessions-page';

/** Every comparison job, in the order `npm run bench` runs them. */
export const JOBS: BenchJob[] = [
  sessionsPage,
  hotRegistration,
  keyedRegistration,
  calendarFeed,
  feedNotModified,
  healthLive,
  idempotentReplay,
  idempotencyRace,
  registrationRush,
];
