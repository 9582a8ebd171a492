import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError } from '../common/errors';
import { toStaffUserView } from './auth.service';
import { CreateStaffUserDto, StaffUserView } from './dto/login.dto';
import { UpdateStaffUserDto } from './dto/staff-user.dto';
import { hashPassword } from './passwords';
import { removesActiveAdmin } from './roles';
import { Role, StaffUserEntity } from './staff-user.entity';

/** Staff user management (the /admin/users routes). */
@Injectable()
export class StaffUsersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async listUsers(): Promise<StaffUserView[]> {
    const users = await this.db.getRepository(StaffUserEntity).find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return users.map(toStaffUserView);
  }

  async createUser(dto: CreateStaffUserDto): Promise<StaffUserView> {
    const repo = this.db.getRepository(StaffUserEntity);
    try {
      const saved = await repo.save(repo.create({ email: dto.email, passwordHash: await hashPassword(dto.password), role: dto.role }));
      return toStaffUserView(saved);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError('A staff user with this email already exists');
      }
      throw error;
    }
  }

  async getUser(id: string): Promise<StaffUserView> {
    const user = await this.db.getRepository(StaffUserEntity).findOneBy({ id });
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
    return this.db.transaction(async (m) => {
      // Locks the user and every active admin, in id order so that two such changes never
      // deadlock. A concurrent change that demoted or disabled one of them has committed by the
      // time its row is locked here, and READ COMMITTED re-checks the WHERE on that newer row,
      // so two admins demoting each other at once cannot both succeed.
      const locked: { id: string; role: Role; disabled: boolean }[] = await m.query(
        `SELECT id, role, disabled_at IS NOT NULL AS disabled FROM staff_users
          WHERE id = $1 OR (role = 'admin' AND disabled_at IS NULL)
          ORDER BY id FOR NO KEY UPDATE`,
        [id],
      );
      const user = locked.find((u) => u.id === id);
      if (!user) throw new NotFoundError('Staff user');
      const activeAdmins = locked.filter((u) => u.role === 'admin' && !u.disabled).length;
      if (removesActiveAdmin(user, change) && activeAdmins <= 1) {
        throw new ConflictError('This is the last active admin: make another admin first');
      }
      await m.query(
        `UPDATE staff_users SET
           role = coalesce($2, role),
           disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END,
           password_hash = coalesce($4, password_hash),
           updated_at = now()
         WHERE id = $1`,
        [id, change.role ?? null, change.disabled ?? null, passwordHash],
      );
      if (change.disabled === true || passwordHash !== null) {
        await m.query(`UPDATE staff_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      }
      return toStaffUserView(await m.getRepository(StaffUserEntity).findOneByOrFail({ id }));
    });
  }
}
