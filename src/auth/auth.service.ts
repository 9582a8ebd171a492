import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, UnauthorizedError } from '../common/errors';
import { CreateStaffUserDto, LoginResponse, StaffUserView } from './dto/login.dto';
import { hashPassword, verifyPassword } from './passwords';
import { StaffPrincipal } from './roles';
import { StaffTokenEntity } from './staff-token.entity';
import { StaffUserEntity } from './staff-user.entity';
import { hashToken, looksLikeToken, newSecretToken } from './tokens';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export function toStaffUserView(u: StaffUserEntity): StaffUserView {
  return { id: u.id, email: u.email, role: u.role, createdAt: u.createdAt.toISOString() };
}

@Injectable()
export class AuthService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async login(email: string, password: string): Promise<LoginResponse> {
    const user = await this.db
      .getRepository(StaffUserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    if (!(await verifyPassword(user?.passwordHash, password)) || !user) {
      throw new UnauthorizedError('Wrong email or password');
    }
    const { token, hash } = newSecretToken();
    const expiresAt = new Date(Date.now() + TOKEN_LIFETIME_MS);
    await this.db.getRepository(StaffTokenEntity).insert({ userId: user.id, tokenHash: hash, expiresAt });
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user: toStaffUserView(user) };
  }

  async authenticate(token: string): Promise<StaffPrincipal | null> {
    if (!looksLikeToken(token)) return null;
    const tokenHash = hashToken(token);
    const rows: { id: string; email: string; role: StaffPrincipal['role'] }[] = await this.db.query(
      `SELECT u.id, u.email, u.role FROM staff_tokens t JOIN staff_users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
      [tokenHash],
    );
    return rows[0] ? { ...rows[0], tokenHash } : null;
  }

  async logout(staff: StaffPrincipal): Promise<void> {
    await this.db.query(`UPDATE staff_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [staff.tokenHash]);
  }

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
}
