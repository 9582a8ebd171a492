import type { Queryable } from '../database/database';
import { COUNT_USERS_SQL, INSERT_FIRST_ADMIN_SQL } from './auth.queries';
import { hashPassword } from './passwords';

/** Creates the configured admin when no staff user exists yet (the caller serialises instances). */
export async function createInitialAdmin(db: Queryable, admin: { email: string; password: string }): Promise<boolean> {
  const inserted = await db.query(INSERT_FIRST_ADMIN_SQL, [admin.email, await hashPassword(admin.password)]);
  return inserted.length > 0;
}

export async function countStaffUsers(db: Queryable): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(COUNT_USERS_SQL);
  return n;
}
