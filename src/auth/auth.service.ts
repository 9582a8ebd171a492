import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UnauthorizedError, ValidationError } from '../common/errors';
import { LoginResponse, StaffUserView } from './dto/login.dto';
import { hashPassword, verifyPassword } from './passwords';
import { StaffPrincipal } from './roles';
import { StaffUserEntity } from './staff-user.entity';
import { hashToken, looksLikeToken, newSecretToken } from './tokens';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export function toStaffUserView(u: StaffUserEntity): StaffUserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    disabled: u.disabledAt !== null,
    disabledAt: u.disabledAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
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
    // Issued only while the password just verified is still the user's and the account enabled.
    // FOR SHARE waits for a password change or disabling under way, then re-checks against its
    // result: otherwise a login racing a reset could keep a token the reset meant to revoke. A
    // disabled account gets the same answer as a wrong password, after the same work.
    const issued: unknown[] = await this.db.query(
      `INSERT INTO staff_tokens (user_id, token_hash, expires_at)
       SELECT id, $2, $3 FROM staff_users WHERE id = $1 AND password_hash = $4 AND disabled_at IS NULL FOR SHARE
       RETURNING id`,
      [user.id, hash, expiresAt, user.passwordHash],
    );
    if (issued.length === 0) throw new UnauthorizedError('Wrong email or password');
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user: toStaffUserView(user) };
  }

  async authenticate(token: string): Promise<StaffPrincipal | null> {
    if (!looksLikeToken(token)) return null;
    const tokenHash = hashToken(token);
    // Disabling revokes the user's tokens; the disabled_at check also covers a login racing it.
    const rows: { id: string; email: string; role: StaffPrincipal['role'] }[] = await this.db.query(
      `SELECT u.id, u.email, u.role FROM staff_tokens t JOIN staff_users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL`,
      [tokenHash],
    );
    return rows[0] ? { ...rows[0], tokenHash } : null;
  }

  async logout(staff: StaffPrincipal): Promise<void> {
    await this.db.query(`UPDATE staff_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [staff.tokenHash]);
  }

  /**
   * Changes the signed-in user's own password and revokes the user's other tokens; the one used
   * stays valid. A wrong current password is a 400 on `currentPassword`: the token is valid, so
   * 401 (which tells a client to sign in again) would mislead.
   */
  async changePassword(staff: StaffPrincipal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.db
      .getRepository(StaffUserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id', { id: staff.id })
      .getOne();
    if (!user) throw new UnauthorizedError();
    if (!(await verifyPassword(user.passwordHash, currentPassword))) throw wrongCurrentPassword();
    const newHash = await hashPassword(newPassword);
    await this.db.transaction(async (m) => {
      const [now]: { password_hash: string; disabled: boolean }[] = await m.query(
        `SELECT password_hash, disabled_at IS NOT NULL AS disabled FROM staff_users WHERE id = $1 FOR NO KEY UPDATE`,
        [staff.id],
      );
      if (!now || now.disabled) throw new UnauthorizedError('The bearer token is invalid, expired or revoked');
      // Changed by someone else while the hashes were computed: the one given is no longer current.
      if (now.password_hash !== user.passwordHash) throw wrongCurrentPassword();
      await m.query(`UPDATE staff_users SET password_hash = $2, updated_at = now() WHERE id = $1`, [staff.id, newHash]);
      await m.query(`UPDATE staff_tokens SET revoked_at = now() WHERE user_id = $1 AND token_hash <> $2 AND revoked_at IS NULL`, [
        staff.id,
        staff.tokenHash,
      ]);
    });
  }
}

function wrongCurrentPassword(): ValidationError {
  return new ValidationError('The current password is wrong', [
    { field: 'currentPassword', message: 'currentPassword is not your current password' },
  ]);
}
