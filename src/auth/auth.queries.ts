/** Every statement of staff users and tokens, in one place; rows become views in rows.ts. */

const STAFF_USER_COLUMNS = 'id, email, role, disabled_at, created_at';

export const USER_WITH_HASH_BY_EMAIL_SQL = `SELECT ${STAFF_USER_COLUMNS}, password_hash FROM staff_users WHERE lower(email) = lower($1)`;
export const USER_WITH_HASH_BY_ID_SQL = `SELECT ${STAFF_USER_COLUMNS}, password_hash FROM staff_users WHERE id = $1`;

// Issued only while the password just verified is still the user's and the account enabled.
// FOR SHARE waits for a password change or disabling under way, then re-checks against its result.
export const ISSUE_TOKEN_SQL = `
  INSERT INTO staff_tokens (user_id, token_hash, expires_at)
  SELECT id, $2, $3 FROM staff_users WHERE id = $1 AND password_hash = $4 AND disabled_at IS NULL FOR SHARE
  RETURNING id`;

// Disabling revokes the user's tokens; the disabled_at check also covers a login racing it.
export const AUTHENTICATE_SQL = `
  SELECT u.id, u.email, u.role FROM staff_tokens t JOIN staff_users u ON u.id = t.user_id
   WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL`;

export const REVOKE_TOKEN_SQL = `UPDATE staff_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`;
export const REVOKE_USER_TOKENS_SQL = `UPDATE staff_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`;
export const REVOKE_OTHER_TOKENS_SQL = `
  UPDATE staff_tokens SET revoked_at = now() WHERE user_id = $1 AND token_hash <> $2 AND revoked_at IS NULL`;

export const LOCK_PASSWORD_SQL = `
  SELECT password_hash, disabled_at IS NOT NULL AS disabled FROM staff_users WHERE id = $1 FOR NO KEY UPDATE`;
export const SET_PASSWORD_SQL = `UPDATE staff_users SET password_hash = $2, updated_at = now() WHERE id = $1`;

export const COUNT_USERS_SQL = `SELECT count(*)::int AS n FROM staff_users`;
export const INSERT_FIRST_ADMIN_SQL = `
  INSERT INTO staff_users (email, password_hash, role)
  SELECT $1, $2, 'admin' WHERE NOT EXISTS (SELECT 1 FROM staff_users) RETURNING id`;
export const LIST_USERS_SQL = `SELECT ${STAFF_USER_COLUMNS} FROM staff_users ORDER BY created_at, id`;
export const USER_BY_ID_SQL = `SELECT ${STAFF_USER_COLUMNS} FROM staff_users WHERE id = $1`;
export const INSERT_USER_SQL = `
  INSERT INTO staff_users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING ${STAFF_USER_COLUMNS}`;

// The user and every active admin, in id order so that two such changes never deadlock. READ
// COMMITTED re-checks the WHERE on a row changed meanwhile, so two admins demoting each other
// at once cannot both succeed.
export const LOCK_USER_AND_ADMINS_SQL = `
  SELECT id, role, disabled_at IS NOT NULL AS disabled FROM staff_users
   WHERE id = $1 OR (role = 'admin' AND disabled_at IS NULL)
   ORDER BY id FOR NO KEY UPDATE`;

export const UPDATE_USER_SQL = `
  UPDATE staff_users SET
    role = coalesce($2, role),
    disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END,
    password_hash = coalesce($4, password_hash),
    updated_at = now()
  WHERE id = $1
  RETURNING ${STAFF_USER_COLUMNS}`;

export const SWEEP_TOKENS_SQL = `
  WITH gone AS (DELETE FROM staff_tokens WHERE revoked_at IS NOT NULL OR expires_at <= now() RETURNING 1)
  SELECT count(*)::int AS deleted FROM gone`;
