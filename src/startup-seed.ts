import { countStaffUsers, createInitialAdmin } from './auth/initial-admin';
import type { AppConfig } from './config/env.schema';
import type { Database } from './database/database';
import { seedDemo } from './events/demo-seed';

/** What a start found and did, for the lines a person reads at start-up. */
export interface Prepared {
  /** `off`: SEED_DEMO is false; `present`: there were events, so nothing was loaded. */
  demo: 'loaded' | 'present' | 'off';
  /** `unset`: no ADMIN_EMAIL; `ignored`: staff users exist, so it was not created. */
  admin: 'created' | 'ignored' | 'unset';
  staffUsers: number;
}

/** The demo data and the first admin when configured: what prepareDatabase runs on start. */
export function startupSeed(config: Pick<AppConfig, 'seedDemo' | 'admin'>): (db: Database) => Promise<Prepared> {
  return async (db) => {
    const demo = !config.seedDemo ? 'off' : (await seedDemo(db)) ? 'loaded' : 'present';
    const admin = !config.admin ? 'unset' : (await createInitialAdmin(db, config.admin)) ? 'created' : 'ignored';
    return { demo, admin, staffUsers: await countStaffUsers(db) };
  };
}
