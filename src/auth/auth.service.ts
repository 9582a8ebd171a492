import { Injectable } from '@nestjs/common';
import { UnauthorizedError, ValidationError } from '../common/errors';
import { Database } from '../database/database';
import {
  AUTHENTICATE_SQL,
  ISSUE_TOKEN_SQL,
  LOCK_PASSWORD_SQL,
  REVOKE_OTHER_TOKENS_SQL,
  REVOKE_TOKEN_SQL,
  SET_PASSWORD_SQL,
  USER_WITH_HASH_BY_EMAIL_SQL,
  USER_WITH_HASH_BY_ID_SQL,
} from './auth.queries';
import { LoginResponse } from './dto/login.dto';
import { hashPassword, verifyPassword } from './passwords';
import { StaffPrincipal } from './roles';
import { StaffUserRow, toStaffUserView } from './rows';
import { hashToken, looksLikeToken, newSecretToken } from './tokens';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

@Injectable()
export class AuthService {
  constructor(private readonly db: Database) {}

  async login(email: string, password: string): Promise<LoginResponse> {
    const [user] = await this.db.query<StaffUserRow & { password_hash: string }>(USER_WITH_HASH_BY_EMAIL_SQL, [email]);
    if (!(await verifyPassword(user?.password_hash, password)) || !user) {
      throw new UnauthorizedError('Wrong email or password');
    }
    const { token, hash } = newSecretToken();
    const expiresAt = new Date(Date.now() + TOKEN_LIFETIME_MS);
    // A login racing a password reset must not keep a token the reset meant to revoke; a disabled
    // account gets the same answer as a wrong password, after the same work.
    const issued = await this.db.query(ISSUE_TOKEN_SQL, [user.id, hash, expiresAt, user.password_hash]);
    if (issued.length === 0) throw new UnauthorizedError('Wrong email or password');
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user: toStaffUserView(user) };
  }

  async authenticate(token: string): Promise<StaffPrincipal | null> {
    if (!looksLikeToken(token)) return null;
    const tokenHash = hashToken(token);
    const rows = await this.db.query<{ id: string; email: string; role: StaffPrincipal['role'] }>(AUTHENTICATE_SQL, [tokenHash]);
    return rows[0] ? { ...rows[0], tokenHash } : null;
  }

  async logout(staff: StaffPrincipal): Promise<void> {
    await this.db.query(REVOKE_TOKEN_SQL, [staff.tokenHash]);
  }

  /**
   * Changes the signed-in user's own password and revokes the user's other tokens; the one used
   * stays valid. A wrong current password is a 400 on `currentPassword`: the token is valid, so
   * 401 (which tells a client to sign in again) would mislead.
   */
  async changePassword(staff: StaffPrincipal, currentPassword: string, newPassword: string): Promise<void> {
    const [user] = await this.db.query<{ password_hash: string }>(USER_WITH_HASH_BY_ID_SQL, [staff.id]);
    if (!user) throw new UnauthorizedError();
    if (!(await verifyPassword(user.password_hash, currentPassword))) throw wrongCurrentPassword();
    const newHash = await hashPassword(newPassword);
    await this.db.transaction(async (tx) => {
      const [now] = await tx.query<{ password_hash: string; disabled: boolean }>(LOCK_PASSWORD_SQL, [staff.id]);
      if (!now || now.disabled) throw new UnauthorizedError('The bearer token is invalid, expired or revoked');
      // Changed by someone else while the hashes were computed: the one given is no longer current.
      if (now.password_hash !== user.password_hash) throw wrongCurrentPassword();
      await tx.query(SET_PASSWORD_SQL, [staff.id, newHash]);
      await tx.query(REVOKE_OTHER_TOKENS_SQL, [staff.id, staff.tokenHash]);
    });
  }
}

function wrongCurrentPassword(): ValidationError {
  return new ValidationError('The current password is wrong', [
    { field: 'currentPassword', message: 'currentPassword is not your current password' },
  ]);
}
