import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError } from '../common/errors';
import { Database } from '../database/database';
import {
  INSERT_USER_SQL,
  LIST_USERS_SQL,
  LOCK_USER_AND_ADMINS_SQL,
  REVOKE_USER_TOKENS_SQL,
  UPDATE_USER_SQL,
  USER_BY_ID_SQL,
} from './auth.queries';
import { CreateStaffUserDto, StaffUserView } from './dto/login.dto';
import { UpdateStaffUserDto } from './dto/staff-user.dto';
import { hashPassword } from './passwords';
import { removesActiveAdmin } from './roles';
import { StaffUserRow, toStaffUserView } from './rows';
import type { Role } from './staff-user.entity';

/** Staff user management (the /admin/users routes). */
@Injectable()
export class StaffUsersService {
  constructor(private readonly db: Database) {}

  async listUsers(): Promise<StaffUserView[]> {
    return (await this.db.query<StaffUserRow>(LIST_USERS_SQL)).map(toStaffUserView);
  }

  async createUser(dto: CreateStaffUserDto): Promise<StaffUserView> {
    const passwordHash = await hashPassword(dto.password);
    try {
      const [saved] = await this.db.query<StaffUserRow>(INSERT_USER_SQL, [dto.email, passwordHash, dto.role]);
      return toStaffUserView(saved);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError('A staff user with this email already exists');
      }
      throw error;
    }
  }

  async getUser(id: string): Promise<StaffUserView> {
    const [user] = await this.db.query<StaffUserRow>(USER_BY_ID_SQL, [id]);
    if (!user) throw new NotFoundError('Staff user');
    return toStaffUserView(user);
  }

  /**
   * Changes role, disabled and password in one transaction. Disabling or a new password revokes
   * every token of the user. The last active admin can be neither disabled nor demoted.
   */
  async updateUser(id: string, change: UpdateStaffUserDto): Promise<StaffUserView> {
    // Hashed before the transaction: argon2 takes tens of milliseconds, too long to hold locks.
    const passwordHash = change.password === undefined ? null : await hashPassword(change.password);
    return this.db.transaction(async (tx) => {
      const locked = await tx.query<{ id: string; role: Role; disabled: boolean }>(LOCK_USER_AND_ADMINS_SQL, [id]);
      const user = locked.find((u) => u.id === id);
      if (!user) throw new NotFoundError('Staff user');
      const activeAdmins = locked.filter((u) => u.role === 'admin' && !u.disabled).length;
      if (removesActiveAdmin(user, change) && activeAdmins <= 1) {
        throw new ConflictError('This is the last active admin: make another admin first');
      }
      const [updated] = await tx.query<StaffUserRow>(UPDATE_USER_SQL, [id, change.role ?? null, change.disabled ?? null, passwordHash]);
      if (change.disabled === true || passwordHash !== null) await tx.query(REVOKE_USER_TOKENS_SQL, [id]);
      return toStaffUserView(updated);
    });
  }
}
