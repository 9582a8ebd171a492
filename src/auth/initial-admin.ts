import { DataSource } from 'typeorm';
import { hashPassword } from './passwords';
import { StaffUserEntity } from './staff-user.entity';

/** Creates the configured admin when no staff user exists yet. */
export async function createInitialAdmin(dataSource: DataSource, admin: { email: string; password: string }): Promise<boolean> {
  const users = dataSource.getRepository(StaffUserEntity);
  if ((await users.count()) > 0) return false;
  await users.insert({ email: admin.email, passwordHash: await hashPassword(admin.password), role: 'admin' });
  return true;
}
