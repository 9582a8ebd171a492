import type { Response } from 'supertest';
import { StaffTokenSweeper } from '../src/auth/staff-token-sweeper';
import { hashToken } from '../src/auth/tokens';
import { createTestApp, TestApp } from './support/test-app';

const PASSWORD = 'a-long-enough-password';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('staff users: read, change, disable, passwords, token cleanup', () => {
  let t: TestApp;
  let admin: string;
  let n = 0;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  function expectProblem(res: Response, status: number, slug: string): void {
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `http://eventline.test/problems/${slug}` });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }

  async function login(email: string, password = PASSWORD): Promise<string> {
    const res = await t.http.post('/auth/login').send({ email, password }).expect(200);
    return res.body.accessToken as string;
  }

  /** A new staff user through the API, with one token. */
  async function user(role: 'admin' | 'editor' | 'checkin'): Promise<{ id: string; email: string; token: string }> {
    const email = `user-${++n}@staff.test`;
    const res = await t.http.post('/admin/users').set(bearer(admin)).send({ email, password: PASSWORD, role }).expect(201);
    return { id: res.body.id, email, token: await login(email) };
  }

  /** Leaves exactly these admins active: every other admin becomes an editor. */
  async function onlyActiveAdmins(...ids: string[]): Promise<void> {
    await t.db.query(`UPDATE staff_users SET role = 'editor' WHERE role = 'admin' AND NOT (id = ANY($1::uuid[]))`, [ids]);
  }

  const activeAdmins = async () =>
    (await t.db.query(`SELECT count(*)::int AS n FROM staff_users WHERE role = 'admin' AND disabled_at IS NULL`))[0].n as number;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.tokenFor('admin');
  });
  afterAll(() => t.close());

  it('reads one user without its password hash, with disabled and disabledAt', async () => {
    const u = await user('editor');
    const res = await t.http.get(`/admin/users/${u.id}`).set(bearer(admin)).expect(200);
    expect(res.body).toEqual({
      id: u.id,
      email: u.email,
      role: 'editor',
      disabled: false,
      disabledAt: null,
      createdAt: expect.any(String),
    });
    const list = await t.http.get('/admin/users').set(bearer(admin)).expect(200);
    expect(list.body.data.find((v: { id: string }) => v.id === u.id)).toEqual(res.body);
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password/i);
    const own = await t.http.post('/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
    expect(own.body.user).toEqual(res.body);

    expectProblem(await t.http.get(`/admin/users/${UNKNOWN_ID}`).set(bearer(admin)), 404, 'not-found');
    expectProblem(await t.http.get('/admin/users/not-a-uuid').set(bearer(admin)), 404, 'not-found');
    expectProblem(await t.http.patch(`/admin/users/${UNKNOWN_ID}`).set(bearer(admin)).send({ role: 'editor' }), 404, 'not-found');
    expectProblem(await t.http.patch('/admin/users/42').set(bearer(admin)).send({ role: 'editor' }), 404, 'not-found');
  });

  it('lets only admins read and change users: editor and checkin 403, no token 401', async () => {
    const target = await user('checkin');
    for (const role of ['editor', 'checkin'] as const) {
      const { token } = await user(role);
      expectProblem(await t.http.get(`/admin/users/${target.id}`).set(bearer(token)), 403, 'forbidden');
      expectProblem(await t.http.patch(`/admin/users/${target.id}`).set(bearer(token)).send({ role: 'admin' }), 403, 'forbidden');
    }
    expectProblem(await t.http.get(`/admin/users/${target.id}`), 401, 'unauthorized');
    expectProblem(await t.http.patch(`/admin/users/${target.id}`).send({ disabled: true }), 401, 'unauthorized');
    expectProblem(
      await t.http.post('/auth/password').send({ currentPassword: PASSWORD, newPassword: 'another-long-password' }),
      401,
      'unauthorized',
    );
    const still = await t.http.get(`/admin/users/${target.id}`).set(bearer(admin)).expect(200);
    expect(still.body).toMatchObject({ role: 'checkin', disabled: false });
  });

  it('validates changes: unknown fields, bad role, non-boolean disabled, short password, null are 400', async () => {
    const u = await user('editor');
    for (const body of [
      { email: 'other@example.com' },
      { passwordHash: 'x' },
      { role: 'owner' },
      { role: null },
      { disabled: 'yes' },
      { disabled: null },
      { password: 'short' },
      { password: 123456789012345 },
    ]) {
      const res = await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send(body);
      expectProblem(res, 400, 'validation');
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const unchanged = await t.http.get(`/admin/users/${u.id}`).set(bearer(admin)).expect(200);
    expect(unchanged.body).toMatchObject({ email: u.email, role: 'editor', disabled: false });
    await t.http.get('/admin/events').set(bearer(u.token)).expect(200);
  });

  it('changes a role, effective on the next request with the same token', async () => {
    const u = await user('editor');
    await t.http.get('/admin/events').set(bearer(u.token)).expect(200);
    const res = await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send({ role: 'checkin' }).expect(200);
    expect(res.body).toMatchObject({ id: u.id, role: 'checkin', disabled: false });
    expectProblem(await t.http.get('/admin/events').set(bearer(u.token)), 403, 'forbidden');
    await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send({ role: 'admin' }).expect(200);
    await t.http.get(`/admin/users/${u.id}`).set(bearer(u.token)).expect(200);
  });

  it('disabling revokes every token at once and refuses logins like a wrong password; enabling allows logins again', async () => {
    const u = await user('editor');
    const second = await login(u.email);
    const other = await user('editor');
    const res = await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
    expect(res.body).toMatchObject({ disabled: true, role: 'editor' });
    expect(Date.parse(res.body.disabledAt)).toBeGreaterThan(Date.now() - 60_000);
    for (const token of [u.token, second]) {
      expectProblem(await t.http.get('/admin/events').set(bearer(token)), 401, 'unauthorized');
    }
    const revoked: { revoked: boolean }[] = await t.db.query(
      `SELECT revoked_at IS NOT NULL AS revoked FROM staff_tokens WHERE user_id = $1`,
      [u.id],
    );
    expect(revoked).toEqual([{ revoked: true }, { revoked: true }]);
    await t.http.get('/admin/events').set(bearer(other.token)).expect(200);

    const disabledLogin = await t.http.post('/auth/login').send({ email: u.email, password: PASSWORD });
    const wrongPassword = await t.http.post('/auth/login').send({ email: u.email, password: 'not-the-password' });
    expectProblem(disabledLogin, 401, 'unauthorized');
    expect(disabledLogin.body).toEqual(wrongPassword.body);

    // Disabling again keeps the original time.
    const again = await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
    expect(again.body.disabledAt).toBe(res.body.disabledAt);

    const enabled = await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send({ disabled: false }).expect(200);
    expect(enabled.body).toMatchObject({ disabled: false, disabledAt: null });
    expectProblem(await t.http.get('/admin/events').set(bearer(u.token)), 401, 'unauthorized');
    await t.http
      .get('/admin/events')
      .set(bearer(await login(u.email)))
      .expect(200);
  });

  it('refuses the tokens of a disabled user even if they were not revoked', async () => {
    const u = await user('editor');
    await t.db.query(`UPDATE staff_users SET disabled_at = now() WHERE id = $1`, [u.id]);
    expectProblem(await t.http.get('/admin/events').set(bearer(u.token)), 401, 'unauthorized');
  });

  it('an admin reset of the password revokes every token of the user; only the new password logs in', async () => {
    const u = await user('checkin');
    const second = await login(u.email);
    await t.http.patch(`/admin/users/${u.id}`).set(bearer(admin)).send({ password: 'the-new-password-1' }).expect(200);
    for (const token of [u.token, second]) {
      expectProblem(await t.http.get(`/admin/sessions/${UNKNOWN_ID}/registrations`).set(bearer(token)), 401, 'unauthorized');
    }
    expectProblem(await t.http.post('/auth/login').send({ email: u.email, password: PASSWORD }), 401, 'unauthorized');
    await login(u.email, 'the-new-password-1');
  });

  it('a login whose password is changed while it is verified gets no token', async () => {
    const u = await user('editor');
    // The login verifies the old password, then waits to write its token while this transaction
    // holds the user's row; the password changes and commits before the token is written.
    const holder = t.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM staff_users WHERE id = $1 FOR UPDATE`, [u.id]);
      const racing = t.http
        .post('/auth/login')
        .send({ email: u.email, password: PASSWORD })
        .then((res) => res);
      await waitForLockWaiters(1, 'INSERT INTO staff_tokens');
      await holder.query(`UPDATE staff_users SET password_hash = 'changed' WHERE id = $1`, [u.id]);
      await holder.commitTransaction();
      expectProblem(await racing, 401, 'unauthorized');
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('the last active admin cannot be disabled or demoted (409); another admin can', async () => {
    const a = await user('admin');
    const b = await user('admin');
    await onlyActiveAdmins(a.id, b.id);
    await t.http.patch(`/admin/users/${b.id}`).set(bearer(a.token)).send({ disabled: true }).expect(200);
    // b is still an admin, but disabled: it does not count.
    for (const body of [{ disabled: true }, { role: 'editor' }, { role: 'checkin', disabled: false }]) {
      const res = await t.http.patch(`/admin/users/${a.id}`).set(bearer(a.token)).send(body);
      expectProblem(res, 409, 'conflict');
    }
    await t.http.patch(`/admin/users/${a.id}`).set(bearer(a.token)).send({ role: 'admin', disabled: false }).expect(200);
    await t.http.patch(`/admin/users/${b.id}`).set(bearer(a.token)).send({ role: 'editor' }).expect(200);
    expect(await activeAdmins()).toBe(1);
    await t.http.patch(`/admin/users/${b.id}`).set(bearer(a.token)).send({ role: 'admin', disabled: false }).expect(200);
    const bToken = await login(b.email);
    // With two active admins, one may step down itself.
    await t.http.patch(`/admin/users/${a.id}`).set(bearer(a.token)).send({ role: 'editor' }).expect(200);
    expectProblem(await t.http.patch(`/admin/users/${b.id}`).set(bearer(bToken)).send({ disabled: true }), 409, 'conflict');
    expect(await activeAdmins()).toBe(1);
    admin = bToken;
  });

  it('two admins demoting each other at the same time leave one active admin', async () => {
    const a = await user('admin');
    const b = await user('admin');
    await onlyActiveAdmins(a.id, b.id);
    // Hold every staff row so that both requests pass the role check and then wait inside their
    // transactions: a real overlap, released at once.
    const holder = t.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM staff_users FOR UPDATE`);
      const both = [
        t.http.patch(`/admin/users/${b.id}`).set(bearer(a.token)).send({ role: 'editor' }),
        t.http.patch(`/admin/users/${a.id}`).set(bearer(b.token)).send({ disabled: true }),
      ].map((r) => r.then((res) => res));
      await waitForLockWaiters(2, 'staff_users');
      await holder.commitTransaction();
      const statuses = (await Promise.all(both)).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    expect(await activeAdmins()).toBe(1);
    const survivor = (await t.db.query(`SELECT id FROM staff_users WHERE role = 'admin' AND disabled_at IS NULL`))[0].id as string;
    admin = survivor === a.id ? a.token : b.token;
    await t.http.get('/admin/users').set(bearer(admin)).expect(200);
  });

  /** Waits until `count` statements containing `text` wait for a lock (the app's, not ours). */
  async function waitForLockWaiters(count: number, text: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [{ n: waiting }] = await t.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND position($1 in query) > 0`,
        [text],
      );
      if (waiting >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${count} statements waited for a lock: ${text}`);
  }

  it('POST /auth/password changes one’s own password and revokes one’s other tokens, not the one used', async () => {
    const u = await user('checkin');
    const other = await login(u.email);
    await t.http
      .post('/auth/password')
      .set(bearer(u.token))
      .send({ currentPassword: PASSWORD, newPassword: 'my-own-new-password' })
      .expect(204);
    await t.http.get(`/admin/sessions/${UNKNOWN_ID}/registrations`).set(bearer(u.token)).expect(404);
    expectProblem(await t.http.get(`/admin/sessions/${UNKNOWN_ID}/registrations`).set(bearer(other)), 401, 'unauthorized');
    expectProblem(await t.http.post('/auth/login').send({ email: u.email, password: PASSWORD }), 401, 'unauthorized');
    await login(u.email, 'my-own-new-password');
  });

  it('POST /auth/password with a wrong current password is 400 on currentPassword and changes nothing', async () => {
    const u = await user('editor');
    const other = await login(u.email);
    const res = await t.http
      .post('/auth/password')
      .set(bearer(u.token))
      .send({ currentPassword: 'not-my-password', newPassword: 'my-own-new-password' });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ field: 'currentPassword', message: expect.any(String) }]);
    for (const body of [
      { currentPassword: PASSWORD, newPassword: 'short' },
      { currentPassword: PASSWORD },
      { currentPassword: PASSWORD, newPassword: 'my-own-new-password', extra: 1 },
    ]) {
      expectProblem(await t.http.post('/auth/password').set(bearer(u.token)).send(body), 400, 'validation');
    }
    await t.http.get('/admin/events').set(bearer(other)).expect(200);
    await t.http.get('/admin/events').set(bearer(u.token)).expect(200);
    await login(u.email);
  });

  it('the sweeper deletes expired and revoked token rows and keeps live ones', async () => {
    const u = await user('editor');
    const [live, expired, revoked] = [u.token, await login(u.email), await login(u.email)];
    await t.db.query(`UPDATE staff_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hashToken(expired)]);
    await t.http.post('/auth/logout').set(bearer(revoked)).expect(204);
    const before: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM staff_tokens WHERE revoked_at IS NOT NULL OR expires_at <= now()`,
    );
    expect(before[0].n).toBeGreaterThanOrEqual(2);

    expect(await t.app.get(StaffTokenSweeper).sweep()).toBe(before[0].n);
    const left: { token_hash: Buffer }[] = await t.db.query(`SELECT token_hash FROM staff_tokens WHERE user_id = $1`, [u.id]);
    expect(left.map((r) => r.token_hash)).toEqual([hashToken(live)]);
    const dead: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM staff_tokens WHERE revoked_at IS NOT NULL OR expires_at <= now()`,
    );
    expect(dead[0].n).toBe(0);
    await t.http.get('/admin/events').set(bearer(live)).expect(200);
    expect(await t.app.get(StaffTokenSweeper).sweep()).toBe(0);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths['/admin/users/{id}'])).toEqual(expect.arrayContaining(['get', 'patch']));
    expect(Object.keys(doc.body.paths['/auth/password'])).toEqual(['post']);
    expect(Object.keys(doc.body.paths['/admin/users/{id}'].patch.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(doc.body.components.schemas.StaffUserView.properties).toHaveProperty('disabled');
  });
});
