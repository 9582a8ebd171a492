import type { Queryable } from '../database/database';
import { hashPassword } from './passwords';

/** Creates the configured admin when no staff user exists yet (the caller serialises instances). */
export async function createInitialAdmin(db: Queryable, admin: { email: string; password: string }): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO staff_users (email, password_hash, role)
     SELECT $1, $2, 'admin' WHERE NOT EXISTS (SELECT 1 FROM staff_users) RETURNING id`,
    [admin.email, await hashPassword(admin.password)],
  );
  return inserted.length > 0;
}
